"""Reading h_n and c_n as (layer, direction) and finding the final states in output."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .checks import check_bool, check_int, check_tensor
from .models import RNNRun, check_lengths

FORWARD, BACKWARD = 0, 1


def layer_direction_view(h_n: torch.Tensor, num_layers: int, bidirectional: bool) -> torch.Tensor:
    """View h_n (or c_n) with layers and directions on separate axes.

    (num_layers * D, N, H) -> (num_layers, D, N, H); unbatched (num_layers * D, H) -> (num_layers, D, H).
    """
    check_tensor("h_n", h_n, (2, 3), "a 2-D or 3-D tensor")
    check_int("num_layers", num_layers, 1)
    check_bool("bidirectional", bidirectional)
    num_directions = 2 if bidirectional else 1
    if h_n.shape[0] != num_layers * num_directions:
        raise ValueError(
            f"h_n.shape[0]={h_n.shape[0]} is not allowed with num_layers={num_layers} and "
            f"bidirectional={bidirectional}: it must be num_layers * D = {num_layers * num_directions}"
        )
    return h_n.view(num_layers, num_directions, *h_n.shape[1:])


def flat_view(h_view: torch.Tensor) -> torch.Tensor:
    """Undo layer_direction_view: (num_layers, D, ...) -> (num_layers * D, ...)."""
    if not isinstance(h_view, torch.Tensor) or h_view.dim() not in (3, 4) or h_view.shape[1] not in (1, 2):
        got = tuple(h_view.shape) if isinstance(h_view, torch.Tensor) else type(h_view).__name__
        raise ValueError(f"h_view={got} is not allowed: h_view must be (num_layers, D, [N,] H) with D of 1 or 2")
    return h_view.reshape(-1, *h_view.shape[2:])


def state_index(layer: int, direction: int, num_layers: int, bidirectional: bool) -> int:
    """Row of h_n that holds (layer, direction); layer may be negative, as in h_n[-1]."""
    check_int("num_layers", num_layers, 1)
    check_bool("bidirectional", bidirectional)
    num_directions = 2 if bidirectional else 1
    check_int("layer", layer, -num_layers, num_layers - 1)
    if isinstance(direction, bool) or not isinstance(direction, int) or direction not in range(num_directions):
        raise ValueError(
            f"direction={direction!r} is not allowed: direction must be 0 (forward)"
            + (" or 1 (backward)" if bidirectional else " for a one-direction module")
        )
    return (layer % num_layers) * num_directions + direction


def time_major(run: RNNRun) -> torch.Tensor:
    """output as (L, N, D * H_out) whatever batch_first and batching were."""
    if run.unbatched:
        return run.output.unsqueeze(1)  # (L, 1, D * H_out)
    return run.output.transpose(0, 1) if run.config.batch_first else run.output


def last_valid_steps(run: RNNRun) -> torch.Tensor:
    """Index of each sequence's last valid time step: lengths - 1, or L - 1 for all."""
    out = time_major(run)
    if run.lengths is None:
        return torch.full((out.shape[1],), out.shape[0] - 1, dtype=torch.int64)
    return run.lengths - 1


@dataclass(frozen=True)
class StateLocation:
    """Where the final state of one (layer, direction) sits in output, if anywhere."""

    layer: int
    direction: int
    in_output: bool
    step: str | None  # "last valid step", "step 0" or None
    features: slice | None  # which of output's D * H_out features

    def describe(self) -> str:
        who = f"layer {self.layer}, {'forward' if self.direction == FORWARD else 'backward'}"
        if not self.in_output:
            return f"{who}: not in output (output holds only the top layer)"
        return f"{who}: output at the {self.step}, features {self.features.start}:{self.features.stop}"


def locate_final_state(run: RNNRun, layer: int, direction: int) -> StateLocation:
    """Say where h_n's (layer, direction) state appears in output."""
    cfg = run.config
    state_index(layer, direction, cfg.num_layers, cfg.bidirectional)  # validates
    layer = layer % cfg.num_layers
    if layer != cfg.num_layers - 1:
        return StateLocation(layer, direction, False, None, None)
    h = cfg.h_out
    features = slice(direction * h, (direction + 1) * h)
    step = "last valid step" if direction == FORWARD else "step 0"
    return StateLocation(layer, direction, True, step, features)


