"""The right numbers in the wrong shape: a size-1 dimension, transposed, stacked, joined the wrong way, flattened."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import permutations

import torch


@dataclass(frozen=True)
class Diagnosis:
    """What a wrong answer holds: a pattern (for tests), a paragraph (for the learner), and the fix it advises.

    advice is Python code over answer, output, h_n, c_n and torch, quoted in text, that gives the wanted tensor
    (or its part named by target); the tests run it, so no hint can point the wrong way.
    """

    pattern: str
    text: str
    advice: str | None = None
    target: str = ""  # which part of the wanted tensor advice gives, as indexing: "[0, 0:3]"; "" for all of it


def _same(a: torch.Tensor, b: torch.Tensor) -> bool:
    return a.shape == b.shape and torch.equal(a, b)


def _shape(shape) -> str:
    return str(tuple(shape))


def rearranged(got: torch.Tensor, want: torch.Tensor) -> Diagnosis | None:
    """The right numbers, in a shape other than the one wanted (or in the wanted shape by chance); None if that is
    not the story."""
    if got.shape == want.shape:
        return _swapped_same_size(got, want)
    if got.numel() != want.numel() or got.numel() == 0:
        return None
    shapes = f"shape {_shape(got.shape)}, wanted {_shape(want.shape)}"
    lead = "Your answer holds the right numbers"
    squeezed = [s for s in got.shape if s != 1], [s for s in want.shape if s != 1]
    if squeezed[0] == squeezed[1] and torch.equal(got.reshape(-1), want.reshape(-1)):
        if got.dim() == want.dim() + 1:
            dim = next(i for i in range(got.dim()) if got.shape[:i] + got.shape[i + 1 :] == want.shape)
            return Diagnosis(
                "extra_dim",
                f"{lead}, with an extra dimension of size 1 at position {dim} ({shapes}). "
                f"A slice such as 0:1 keeps a dimension; an integer index such as 0 drops it. "
                f"Drop it with answer.squeeze({dim}).",
                f"answer.squeeze({dim})",
            )
        if got.dim() + 1 == want.dim():
            dim = next(i for i in range(want.dim()) if want.shape[:i] + want.shape[i + 1 :] == got.shape)
            return Diagnosis(
                "missing_dim",
                f"{lead}, but a dimension of size 1 is missing at position {dim} "
                f"({shapes}). An integer index such as 0 drops a dimension; a slice such as 0:1 "
                f"keeps it. Add it back with answer.unsqueeze({dim}).",
                f"answer.unsqueeze({dim})",
            )
    if got.dim() == want.dim() and got.dim() <= 5:
        for order in permutations(range(got.dim())):
            if order != tuple(range(got.dim())) and _same(got.permute(order), want):
                how = "answer.transpose(0, 1)" if got.dim() == 2 else f"answer.permute{tuple(order)}"
                return Diagnosis(
                    "transposed",
                    f"{lead}, with its dimensions in another order ({shapes}). "
                    f"Put them in the wanted order with {how}.",
                    how,
                )
    for dim in range(got.dim()):  # torch.stack made a new dimension where torch.cat was meant
        parts = got.unbind(dim)
        if got.dim() == want.dim() + 1 and len(parts) > 1 and _same(torch.cat(parts, dim=-1), want):
            return Diagnosis(
                "stacked",
                f"{lead}, stacked on a new dimension {dim} ({shapes}): torch.stack makes a "
                f"new dimension, torch.cat(..., dim=-1) puts the pieces side by side in each row. "
                f"Join them with torch.cat(answer.unbind({dim}), dim=-1).",
                f"torch.cat(answer.unbind({dim}), dim=-1)",
            )
    if got.dim() == want.dim() and got.dim() >= 2 and got.shape[-1] != want.shape[-1]:
        for dim in range(got.dim() - 1):  # torch.cat along dim where the last dimension was meant
            count = want.shape[-1] // got.shape[-1]
            if got.shape[dim] == want.shape[dim] * count and count > 1:
                parts = got.chunk(count, dim)
                if _same(torch.cat(parts, dim=-1), want):
                    return Diagnosis(
                        "cat_dim",
                        f"{lead}, joined along dimension {dim} ({shapes}): "
                        f"torch.cat(..., dim={dim}) puts the pieces one under the other. The task wants "
                        f"them side by side in each row: torch.cat(..., dim=-1). From your answer: "
                        f"torch.cat(answer.chunk({count}, {dim}), dim=-1).",
                        f"torch.cat(answer.chunk({count}, {dim}), dim=-1)",
                    )
    if torch.equal(got.reshape(-1), want.reshape(-1)):
        if got.dim() == 1:
            return Diagnosis(
                "flattened",
                f"{lead} in the right order, but flattened into one dimension ({shapes}). "
                f"Keep the dimensions: leave out flatten() or view(-1) "
                f"(answer.reshape{_shape(want.shape)} undoes it).",
                f"answer.reshape{_shape(want.shape)}",
            )
        return Diagnosis(
            "reshaped",
            f"{lead} in the right order, but reshaped ({shapes}): "
            f"answer.reshape{_shape(want.shape)} gives the wanted shape.",
            f"answer.reshape{_shape(want.shape)}",
        )
    return None


def _swapped_same_size(got: torch.Tensor, want: torch.Tensor) -> Diagnosis | None:
    """The right numbers with dimensions of the same size swapped: h_n[-1].T has h_n[-1]'s shape when N == H_out, and
    h_n has h_n.transpose(0, 1)'s when N == num_layers * D (a forgotten transpose, or a reshape that moved no axis:
    the same numbers either way, so the story names neither and gives the fix)."""
    if not 2 <= got.dim() <= 5 or got.numel() == 0 or torch.equal(got, want):
        return None
    for order in permutations(range(got.dim())):
        if [got.shape[i] for i in order] != list(got.shape):
            continue
        if torch.equal(got.permute(order), want):
            how = "answer.transpose(0, 1)" if got.dim() == 2 else f"answer.permute{tuple(order)}"
            sizes = {got.shape[i] for i in range(got.dim()) if order[i] != i}
            same = (
                f"have the same size, {sizes.pop()}"
                if len(sizes) == 1
                else "each have the size of the one they replace"
            )
            # want's last dimension, the features, is got's dimension order[-1]: named when it moved
            moved = (
                "" if order[-1] == got.dim() - 1 else f" (its features run along dimension {order[-1]}, not the last)"
            )
            return Diagnosis(
                "transposed",
                f"Your answer holds the right numbers, with its dimensions in another order{moved}: its shape, "
                f"{_shape(got.shape)}, is the wanted one only because the swapped dimensions {same}. "
                f"Put them in the wanted order with {how}.",
                how,
            )
    return None
