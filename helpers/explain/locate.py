"""Index expressions for where each final state lives, each checked with torch.equal on the real tensors."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import torch

from ..states import appears_in_halves
from .capture import Call
from .expression import apply_expression
from .inputs import CallSpec
from .picture import Picture, picture
from .traps import Note, notes


@dataclass(frozen=True)
class Check:
    """Two expressions meant to name the same tensor, and torch.equal's verdict on the real tensors."""

    left: str
    right: str
    holds: bool

    def __str__(self) -> str:
        return f"{self.left} == {self.right}: {self.holds}"


def check(left: str, right: str, tensors: Mapping[str, torch.Tensor]) -> Check:
    """Apply both expressions to the tensors and compare them with torch.equal."""
    return Check(left, right, torch.equal(apply_expression(left, tensors), apply_expression(right, tensors)))


@dataclass(frozen=True)
class FinalState:
    """One (layer, direction): its row of h_n (and c_n), and where its final state sits in output."""

    layer: int
    direction: int  # 0 forward, 1 backward
    h_n: str  # e.g. "h_n[4]"
    view: Check  # h_n.view(num_layers, D, ...)[layer, direction] == h_n[k]
    c_n: str | None  # e.g. "c_n[4]" for an LSTM
    in_output: Check | None  # the whole batch at once; None below the top layer
    per_sequence: tuple[Check, ...]  # packed input: one check per sequence
    found_in_output: bool  # below the top layer: does some slice of output equal it anyway (a coincidence)?
    zeros: bool  # every number of this state is 0 (a dead ReLU unit, or zero input without bias)
    rules: tuple[str, ...] = ()  # the registry's rules (helpers/rules/) that say where this state is

    @property
    def direction_name(self) -> str:
        return "forward" if self.direction == 0 else "backward"


@dataclass(frozen=True)
class Summary:
    """What a classifier should read for the whole sequence, and how it relates to output."""

    expression: str  # e.g. "torch.cat([h_n[-2], h_n[-1]], dim=-1)"
    shape: tuple[int, ...]
    from_output: Check  # the same states cut out of output
    last_step: Check  # output at its last step: the common slip, right only in some configurations


def output_index(spec: CallSpec, step: str, features: str | None, sequence: str | None = None) -> str:
    """output[...] in the student's layout: one step, a feature slice (None: all) and a sequence (None: all)."""
    batch = ":" if sequence is None else sequence
    if spec.unbatched:
        parts = [step]
    else:
        parts = [batch, step] if spec.batch_first else [step, batch]
    if features:
        parts.append(features)
    elif parts[-1] == ":":
        parts.pop()  # output[-1, :] reads better as output[-1]
    return f"output[{', '.join(parts)}]"


def _features(spec: CallSpec, direction: int) -> str | None:
    """Which of output's D * H_out features belong to this direction (None: all of them)."""
    if spec.num_directions == 1:
        return None
    h = spec.h_out
    return f":{h}" if direction == 0 else f"{h}:"


def _whole_batch(spec: CallSpec, direction: int) -> str:
    """The top layer's final state for every sequence at once, cut out of output."""
    features = _features(spec, direction)
    if direction == 1:
        return output_index(spec, "0", features)  # the backward direction ends at step 0
    if not spec.packed:
        return output_index(spec, "-1", features)
    return output_index(spec, "lengths - 1", features, f"torch.arange({spec.batch_size})")


def _appears_in_output(state: torch.Tensor, spec: CallSpec, output: torch.Tensor) -> bool:
    """True if any sequence's state equals output at some step, in some direction's half."""
    if spec.unbatched:
        out = output.unsqueeze(1)  # (L, 1, D * H_out)
    else:
        out = output.transpose(0, 1) if spec.batch_first else output  # (L, N, D * H_out)
    return appears_in_halves(state, out, spec.num_directions, spec.h_out)


def final_states(spec: CallSpec, tensors: Mapping[str, torch.Tensor]) -> list[FinalState]:
    """Every (layer, direction), bottom layer first, each expression checked on the tensors."""
    d, top = spec.num_directions, spec.num_layers - 1
    batch = () if spec.unbatched else (spec.batch_size,)
    view_shape = ", ".join(str(n) for n in (spec.num_layers, d, *batch, spec.h_out))
    rows = []
    for layer in range(spec.num_layers):
        for direction in range(d):
            k = layer * d + direction
            h_n = f"h_n[{k}]"
            view = check(f"h_n.view({view_shape})[{layer}, {direction}]", h_n, tensors)
            c_n = f"c_n[{k}]" if "c_n" in tensors else None
            in_output, per_sequence, found = None, (), False
            zeros = not bool(tensors["h_n"][k].any())
            if layer == top:
                in_output = check(_whole_batch(spec, direction), h_n, tensors)
                if spec.packed:
                    per_sequence = tuple(
                        check(_one_sequence(spec, tensors, direction, n), f"h_n[{k}, {n}]", tensors)
                        for n in range(spec.batch_size)
                    )
            else:
                found = _appears_in_output(tensors["h_n"][k], spec, tensors["output"])
            rules = ("h_n-every-final", _where_rule(spec, layer, direction))
            rows.append(FinalState(layer, direction, h_n, view, c_n, in_output, per_sequence, found, zeros, rules))
    return rows


