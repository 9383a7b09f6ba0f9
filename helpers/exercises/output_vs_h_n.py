"""Checkers for notebook 01's exercises: each runs the learner's answer on several configurations."""

from __future__ import annotations

from collections.abc import Callable
from numbers import Integral

import numpy as np
import torch

from ..models import RNNConfig, RNNRun
from ..states import BACKWARD, FORWARD, final_state_from_output, sequence_summary, time_major
from .answers import describe_object
from .core import Case, check_function, check_shapes

# Where notebook 01 explains each idea; one place to update if its sections move.
SECTIONS = {
    "shapes": "notebook 01, section 1 (why output and h_n can look like transposes)",
    "batch_first": "notebook 01, section 3 (reading h_n by layer and direction, and making it batch-first)",
    "rows": "notebook 01, sections 2 and 4 (the tags beside h_n say which rows appear in output)",
    "bidirectional": "notebook 01, section 4 (bidirectional: two final states, at opposite ends)",
    "last_step": "notebook 01, section 6 (two slips in the top answer)",
}

# Several configurations each, so that a size written into the code, or a lucky value, cannot pass.
BACKWARD_CASES = [
    Case(RNNConfig("gru", input_size=4, hidden_size=3, num_layers=2, bidirectional=True, batch_first=True, seed=11)),
    Case(
        RNNConfig("lstm", input_size=3, hidden_size=4, num_layers=1, bidirectional=True, batch_first=True, seed=12),
        seq_len=3,
        batch_size=3,
    ),
    Case(
        RNNConfig(
            "lstm",
            input_size=3,
            hidden_size=5,
            num_layers=2,
            bidirectional=True,
            batch_first=True,
            proj_size=2,
            seed=13,
        ),
        seq_len=4,
        batch_size=3,
        lengths=(4, 2, 3),
    ),
]
SUMMARY_CASES = [
    Case(
        RNNConfig("lstm", input_size=4, hidden_size=3, num_layers=2, bidirectional=True, batch_first=True, seed=21),
        seq_len=4,
    ),
    Case(
        RNNConfig("lstm", input_size=3, hidden_size=2, num_layers=3, bidirectional=True, seed=22),
        seq_len=6,
        batch_size=3,
    ),
    Case(
        RNNConfig("lstm", input_size=3, hidden_size=4, num_layers=1, bidirectional=True, seed=23),
        seq_len=5,
        batch_size=3,
        lengths=(5, 3, 2),
    ),
]
LAST_STEP_CASES = [
    Case(RNNConfig("gru", input_size=8, hidden_size=5, num_layers=3, batch_first=True, seed=31), seq_len=7),
    Case(
        RNNConfig("lstm", input_size=4, hidden_size=3, num_layers=1, batch_first=True, seed=32), seq_len=4, batch_size=6
    ),
]
ROWS_CASES = [
    Case(RNNConfig("gru", input_size=3, hidden_size=3, num_layers=2, seed=41)),
    Case(RNNConfig("gru", input_size=3, hidden_size=3, num_layers=1, bidirectional=True, seed=42)),
    Case(RNNConfig("lstm", input_size=3, hidden_size=4, num_layers=3, bidirectional=True, batch_first=True, seed=43)),
    Case(RNNConfig("rnn", input_size=3, hidden_size=2, num_layers=1, seed=44)),
]
BATCH_FIRST_CASES = [
    Case(
        RNNConfig("gru", input_size=8, hidden_size=5, num_layers=3, bidirectional=True, batch_first=True, seed=51),
        seq_len=7,
        batch_size=4,
    ),
    Case(RNNConfig("lstm", input_size=3, hidden_size=4, num_layers=1, batch_first=True, seed=52), batch_size=3),
    Case(RNNConfig("rnn", input_size=3, hidden_size=3, num_layers=2, bidirectional=True, seed=53), batch_size=4),
]
# The module of the predict-the-shapes exercise, and the input it gets.
INTEGER_DTYPES = (torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8, np.dtype("int64"), np.dtype("int32"))
PREDICTED = RNNConfig("gru", input_size=8, hidden_size=50, num_layers=3, bidirectional=True, batch_first=True)
PREDICTED_INPUT = (4, 7, 8)  # x: (N, L, H_in)


def check_backward_final(answer: Callable | None) -> None:
    """Exercise: backward_final(output) cuts the top layer's backward final state out of output."""
    check_function(
        answer,
        name="backward_final",
        signature="backward_final(output)",
        cases=BACKWARD_CASES,
        call=lambda f, r: f(r.output),
        expected=lambda r: final_state_from_output(r, -1, BACKWARD),
        wanted="the top layer's backward final state, one row per sequence: the backward half of output "
        "at step 0 (it equals h_n[-1])",
        section=SECTIONS["bidirectional"],
        success="your slice of output equals the top layer's backward final state in h_n",
    )


def check_classifier_summary(answer: Callable | None) -> None:
    """Exercise: classifier_summary(h_n) returns the (N, 2 * H_out) summary of a bidirectional LSTM."""
    check_function(
        answer,
        name="classifier_summary",
        signature="classifier_summary(h_n)",
        cases=SUMMARY_CASES,
        call=lambda f, r: f(r.h_n),
        expected=lambda r: sequence_summary(r.h_n, bidirectional=True),
        wanted="the top layer's forward final state, then its backward one, side by side: "
        "(N, 2 * H_out), one row per sequence",
        section=SECTIONS["bidirectional"],
        success="forward then backward final state of the top layer, one row per sequence",
    )


