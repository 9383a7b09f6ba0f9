"""Diagnosis by provenance: which story an answer tells, in a student's words."""

from __future__ import annotations

import torch

from ...models import RNNRun
from .index import RunIndex
from .provenance import compare
from .shapes import Diagnosis, rearranged

LARGEST = 5000  # answers beyond this many numbers are not searched piece by piece


def values(t: torch.Tensor, count: int = 6) -> str:
    """The first few numbers of a tensor, 4 decimals, enough to compare by eye."""
    flat = t.detach().reshape(-1)
    if flat.dtype.is_floating_point:
        shown = ", ".join(f"{v:.4f}" for v in flat[:count].tolist())
    else:
        shown = ", ".join(str(v) for v in flat[:count].tolist())
    return f"[{shown}{', ...' if flat.numel() > count else ''}]"


def diagnose(r: RNNRun, got: torch.Tensor, expected: torch.Tensor, prefer: str = "") -> Diagnosis:
    """Say what got holds, next to expected, from every named vector of the run r."""
    # prefer: "output" or "h_n", the tensor the learner worked from, so names use the same tensor
    got = got.detach().to(torch.float32)
    expected = expected.detach().to(torch.float32)
    if got.numel() == 0:
        return Diagnosis(
            "empty",
            f"Your answer is empty (shape {tuple(got.shape)}): a slice that starts at or "
            f"after its end selects nothing.",
        )
    if got.numel() > LARGEST:
        return Diagnosis(
            "too_large",
            f"Your answer has {got.numel()} numbers (shape {tuple(got.shape)}); the task "
            f"wants {expected.numel()} (shape {tuple(expected.shape)}).",
        )
    found = rearranged(got, expected)
    if found is not None:
        return found
    return compare(RunIndex(r), got, expected, prefer)
