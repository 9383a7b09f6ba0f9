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
    h, found = f"H_out={spec.h_out}", []

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
            f"h_n[0] is the bottom layer's final state, not the first step; the top layer is in the "
            f"last {spec.num_directions} row{'s' if spec.bidirectional else ''} of h_n.",
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
        add(
            "bidirectional",
            f"The backward direction reads the sequence from its end, so its final state is at "
            f"step 0, in the last {h} features of output. At the last step, that half has read one token.",
        )
        add(
            "bidirectional",
            "h_n[-1] alone is only the top layer's backward state; join h_n[-2] and h_n[-1] to keep both directions.",
        )
        if spec.num_layers > 1:
            add(
                "bidirectional",
                f"View h_n as h_n.view(num_layers, 2, ...) = h_n.view({spec.num_layers}, 2, ...); "
                f"h_n.view(2, num_layers, ...) runs too, but mixes layers and directions.",
            )
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
                "It is (num_layers * D, N, H_out), like h_n.",
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
