"""Checkers for notebook 00: the warm-up shapes, the checker demonstration, and where h_n's rows end when packed."""

from __future__ import annotations

from numbers import Integral

import torch

from ..models import RNNConfig, run
from ..unroll import unroll_module
from .core import Case
from .named import Mistakes, not_a, prediction_message, verify_with_mistakes
from .shapes import check_shapes

# The warm-up's module: nn.LSTM(input_size=4, hidden_size=6, num_layers=4) on x of shape (7, 3, 4) = (L, N, H_in).
GRID_SHAPES_CONFIG = RNNConfig(cell="lstm", input_size=4, hidden_size=6, num_layers=4)
GRID_SHAPES_INPUT = (7, 3, 4)


def check_grid_shapes(answer: dict | None) -> None:
    """Warm-up: predict output's and h_n's shapes for a 4-layer LSTM over 7 steps, from the grid picture."""
    seq_len, batch_size, _ = GRID_SHAPES_INPUT
    r = run(GRID_SHAPES_CONFIG, seq_len=seq_len, batch_size=batch_size)  # the shapes come from torch itself
    check_shapes(
        answer,
        name="grid_shapes",
        expected={"output": tuple(r.output.shape), "h_n": tuple(r.h_n.shape)},
        section="00, section 4 (one direction: the top row is output, the last column h_n)",
        success="output has one state per step (the top row), h_n one per layer (the last column), each (N, H_out)",
    )


# The demonstration of a checker's message: a task the notebook has already answered in section 4 (h_n[-1]).
TOP_CASES = [
    Case(RNNConfig("gru", input_size=4, hidden_size=3, num_layers=3, seed=1), seq_len=5, batch_size=2),
    Case(RNNConfig("lstm", input_size=3, hidden_size=4, num_layers=2, seed=2), seq_len=4, batch_size=3),
]
TOP_MISTAKES: Mistakes = {
    "bottom": (
        lambda r: r.h_n[0],
        "that is h_n[0], the bottom layer's final state (layer 0, the one that reads x). h_n's rows go from the "
        "bottom layer up, so the top layer is the last row.",
    ),
    "first_step": (
        lambda r: r.output[0],
        "that is output[0], the top layer at step 0 (output is time first here): its first step, not its last.",
    ),
}


def check_top_layer_final(answer) -> None:
    """The demonstration task: top_layer_final(h_n) returns the top layer's final state, one direction."""
    verify_with_mistakes(
        answer,
        name="top_layer_final",
        signature="top_layer_final(h_n)",
        cases=TOP_CASES,
        call=lambda f, r: f(r.h_n),
        expected=lambda r: r.h_n[-1],
        wanted=lambda r: "the top layer's final state, (N, H_out): the top right box of the grid",
        section="00, section 4 (the last column is h_n, bottom layer first)",
        success="the top layer's final state is the last row of h_n",
        mistakes=TOP_MISTAKES,
        say_what_changed=False,
    )


# Exercise 2: a 2-layer bidirectional GRU on a packed batch padded to 6 steps; sequence 1 has 4 valid steps.
PACKED_CONFIG = RNNConfig("gru", input_size=4, hidden_size=3, num_layers=2, bidirectional=True, seed=0)
PACKED_SEQ_LEN, PACKED_LENGTHS, PACKED_SEQUENCE = 6, (6, 4), 1
PACKED_SECTION = "00, section 5 (two directions and packed batches)"
DIRECTIONS = ("forward", "backward")


def packed_steps() -> list[int]:
    """For the packed sequence, the step of the grid at which each row of h_n was computed, found by torch."""
    r = run(PACKED_CONFIG, seq_len=PACKED_SEQ_LEN, batch_size=len(PACKED_LENGTHS), lengths=PACKED_LENGTHS)
    n, length = PACKED_SEQUENCE, PACKED_LENGTHS[PACKED_SEQUENCE]
    boxes = unroll_module(r.module, r.x[:length, n : n + 1]).hidden  # its valid steps alone: (layers, D, L', 1, H)
    steps = []
    for k, state in enumerate(r.h_n[:, n].detach()):  # h_n: (num_layers * D, N, H_out)
        layer, direction = divmod(k, PACKED_CONFIG.num_directions)
        found = [t for t in range(length) if torch.allclose(boxes[layer, direction, t, 0], state, atol=1e-6)]
        if len(found) != 1:  # the course's claim would be wrong: fail loudly rather than check against it
            raise RuntimeError(f"row {k} of h_n matches steps {found} of its sequence, not exactly one")
        steps.append(found[0])
    return steps


def _row(k: int) -> str:
    layer, direction = divmod(k, PACKED_CONFIG.num_directions)
    return f"row {k} (layer {layer}, {DIRECTIONS[direction]})"


def check_packed_steps(answer) -> None:
    """Exercise 2: predict, for sequence 1 of the packed batch, the step at which each row of h_n was computed."""
    example = "a list of whole numbers, one step per row of h_n, in h_n's order"
    if answer is None:
        print(f"Not answered yet: set packed_steps to {example}.")
        return
    if not isinstance(answer, (list, tuple)) or not all(
        isinstance(v, Integral) and not isinstance(v, bool) for v in answer
    ):
        raise not_a("packed_steps", answer, example)
    want = packed_steps()
    got = [int(v) for v in answer]
    last, valid = PACKED_SEQ_LEN - 1, PACKED_LENGTHS[PACKED_SEQUENCE] - 1
    rows = len(want)
    if len(got) != rows:
        raise prediction_message(
            "packed_steps",
            [
                f"h_n has num_layers * D = {PACKED_CONFIG.num_layers} * 2 = {rows} rows, one per layer and direction "
                f"(forward, then backward, for each layer), so the list needs {rows} numbers, not {len(got)}."
            ],
            want,
            got,
            PACKED_SECTION,
        )
    if got == want:
        print(
            "Correct: packed, each forward row ends at the sequence's own last valid step (lengths[1] - 1 = "
            f"{valid}) and each backward row at step 0."
        )
        return
    lines = []
    outside = [v for v in got if not 0 <= v <= last]
    if outside:
        lines.append(f"Step {outside[0]} does not exist: the padded tensor has steps 0 to {last}.")
    elif got == [want[k] for k in (0, 2, 1, 3)] and got != want:
        lines.append(
            "You listed the directions first. h_n's rows go layer by layer, forward then backward inside each "
            "layer: row 2 * layer + direction."
        )
    else:
        for k, (g, w) in enumerate(zip(got, want)):
            if g == w:
                continue
            forward = k % 2 == 0
            if forward and g == last:
                why = (
                    f"step {last} is the padded tensor's last step; packed, the forward pass of sequence 1 stops at "
                    f"its own last valid step, lengths[1] - 1 = {valid}"
                )
            elif forward:
                why = f"the forward pass reads steps 0 to {valid} and ends at step {valid}"
            else:
                why = (
                    f"the backward pass starts at the sequence's last valid step ({valid}) and reads down to "
                    "step 0, where it ends"
                )
            lines.append(f"{_row(k).capitalize()}: you said step {g}, it is step {w}: {why}.")
    raise prediction_message("packed_steps", lines, want, got, PACKED_SECTION)
