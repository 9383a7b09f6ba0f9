"""The traps a configuration walks into: each note states a rule of the registry (helpers/rules/), then what it means
for this configuration, and links to the notebook section that teaches the rule."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..rules import rule
from .inputs import CallSpec


def plain(markdown: str) -> str:
    """A registry sentence as plain text: no backticks, and the scope's italics (*One layer:*) unmarked."""
    return re.sub(r"^\*([^*]+)\*", r"\1", markdown).replace("`", "")


@dataclass(frozen=True)
class Note:
    """One trap: the registry rule it states (its sentence first), this configuration's detail, where it is taught."""

    rule_id: str
    detail: str  # what the rule means for this configuration ("" if nothing to add)

    @property
    def sentence(self) -> str:
        """The rule's sentence, as plain text."""
        return plain(rule(self.rule_id).sentence)

    @property
    def text(self) -> str:
        return f"{self.sentence} {self.detail}".strip()

    @property
    def notebook(self) -> str:
        """The notebook file that teaches the rule, e.g. "02_layers.ipynb"."""
        return rule(self.rule_id).section.file

    @property
    def path(self) -> str:
        """The notebook's path from the repository root."""
        return f"notebooks/{self.notebook}"


def notes(spec: CallSpec, padded_lengths: tuple[int, ...] | None = None, output_steps: int = 0) -> list[Note]:
    """Every trap this configuration walks into, most basic first.

    padded_lengths: x looked padded (trailing zero steps) and was not packed: each sequence's steps before its zeros.
    output_steps: the padded output's number of steps (max(lengths) when packed).
    """
    found: list[Note] = []

    def add(rule_id: str, detail: str = "") -> None:
        found.append(Note(rule_id, detail))

    d, top = spec.num_directions, spec.num_layers - 1
    add("output-top-layer", f"Here the top layer is layer {top}." if spec.num_layers > 1 else "")
    if spec.num_layers * d > 1:
        rows = f"the last {d} rows of h_n" if d == 2 else "h_n[-1]"
        add(
            "h_n-every-final",
            f"Here h_n[0] is the bottom layer's {'forward ' if spec.bidirectional else ''}final state, not the first "
            f"step; the top layer (layer {top}) is in {rows}.",
        )
    if spec.dropout > 0 and spec.num_layers == 1:
        add(
            "dropout-between-layers",
            f"This module has one layer, so dropout={spec.dropout:g} does nothing here "
            "(torch warned about this when the module was built).",
        )
    if spec.dropout > 0 and spec.num_layers > 1 and spec.training:
        add(
            "dropout-between-layers",
            f"The module is in training mode, so dropout={spec.dropout:g} drops values between layers "
            "and two calls can give different results; call module.eval() before using it for predictions.",
        )
    if spec.bidirectional:
        add(
            "backward-at-step-0",
            f"The backward direction reads the sequence from its end, so its final state is at step 0, in the last "
            f"H_out={spec.h_out} features of output.",
        )
        if spec.seq_len > 1:
            add(*_reading_note(spec))
        add("h_n-minus-1-is-backward", "")
        if spec.num_layers > 1:
            add("swapped-view-mixes", _view_detail(spec))
    if spec.cell == "LSTM":
        add("c_n-not-in-output", "")
    if spec.proj_size:
        add("c_n-shape", f"Here output and h_n have {spec.proj_size} features, c_n has {spec.hidden_size}.")
    if spec.batch_first and not spec.unbatched:
        states = "h_n and c_n stay" if spec.cell == "LSTM" else "h_n stays"
        add(
            "h_n-shape" if spec.packed else "batch_first-moves-x-output",
            f"Here {states} (num_layers * D, N, ...) = ({spec.num_layers * d}, {spec.batch_size}, ...), with N second.",
        )
    if spec.hx_given and not spec.unbatched:
        c_0 = " and c_0 is (num_layers * D, N, hidden_size), like c_n" if spec.cell == "LSTM" else ""
        add(
            "h_0-like-h_n",
            f"You passed hx: h_0 is (num_layers * D, N, H_out), like h_n{c_0}"
            + (", never batch first, even with batch_first=True." if spec.batch_first else "."),
        )
    if spec.unbatched:
        add("unbatched-shapes", "")
    if spec.packed:
        add("packed-zeros-after-end", "h_n holds each sequence's own final state.")
        if spec.given_packed:
            add(
                "pad-packed-batch-first",
                f"The report pads it with the module's own, batch_first={spec.batch_first}.",
            )
        if output_steps and spec.x_steps and output_steps < spec.x_steps:
            add(
                "total-length",
                f"Here x has L = {spec.x_steps} steps but the longest length is {output_steps}, so output has "
                f"{output_steps} steps; pad_packed_sequence(..., total_length={spec.x_steps}) gives x's {spec.x_steps}.",
            )
    if padded_lengths is not None:
        shorter = [f"{n}: {length}" for n, length in enumerate(padded_lengths) if length < spec.seq_len]
        add(
            "padded-reads-padding",
            f"Your x looks padded: sequences end with zero steps (sequence: steps before them, {', '.join(shorter)}), "
            "and no lengths were given.",
        )
    return found


def _reading_note(spec: CallSpec) -> tuple[str, str]:
    """What the backward half of output has read at the last step: one token for one layer only.

    With more layers the top layer reads, at each step, the output of the layer below, whose forward half at the
    last step has read the whole sequence.
    """
    last = "each sequence's own last step" if spec.packed else "the last step"
    if spec.num_layers == 1:
        return (
            "halves-read-their-side",
            f"At {last}, the backward half of output has read one token: the input at that step alone.",
        )
    return (
        "deep-halves-read-everything",
        f"At {last}, the top layer's backward half of output already depends on the whole sequence: with "
        f"num_layers={spec.num_layers}, the top layer reads the output of the layer below, whose forward half "
        "there has read every step.",
    )


def _view_detail(spec: CallSpec) -> str:
    """How to split h_n by layer and direction, said by index order (num_layers > 1, bidirectional)."""
    k, tail = spec.num_layers, (f"{spec.h_out}" if spec.unbatched else f"{spec.batch_size}, {spec.h_out}")
    text = (
        f"Split h_n with h_n.view({k}, 2, {tail}) and index it [layer, direction], "
        "layer first, as the rows of h_n go layer 0 forward, layer 0 backward, layer 1 forward, and so on: "
        "its [0, 1] is layer 0's backward state, not layer 1's forward one."
    )
    if k != 2:  # with two layers, view(2, num_layers, ...) is the same call: only the index order can go wrong
        text += (
            f" h_n.view(2, {k}, {tail}) runs too, but its [0, 1] is the same row, layer 0's backward state: "
            "its first index is not the direction."
        )
    return text