def _where_rule(spec: CallSpec, layer: int, direction: int) -> str:
    """The registry rule that puts this (layer, direction)'s final state where the report looks for it."""
    if layer < spec.num_layers - 1:
        return "lower-rows-not-in-output"
    if direction == 1:
        return "backward-at-step-0"
    return "top-forward-last-valid" if spec.packed else "top-forward-last-step"


def _one_sequence(spec: CallSpec, tensors: Mapping[str, torch.Tensor], direction: int, n: int) -> str:
    """Sequence n's final state in output, with its own last step written as a number."""
    step = "0" if direction == 1 else str(int(tensors["lengths"][n]) - 1)
    return output_index(spec, step, _features(spec, direction), str(n))


def cell_states_in_output(spec: CallSpec, tensors: Mapping[str, torch.Tensor]) -> bool:
    """True if any row of c_n equals a slice of output (for an LSTM it should not)."""
    return any(_appears_in_output(c, spec, tensors["output"]) for c in tensors["c_n"])


def summary(spec: CallSpec, tensors: Mapping[str, torch.Tensor]) -> Summary:
    """The classifier's summary of each whole sequence: h_n[-1], or both directions' top states joined."""
    if spec.num_directions == 1:
        expression, from_output = "h_n[-1]", _whole_batch(spec, 0)
    else:
        expression = "torch.cat([h_n[-2], h_n[-1]], dim=-1)"
        from_output = f"torch.cat([{_whole_batch(spec, 0)}, {_whole_batch(spec, 1)}], dim=-1)"
    shape = tuple(apply_expression(expression, tensors).shape)
    return Summary(
        expression,
        shape,
        check(from_output, expression, tensors),
        check(output_index(spec, "-1", None), expression, tensors),
    )


@dataclass(frozen=True)
class Located:
    """Stage 3: where every state of one call lives, each place checked on its tensors, and the traps it meets."""

    call: Call
    states: tuple[FinalState, ...]  # one per (layer, direction), bottom layer first
    cells_in_output: bool | None  # LSTM: does some row of c_n equal a slice of output (a coincidence)? None otherwise
    summary: Summary
    notes: tuple[Note, ...]
    picture: Picture
    packing: tuple[str, ...] = ()  # x looked padded and was not packed: what packing would change


def locate(call: Call) -> Located:
    """Every final state of the call in h_n and output, the classifier's summary, and the notes for its configuration."""
    spec, tensors = call.spec, call.tensors
    steps = tensors["output"].shape[0 if spec.unbatched or not spec.batch_first else 1]
    return Located(
        call=call,
        states=tuple(final_states(spec, tensors)),
        cells_in_output=cell_states_in_output(spec, tensors) if "c_n" in tensors else None,
        summary=summary(spec, tensors),
        notes=tuple(notes(spec, call.padding.lengths if call.padding else None, steps)),
        picture=picture(spec, tensors),
        packing=packing_lines(call),
    )


def packing_lines(call: Call, h_n_name: str = "h_n") -> tuple[str, ...]:
    """x looked padded and was not packed: the lines to write, and how the final states would change."""
    p, spec = call.padding, call.spec
    if p is None:
        return ()
    h_n = call.tensors["h_n"]
    bf = spec.batch_first
    lines = [
        f"lengths = {list(p.lengths)}  # each sequence's steps before its trailing zero steps",
        f"packed = pack_padded_sequence(x, lengths, batch_first={bf}, enforce_sorted=False)",
        f"then call the module on packed (and pad_packed_sequence(..., batch_first={bf}) its output)",
    ]
    for n, length in enumerate(p.lengths):
        if length < spec.seq_len and len(lines) < 8:
            close = torch.allclose(p.h_n[:, n], h_n[:, n])  # packed runs round differently: closeness, not equality
            gap = float((p.h_n[:, n] - h_n[:, n]).abs().max())
            lines.append(
                f"sequence {n} ({length} of {spec.seq_len} steps): torch.allclose(packed h_n[:, {n}], "
                f"{h_n_name}[:, {n}]) is {close}, largest difference {gap:.4f}"
            )
    return tuple(lines)
