"""A table of named relations between output, h_n and c_n, each settled by torch."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .models import RNNRun
from .states import BACKWARD, FORWARD, appears_in_halves, final_state_from_h_n, final_state_from_output, time_major


@dataclass(frozen=True)
class Relation:
    """One claim about a run, and whether torch agrees."""

    name: str
    code: str  # the comparison written out in PyTorch
    holds: bool


def _appears_in_output(state: torch.Tensor, run: RNNRun) -> bool:
    """True if any sequence's state vector equals output at some step, in some direction's half."""
    return appears_in_halves(state, time_major(run), run.config.num_directions, run.config.h_out)


def _index(run: RNNRun, step: str, features: str) -> str:
    """Write output[...] for one time step and a feature slice, in this run's layout."""
    if run.unbatched:
        return f"output[{step}, {features}]"
    if run.config.batch_first:
        return f"output[:, {step}, {features}]"
    return f"output[{step}, :, {features}]"


def relation_table(run: RNNRun) -> list[Relation]:
    """Named relations for this run, each with its torch.equal result."""
    cfg = run.config
    H, top = cfg.h_out, cfg.num_layers - 1
    view = "h_n.view(num_layers, D, N, H_out)" if not run.unbatched else "h_n.view(num_layers, D, H_out)"
    at_tensor_end = f"{_index(run, '-1', f':{H}')} == {view}[-1, 0]"
    padded_last = time_major(run)[-1, :, :H]  # (N, H_out): the last row of the (padded) tensor
    forward = final_state_from_h_n(run, top, FORWARD).reshape(padded_last.shape)
    if run.lengths is None:  # not packed: every sequence runs to the tensor's last step, padded or not
        rows = [
            Relation(
                "top layer, forward, not packed: final state = output at the last step (padded or not), "
                "first H_out features",
                at_tensor_end,
                torch.equal(padded_last, forward),
            )
        ]
    else:  # packed: one last valid step per sequence, so write it for sequence n
        step = "n, lengths[n] - 1" if cfg.batch_first else "lengths[n] - 1, n"
        rows = [
            Relation(
                "top layer, forward, packed: final state = output at each sequence's own last valid step, "
                "first H_out features",
                f"output[{step}, :{H}] == {view}[-1, 0, n]",
                torch.equal(final_state_from_output(run, top, FORWARD), final_state_from_h_n(run, top, FORWARD)),
            ),
            Relation(
                "top layer, forward, packed: final state = output at the tensor's last step "
                "(false once the lengths differ)",
                at_tensor_end,
                torch.equal(padded_last, forward),
            ),
        ]
    if cfg.bidirectional:
        backward = final_state_from_h_n(run, top, BACKWARD)
        rows.append(
            Relation(
                "top layer, backward: final state = output at step 0, last H_out features",
                f"{_index(run, '0', f'{H}:')} == {view}[-1, 1]",
                torch.equal(final_state_from_output(run, top, BACKWARD), backward),
            )
        )
        rows.append(
            Relation(
                "the top answer's slip: top layer, backward final state = output at the last step, "
                "first H_out features",
                f"{_index(run, '-1', f':{H}')} == {view}[-1, 1]",
                torch.equal(padded_last, backward.reshape(padded_last.shape)),
            )
        )
    for layer in range(cfg.num_layers - 1):
        for direction in range(cfg.num_directions):
            name = "forward" if direction == FORWARD else "backward"
            rows.append(
                Relation(
                    f"layer {layer}, {name}: final state appears somewhere in output",
                    f"{view}[{layer}, {direction}] in output",
                    _appears_in_output(final_state_from_h_n(run, layer, direction), run),
                )
            )
    if run.c_n is not None:
        rows.append(
            Relation(
                "c_n: any cell state appears somewhere in output",
                "c_n[k] in output for some k",
                any(_appears_in_output(c, run) for c in run.c_n),
            )
        )
    return rows


def format_table(rows: list[Relation]) -> str:
    """Plain-text table, one relation per line, for printing in a notebook."""
    width = max(len(r.code) for r in rows)
    return "\n".join(f"{str(r.holds):5}  {r.code:<{width}}  # {r.name}" for r in rows)
