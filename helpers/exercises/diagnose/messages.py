"""Diagnosis by provenance: which story an answer tells, in a student's words."""

from __future__ import annotations

from itertools import permutations

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
    if found is not None and found.pattern == "extra_dim" and r.unbatched:
        dim = found.advice[len("answer.squeeze(") : -1]
        return Diagnosis(
            "unbatched_batch_axis",
            f"Your answer holds the right numbers, with an extra dimension of size 1 at position {dim} (shape "
            f"{tuple(got.shape)}, wanted {tuple(expected.shape)}): a batch axis of one. This run is one unbatched "
            f"sequence (L, H_in): output, h_n and c_n have no batch axis at all. Drop it with answer.squeeze({dim}).",
            found.advice,
        )
    if found is not None:
        return found
    found = permuted(r, got, expected, prefer)
    if found is not None:
        return found
    return compare(RunIndex(r), got, expected, prefer)


def _letter(meaning: str) -> str:
    return meaning.split(",")[0]


def permuted(r: RNNRun, got: torch.Tensor, expected: torch.Tensor, prefer: str = "") -> Diagnosis | None:
    """A tensor of the run with its axes put in another order (permute, transpose), then reshaped: say which order."""
    from ..answers import axes_of  # here, not at the top: answers imports nothing from diagnose, keep it so

    named = axes_of(r)
    order = [prefer] + [name for name in ("output", "h_n", "c_n") if name != prefer]
    for name in order:
        tensor, meanings = named.get(name, (None, []))
        if tensor is None or tensor.numel() != got.numel() or tensor.dim() < 2 or tensor.dim() > 4:
            continue
        tensor = tensor.detach().to(torch.float32)
        for perm in permutations(range(tensor.dim())):
            moved = tensor.permute(perm)
            if perm == tuple(range(tensor.dim())) or not torch.equal(moved.reshape(got.shape), got):
                continue
            # reshape reads the permuted tensor in memory order, fastest along its last axis, perm[-1]: neighbouring
            # numbers in a row of the answer are different entries of that axis
            fastest = perm[-1]
            if fastest == tensor.dim() - 1:  # the features stay last: the row mix is the provenance story
                return None
            now = ", ".join(_letter(meanings[i]) for i in perm)
            return Diagnosis(
                "features_moved",
                f"Your answer is {name}.permute{perm}, reshaped to {tuple(got.shape)}: permute{perm} puts {name}'s "
                f"axes in the order ({now}), so the features ({_letter(meanings[-1])}) are no longer last: "
                f"neighbouring numbers in each row of your answer belong to different {_letter(meanings[fastest])} "
                f"entries. Keep the features axis last when you move the others.",
            )
    return None