def _last_step_index_error(answer: Callable, r: RNNRun, error: Exception) -> str | None:
    """Name the off-by-one if the answer, given one extra step, returns exactly that step."""
    out = r.output  # (N, L, H_out)
    extra = torch.full_like(out[:, :1], 7.0)  # a step L that output does not have
    try:
        got = answer(torch.cat([out, extra], dim=1), out.shape[1])
    except Exception:  # it fails for another reason: the plain message is all we can say
        return None
    if isinstance(got, torch.Tensor) and got.shape == extra[:, 0].shape and torch.equal(got, extra[:, 0]):
        return "Off by one: with L steps, the steps are numbered 0 to L - 1, so the last one is L - 1 (or -1)."
    return None


def check_last_step(answer: Callable | None) -> None:
    """Exercise: last_step(output, L) fixes the top answer's output[:, S, :] (S is its L; one direction, batch_first)."""
    check_function(
        answer,
        name="last_step",
        signature="last_step(output, L)",
        cases=LAST_STEP_CASES,
        call=lambda f, r: f(r.output, r.output.shape[1]),
        expected=lambda r: final_state_from_output(r, -1, FORWARD),
        wanted="output at the last step, one row per sequence (it equals h_n[-1])",
        section=SECTIONS["last_step"],
        explain_error=_last_step_index_error,
        success="output's last step equals the top layer's final state h_n[-1]",
    )


def check_predicted_shapes(answer: dict | None) -> None:
    """Exercise: predict output's and h_n's shapes for a 3-layer bidirectional batch-first GRU on x (4, 7, 8)."""
    N, L, _ = PREDICTED_INPUT
    D, H = PREDICTED.num_directions, PREDICTED.h_out
    check_shapes(
        answer,
        name="predicted_shapes",
        expected={"output": (N, L, D * H), "h_n": (PREDICTED.num_layers * D, N, H)},
        section=SECTIONS["shapes"],
        success="output is (N, L, D * H_out) with batch_first=True; h_n is (num_layers * D, N, H_out) "
        "whatever batch_first says",
    )


def rows_not_in_output(r: RNNRun) -> torch.Tensor:
    """Rows of h_n whose state, for every sequence, equals no vector of output: found by equality, not a formula."""
    out = time_major(r).detach()  # (L, N, D * H_out)
    h = r.config.h_out
    halves = out.reshape(out.shape[0], out.shape[1], -1, h)  # (L, N, D, H_out)
    rows = []
    for row, state in enumerate(r.h_n.detach()):  # state: (N, H_out)
        seen = [(halves[:, n] == state[n]).all(dim=-1).any().item() for n in range(state.shape[0])]
        if not all(seen):
            rows.append(row)
    return torch.tensor(rows, dtype=torch.int64)


def _judge_rows(got: object, r: RNNRun, expected: torch.Tensor) -> str | None:
    """None if got names exactly the rows in expected (any order), else what is wrong, row by row."""
    cfg = r.config
    count = cfg.num_layers * cfg.num_directions
    if isinstance(got, (torch.Tensor, np.ndarray)) and got.ndim <= 1 and got.dtype in INTEGER_DTYPES:
        got = got.tolist() if got.ndim else [got.item()]
    if (
        isinstance(got, (str, bytes))
        or not isinstance(got, (list, tuple, range, set, frozenset))
        or not all(isinstance(i, Integral) and not isinstance(i, bool) for i in got)
    ):
        return (
            f"Your function returned {describe_object(got)}; return a list of row indices of h_n, "
            f"like [0, 1] (or [] if every row appears in output)."
        )
    outside = sorted({int(i) for i in got if not -count <= i < count})
    if outside:
        return f"h_n has {count} rows here (0 to {count - 1}), so row {outside[0]} does not exist."
    mine, want = {int(i) % count for i in got}, set(expected.tolist())

    def who(row: int) -> str:
        layer, direction = divmod(row, cfg.num_directions)
        return f"layer {layer}" + (f", {('forward', 'backward')[direction]}" if cfg.bidirectional else "")

    lines = []
    if cfg.bidirectional and cfg.num_layers > 1 and mine == set(range(cfg.num_layers - 1)) and mine != want:
        lines.append(
            "You listed layers, not rows: h_n has two rows per layer (forward, then backward), "
            "so layer l is rows 2 * l and 2 * l + 1."
        )
    for row in sorted(mine - want):
        lines.append(
            f"Row {row} ({who(row)}) does appear in output: output holds the top layer at every step, "
            f"and its final states are among them."
        )
    for row in sorted(want - mine):
        lines.append(f"Row {row} ({who(row)}) appears nowhere in output: output holds the top layer only.")
    return " ".join(lines) or None


def check_rows_not_in_output(answer: Callable | None) -> None:
    """Exercise: rows_not_in_output(num_layers, bidirectional) lists the rows of h_n that output never shows."""
    check_function(
        answer,
        name="rows_not_in_output",
        signature="rows_not_in_output(num_layers, bidirectional)",
        cases=ROWS_CASES,
        call=lambda f, r: f(r.config.num_layers, r.config.bidirectional),
        expected=rows_not_in_output,
        judge=_judge_rows,
        wanted="the rows of h_n that appear nowhere in output: every row of the layers below the top",
        section=SECTIONS["rows"],
        success="those rows hold the lower layers, which output never shows",
    )


def check_h_n_batch_first(answer: Callable | None) -> None:
    """Exercise: h_n_batch_first(h_n) puts the batch first: (N, num_layers * D, H_out)."""
    check_function(
        answer,
        name="h_n_batch_first",
        signature="h_n_batch_first(h_n)",
        cases=BATCH_FIRST_CASES,
        call=lambda f, r: f(r.h_n),
        expected=lambda r: r.h_n.transpose(0, 1),
        wanted="h_n with the batch first, (N, num_layers * D, H_out): row n holds sequence n's states",
        section=SECTIONS["batch_first"],
        success="each row of your tensor holds one sequence's final states, in h_n's order",
    )
