"""The unrolled grid (helpers.grid_figure) for the student's configuration, as a call and as PNG bytes."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .inputs import CallSpec

# What the grid draws legibly; the same limits as its live view (helpers/views/grid.py).
MAX_LAYERS, MAX_STEPS = 4, 8


@dataclass(frozen=True)
class Picture:
    """How the grid for this configuration is drawn: the call, and what it shows of the student's input."""

    kwargs: dict | None  # grid_figure's arguments, or None when the module is too deep to draw
    caption: str

    @property
    def code(self) -> str:
        """The call that draws it, for a reader in a terminal."""
        if self.kwargs is None:
            return ""
        return "helpers.grid_figure(" + ", ".join(f"{k}={v!r}" for k, v in self.kwargs.items()) + ")"

    def png(self) -> bytes | None:
        """The picture as PNG bytes (None when not drawn)."""
        return self.drawn()[0]

    def drawn(self) -> tuple[bytes | None, str | None]:
        """The picture as PNG bytes and its alt text, written by the grid from its data (None, None when not drawn)."""
        if self.kwargs is None:
            return None, None
        from ..plots.alt import alt_of
        from ..views import grid_figure, png_bytes  # widgets and plotting, only when a picture is wanted

        fig = grid_figure(**self.kwargs)
        return png_bytes(fig), alt_of(fig)


def picture(spec: CallSpec, tensors: dict[str, torch.Tensor]) -> Picture:
    """The grid's settings for this module: its cell, layers and directions, over at most MAX_STEPS steps."""
    if spec.num_layers > MAX_LAYERS:
        return Picture(None, f"not drawn: the grid draws up to {MAX_LAYERS} layers, this module has {spec.num_layers}")
    output = tensors["output"]
    steps = output.shape[0] if spec.unbatched or not spec.batch_first else output.shape[1]
    kwargs = dict(
        num_layers=spec.num_layers,
        seq_len=min(steps, MAX_STEPS),
        bidirectional=spec.bidirectional,
        cell=spec.cell.lower(),
        batch_first=spec.batch_first,
    )
    said = [f"{spec.cell}, num_layers={spec.num_layers}, bidirectional={spec.bidirectional}"]
    if steps > MAX_STEPS:
        said.append(f"drawn over {MAX_STEPS} steps (your L is {steps})")
    if spec.packed and steps <= MAX_STEPS:
        lengths = tensors["lengths"]
        kwargs["lengths"] = tuple(int(n) for n in lengths)
        kwargs["batch"] = int(torch.argmin(lengths))
        said.append(f"sequence {kwargs['batch']}, your shortest (length {int(lengths.min())})")
    elif spec.packed:
        said.append("without padding; the table gives each sequence's own last step")
    if spec.unbatched:
        said.append("drawn for a batch: drop the batch index for your unbatched x")
    return Picture(kwargs, "; ".join(said))
