"""The traps a configuration walks into, each linked to the notebook that explains it."""

from __future__ import annotations

from dataclasses import dataclass

from .inputs import CallSpec

# The course notebook that explains each topic (links are to files, relative to notebooks/).
NOTEBOOKS = {
    "output_vs_h_n": "01_output_vs_h_n.ipynb",
    "layers": "02_layers.ipynb",
    "bidirectional": "03_bidirectional.ipynb",
    "cell_state": "04_lstm_cell_state.ipynb",
    "batch_first": "05_batch_first_and_unbatched.ipynb",
    "lengths": "06_variable_lengths.ipynb",
}


@dataclass(frozen=True)
class Note:
    """One trap, said in the student's configuration, and the notebook file that explains it."""

    text: str
    notebook: str  # a file name in notebooks/, e.g. "02_layers.ipynb"

    @property
    def path(self) -> str:
        """The notebook's path from the repository root."""
        return f"notebooks/{self.notebook}"


def notes(spec: CallSpec) -> list[Note]:
    """Every trap this configuration walks into, most basic first."""
    found: list[Note] = []

    def add(topic: str, text: str) -> None:
        found.append(Note(text, NOTEBOOKS[topic]))

    add(
        "output_vs_h_n",
        "output holds the top layer at every step; h_n holds every layer at its final step. "
        "They share only the top layer's final states.",
    )
    if spec.num_layers > 1:
        add(
            "layers",
            f"h_n[0] is the bottom layer's {'forward ' if spec.bidirectional else ''}final state, not the first "
            f"step; the top layer is in the last {spec.num_directions} row{'s' if spec.bidirectional else ''} of h_n.",
        )
    if spec.dropout > 0 and spec.num_layers == 1:
        add(
            "layers",
            f"dropout={spec.dropout:g} does nothing here: dropout acts between layers, and this module "
            "has one layer (torch warned about this when the module was built).",
        )
    if spec.dropout > 0 and spec.num_layers > 1 and spec.training:
        add(
            "layers",
            f"The module is in training mode, so dropout={spec.dropout:g} drops values between layers "
            "and two calls can give different results; call module.eval() before using it for predictions.",
        )
    if spec.bidirectional:
        add("bidirectional", _backward_note(spec))
        add(
            "bidirectional",
            "h_n[-1] alone is only the top layer's backward state; join h_n[-2] and h_n[-1] to keep both "
            "directions of the top layer.",
        )
        if spec.num_layers > 1:
            add("bidirectional", _view_note(spec))
    if spec.cell == "LSTM":
        add("cell_state", "c_n holds the cell states, in the same rows as h_n; none of them is in output.")
    if spec.proj_size:
        add(
            "cell_state",
            f"With proj_size={spec.proj_size}, output and h_n are proj_size={spec.proj_size} wide "
            f"(H_out), but c_n keeps hidden_size={spec.hidden_size} (H_cell).",
        )
    if spec.batch_first and not spec.unbatched:
        states = "h_n and c_n stay" if spec.cell == "LSTM" else "h_n stays"
        add(
            "batch_first",
            f"batch_first=True moves the batch axis of x and output only: {states} "
            "(num_layers * D, N, ...), with N second.",
        )
        if spec.hx_given:
            add(
                "batch_first",
                "You passed hx: it is never batch first either, even with batch_first=True. "
                + (
                    "h_0 is (num_layers * D, N, H_out), like h_n, and c_0 is (num_layers * D, N, hidden_size), "
                    "like c_n."
                    if spec.cell == "LSTM"
                    else "It is (num_layers * D, N, H_out), like h_n."
                ),
            )
    if spec.unbatched:
        add(
            "batch_first",
            "x is one sequence with no batch axis, (L, H_in): output is (L, D * H_out) and h_n is "
            "(num_layers * D, H_out), with no N axis anywhere.",
        )
    if spec.packed:
        add(
            "lengths",
            "In the padded output, each sequence's steps after its own length are zeros, so output at "
            "the last step is not the final state of a shorter sequence. h_n holds each sequence's own final state.",
        )
        if spec.given_packed:
            add(
                "lengths",
                "The module's batch_first does not change a PackedSequence; the batch_first you give "
                "pad_packed_sequence decides the padded output's layout (here, the module's own).",
            )
    return found


def _backward_note(spec: CallSpec) -> str:
    """Where the backward direction ends, and what its half of output has read at the last step.

    "Read one token" is exact for one layer only. With more layers the top layer reads, at each step, the output
    of the layer below, whose forward half at the last step has read the whole sequence.
    """
    last = "each sequence's own last step" if spec.packed else "the last step"
    if spec.num_layers == 1:
        return (
            f"The backward direction reads the sequence from its end, so its final state is at step 0, in the last "
            f"H_out={spec.h_out} features of output. At {last}, that half of output has read one token: "
            "the input at that step alone."
        )
    return (
        f"The top layer's backward direction reads the sequence from its end, so its final state is at step 0, in "
        f"the last H_out={spec.h_out} features of output. At {last}, that half of output already depends on "
        f"the whole sequence: with num_layers={spec.num_layers}, the top layer reads the output of the layer "
        "below, whose forward half there has read every step."
    )


def _view_note(spec: CallSpec) -> str:
    """How to split h_n by layer and direction, said by index order (num_layers > 1, bidirectional)."""
    k, tail = spec.num_layers, (f"{spec.h_out}" if spec.unbatched else f"{spec.batch_size}, {spec.h_out}")
    text = (
        f"Split h_n with h_n.view(num_layers, 2, ...) = h_n.view({k}, 2, {tail}) and index it [layer, direction], "
        "layer first, as the rows of h_n go layer 0 forward, layer 0 backward, layer 1 forward, and so on: "
        "its [0, 1] is layer 0's backward state, not layer 1's forward one."
    )
    if k != 2:  # with two layers, view(2, num_layers, ...) is the same call: only the index order can go wrong
        text += (
            f" h_n.view(2, {k}, {tail}) runs too, but its [0, 1] is the same row, layer 0's backward state: "
            "its first index is not the direction."
        )
    return text
