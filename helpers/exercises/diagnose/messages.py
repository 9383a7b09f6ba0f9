"""Diagnosis by provenance: the pattern an answer shows, in a student's words."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ...models import RNNRun


@dataclass(frozen=True)
class Diagnosis:
    """What a wrong answer holds: a pattern name (for tests) and a short paragraph (for the learner)."""

    pattern: str
    text: str


def values(t: torch.Tensor, count: int = 6) -> str:
    """The first few numbers of a tensor, 4 decimals, enough to compare by eye."""
    flat = t.detach().reshape(-1).to(torch.float32)
    shown = ", ".join(f"{v:.4f}" for v in flat[:count].tolist())
    return f"[{shown}{', ...' if flat.numel() > count else ''}]"


def diagnose(r: RNNRun, got: torch.Tensor, expected: torch.Tensor) -> Diagnosis:
    """Say what got holds compared with expected, using every named vector of the run r."""
    if got.shape != expected.shape:
        if got.numel() == expected.numel() and torch.equal(got.reshape(-1), expected.reshape(-1)):
            return Diagnosis("reshaped", f"Your answer holds the right numbers in the right order, but in shape "
                                         f"{tuple(got.shape)} instead of {tuple(expected.shape)}.")
        return Diagnosis("shape", f"Your answer has shape {tuple(got.shape)}, not {tuple(expected.shape)}.")
    return Diagnosis("nothing", "Your answer has the right shape, but its numbers differ from the ones wanted.")