def final_state_from_output(run: RNNRun, layer: int, direction: int) -> torch.Tensor | None:
    """Cut (layer, direction)'s final state out of output: (N, H_out), (H_out,) unbatched, or None."""
    where = locate_final_state(run, layer, direction)
    if not where.in_output:
        return None
    out = time_major(run)  # (L, N, D * H_out)
    batch = torch.arange(out.shape[1])
    steps = last_valid_steps(run) if direction == FORWARD else torch.zeros_like(batch)
    picked = out[steps, batch, where.features]  # (N, H_out)
    return picked[0] if run.unbatched else picked


def final_state_from_h_n(run: RNNRun, layer: int, direction: int) -> torch.Tensor:
    """h_n's (layer, direction) state: (N, H_out), or (H_out,) unbatched."""
    cfg = run.config
    return run.h_n[state_index(layer, direction, cfg.num_layers, cfg.bidirectional)]


def sequence_summary(h_n: torch.Tensor, bidirectional: bool) -> torch.Tensor:
    """The final state a classifier should read: h_n[-1], or cat(h_n[-2], h_n[-1]) for two directions.

    (num_layers * D, N, H_out) -> (N, D * H_out).
    """
    check_tensor("h_n", h_n, (2, 3), "a 2-D or 3-D tensor")
    check_bool("bidirectional", bidirectional)
    if not bidirectional:
        return h_n[-1]
    if h_n.shape[0] % 2:
        raise ValueError(
            f"h_n.shape[0]={h_n.shape[0]} is not allowed with bidirectional=True: it must be even (num_layers * 2)"
        )
    return torch.cat([h_n[-2], h_n[-1]], dim=-1)


def last_valid_output(output: torch.Tensor, lengths: torch.Tensor | None, batch_first: bool) -> torch.Tensor:
    """Each sequence's output at its last valid step: (N, D * H_out).

    In a padded batch, output[-1] is zeros for sequences shorter than L; this is not.
    """
    check_tensor("output", output, (3,), "a batched 3-D tensor")
    check_bool("batch_first", batch_first)
    out = output.transpose(0, 1) if batch_first else output  # (L, N, D * H_out)
    seq_len, batch_size = out.shape[:2]
    if lengths is None:
        return out[-1]
    lengths = check_lengths(lengths, seq_len, batch_size)  # (N,)
    return out[lengths - 1, torch.arange(batch_size)]


# Where one (layer, direction, step) hidden state ends up. Boxes of the unrolled grid are coloured by these.
IN_OUTPUT, IN_H_N, IN_BOTH, IN_NEITHER, PADDING = "output", "h_n", "both", "neither", "padding"
CATEGORIES = (IN_OUTPUT, IN_H_N, IN_BOTH, IN_NEITHER, PADDING)


def state_category(run: RNNRun, layer: int, direction: int, step: int, batch: int = 0) -> str:
    """Where the hidden state of (layer, direction) at step lands for sequence batch: a name from CATEGORIES."""
    cfg = run.config
    state_index(layer, direction, cfg.num_layers, cfg.bidirectional)  # validates layer and direction
    seq_len, batch_size = time_major(run).shape[:2]
    check_int("step", step, 0, seq_len - 1)
    check_int("batch", batch, 0, batch_size - 1)
    last = int(last_valid_steps(run)[batch])
    if step > last:
        return PADDING  # past this sequence's end: the module never computed it
    in_output = (layer % cfg.num_layers) == cfg.num_layers - 1  # output holds the top layer at every valid step
    in_h_n = step == (last if direction == FORWARD else 0)  # forward ends at the last valid step, backward at 0
    return {(True, True): IN_BOTH, (True, False): IN_OUTPUT, (False, True): IN_H_N}.get((in_output, in_h_n), IN_NEITHER)


def appears_in_halves(state: torch.Tensor, output_tm: torch.Tensor, num_directions: int, h_out: int) -> bool:
    """True if any sequence's state equals time-major output at some step, in some direction's half.

    state: (N, H) or (H,); output_tm: (L, N, D * H_out). Every number must match, not just some.
    """
    if state.shape[-1] != h_out:
        return False  # c_n with proj_size is hidden_size wide; each half of output is proj_size wide
    halves = output_tm.unflatten(-1, (num_directions, h_out))  # (L, N, D, H_out)
    return bool((halves == state.reshape(1, -1, 1, h_out)).all(dim=-1).any())
