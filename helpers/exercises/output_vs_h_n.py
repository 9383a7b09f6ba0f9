"""Checkers for notebook 01's exercises: each runs the learner's answer on several configurations."""

from __future__ import annotations

from collections.abc import Callable
from numbers import Integral

import numpy as np
import torch

from ..models import RNNConfig, RNNRun, run
from ..states import BACKWARD, FORWARD, final_state_from_output, sequence_summary, time_major
from .answers import describe_object
from .core import Case, check_function, check_shapes
from .named import Mistakes, not_a, prediction_message, verify_with_mistakes

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
# The module of the predict-the-shapes exercise: time first (the default), where section 1 was batch first.
INTEGER_DTYPES = (torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8, np.dtype("int64"), np.dtype("int32"))
PREDICTED = RNNConfig("gru", input_size=6, hidden_size=10, num_layers=4, bidirectional=True)
PREDICTED_INPUT = (3, 12, 6)  # x: (L, N, H_in): 3 steps, 12 sequences


# check_backward_final and check_h_n_batch_first were notebook 01's exercises 4 and 3 (now both_finals and
# reshape_blocks, which a learner cannot copy from a cell above). They stay as working checkers: the tests of the
# shared runner (core) use them as their examples.
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


def _summary_shape_hint(got: torch.Tensor, r: RNNRun) -> str | None:
    """Only for an answer that is one sequence's column of h_n, h_n[:, n]: rows of h_n read as if they were steps."""
    rows, N, _ = r.h_n.shape
    if tuple(got.shape) == (rows, r.h_n.shape[-1]) and any(torch.equal(got, r.h_n[:, n].detach()) for n in range(N)):
        return (
            "your answer is h_n[:, n], sequence n's final states, one row per (layer, direction). The task wants "
            "every sequence: pick rows of h_n with the first index, h_n[k], which holds all N sequences."
        )
    return None


def check_classifier_summary(answer: Callable | None) -> None:
    """Exercise 5: classifier_summary(h_n) returns the (N, 2 * H_out) summary of a bidirectional LSTM."""
    verify_with_mistakes(
        answer,
        name="classifier_summary",
        signature="classifier_summary(h_n)",
        cases=SUMMARY_CASES,
        call=lambda f, r: f(r.h_n),
        expected=lambda r: sequence_summary(r.h_n, bidirectional=True),
        wanted=lambda r: (
            "the top layer's forward final state, then its backward one, side by side: "
            "(N, 2 * H_out), one row per sequence"
        ),
        section=SECTIONS["bidirectional"],
        success="forward then backward final state of the top layer, one row per sequence",
        mistakes={},  # the shared diagnosis names the usual ones (swapped halves, wrong layer, stack, dim=0)
        shape_hint=_summary_shape_hint,
        say_what_changed=False,
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
    """Exercise 1: predict output's and h_n's shapes for a time-first 4-layer bidirectional GRU on x (3, 12, 6)."""
    L, N, _ = PREDICTED_INPUT
    r = run(PREDICTED, seq_len=L, batch_size=N)  # the shapes come from torch itself
    check_shapes(
        answer,
        name="predicted_shapes",
        expected={"output": tuple(r.output.shape), "h_n": tuple(r.h_n.shape)},
        section=SECTIONS["shapes"],
        success="time first, output is (L, N, D * H_out); h_n is (num_layers * D, N, H_out) whatever batch_first says",
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
    """Exercise 2: rows_not_in_output(num_layers, bidirectional) lists the rows of h_n that output never shows."""
    kwargs = dict(
        name="rows_not_in_output",
        signature="rows_not_in_output(num_layers, bidirectional)",
        call=lambda f, r: f(r.config.num_layers, r.config.bidirectional),
        expected=rows_not_in_output,
        judge=_judge_rows,
        wanted="the rows of h_n that appear nowhere in output: every row of the layers below the top",
        section=SECTIONS["rows"],
        success="those rows hold the lower layers, which output never shows",
    )
    # The runner's note on an answer right on earlier configurations speaks of what changed (num_layers,
    # bidirectional) for this exercise, not of a number written into the code: its answer gets only sizes.
    check_function(answer, cases=ROWS_CASES, **kwargs)


# Exercise 3: predict what h_n.reshape(N, -1) puts in each row, for a 3-layer one-direction GRU and 2 sequences.
RESHAPE_CONFIG = RNNConfig("gru", input_size=4, hidden_size=2, num_layers=3, seed=7)
RESHAPE_N = 2
RESHAPE_EXAMPLE = "a list of N = 2 rows, each a list of 3 (layer, sequence) pairs, like [[(l, n), (l, n), (l, n)], ...]"


def reshape_blocks() -> list[list[tuple[int, int]]]:
    """Which (layer, sequence) of h_n each H_out-wide block of h_n.reshape(N, -1) holds, found by torch.equal."""
    r = run(RESHAPE_CONFIG, seq_len=4, batch_size=RESHAPE_N)
    h_n = r.h_n.detach()  # (num_layers, N, H_out)
    H = RESHAPE_CONFIG.h_out
    flat = h_n.reshape(RESHAPE_N, -1)  # (N, num_layers * H_out)
    rows = []
    for n in range(RESHAPE_N):
        blocks = flat[n].split(H)
        pairs = [
            (k, m)
            for block in blocks
            for k in range(h_n.shape[0])
            for m in range(RESHAPE_N)
            if torch.equal(block, h_n[k, m])
        ]
        if len(pairs) != len(blocks):  # every block must be exactly one state, or the exercise is wrong
            raise RuntimeError(f"row {n} of h_n.reshape(N, -1) is not made of whole states of h_n")
        rows.append(pairs)
    return rows


def _pairs(answer: object) -> list[list[tuple[int, int]]] | None:
    """The answer as rows of (layer, sequence) pairs of ints, or None if it is not shaped like that."""
    if not isinstance(answer, (list, tuple)):
        return None
    rows = []
    for row in answer:
        if not isinstance(row, (list, tuple)):
            return None
        pairs = []
        for pair in row:
            if (
                not isinstance(pair, (list, tuple))
                or len(pair) != 2
                or not all(isinstance(v, Integral) and not isinstance(v, bool) for v in pair)
            ):
                return None
            pairs.append((int(pair[0]), int(pair[1])))
        rows.append(pairs)
    return rows


def check_reshape_blocks(answer) -> None:
    """Exercise 3: predict which (layer, sequence) each block of h_n.reshape(N, -1) holds, for 3 layers and N = 2."""
    section = SECTIONS["batch_first"]
    if answer is None:
        print(f"Not answered yet: set reshape_blocks to {RESHAPE_EXAMPLE}.")
        return
    got = _pairs(answer)
    if got is None:
        raise not_a("reshape_blocks", answer, RESHAPE_EXAMPLE)
    want = reshape_blocks()
    if got == want:
        print(
            "Correct: reshape reads h_n in the order it is stored, layer 0's sequences first, so a row of "
            "h_n.reshape(N, -1) can hold several sequences and even cross into the next layer."
        )
        return
    layers = RESHAPE_CONFIG.num_layers
    per_sequence = [[(k, n) for k in range(layers)] for n in range(RESHAPE_N)]
    lines = []
    if [len(row) for row in got] != [len(row) for row in want]:
        lines.append(
            f"h_n.reshape(N, -1) has N = {RESHAPE_N} rows of num_layers * H_out numbers: {layers} blocks of H_out "
            f"each, so the answer needs {RESHAPE_N} rows of {layers} pairs."
        )
    elif got == per_sequence:
        lines.append(
            "That is what h_n.transpose(0, 1).reshape(N, -1) gives: one sequence per row. reshape alone does not "
            "move the batch: it reads the numbers in the order they are stored, h_n[0, 0], h_n[0, 1], h_n[1, 0], "
            "..., and cuts them into N rows."
        )
    elif [[(n, k) for k, n in row] for row in got] == want:
        lines.append("Each pair is (sequence, layer); the task asks for (layer, sequence).")
    else:
        for n, (mine, right) in enumerate(zip(got, want)):
            for b, (g, w) in enumerate(zip(mine, right)):
                if g != w:
                    lines.append(f"Row {n}, block {b}: you said h_n[{g[0]}, {g[1]}], it is h_n[{w[0]}, {w[1]}].")
        lines.append(
            "reshape reads h_n in the order it is stored (layer by layer, each layer's sequences in order) and "
            "cuts that run of numbers into N rows."
        )
    raise prediction_message("reshape_blocks", lines, want, got, section)


# Exercise 4: both final states of the top layer, from a time-first output of a packed batch.
BOTH_CASES = [
    Case(
        RNNConfig("gru", input_size=4, hidden_size=3, num_layers=2, bidirectional=True, seed=61),
        seq_len=6,
        batch_size=3,
        lengths=(6, 2, 4),
    ),
    Case(
        RNNConfig("lstm", input_size=3, hidden_size=4, num_layers=1, bidirectional=True, seed=62),
        seq_len=5,
        batch_size=2,
        lengths=(3, 5),
    ),
    Case(
        RNNConfig("lstm", input_size=3, hidden_size=5, num_layers=3, bidirectional=True, proj_size=2, seed=63),
        seq_len=7,
        batch_size=4,
        lengths=(7, 7, 1, 5),
    ),
]


def _halves(r: RNNRun) -> tuple[torch.Tensor, int, torch.Tensor]:
    out, H = r.output.detach(), r.config.h_out  # out: (L, N, 2 * H_out)
    return out, H, torch.arange(out.shape[1])


def _forward_at(r: RNNRun, steps: torch.Tensor) -> torch.Tensor:
    out, H, n = _halves(r)
    return out[steps, n, :H]


def _backward_at(r: RNNRun, steps: torch.Tensor) -> torch.Tensor:
    out, H, n = _halves(r)
    return out[steps, n, H:]


def _cat(*parts: torch.Tensor) -> torch.Tensor:
    return torch.cat(parts, dim=-1)


def _lengths(r: RNNRun) -> torch.Tensor:
    return r.lengths  # (N,)


BOTH_MISTAKES: Mistakes = {
    "last_step": (
        lambda r: _cat(
            _forward_at(r, torch.full_like(_lengths(r), -1)), _backward_at(r, torch.zeros_like(_lengths(r)))
        ),
        "the forward half is taken at the tensor's last step, output[-1]. In a packed batch a shorter sequence's "
        "forward pass stops at its own last valid step, lengths[n] - 1 (padded back, output holds zeros after it).",
    ),
    "both_at_last_valid": (
        lambda r: _cat(_forward_at(r, _lengths(r) - 1), _backward_at(r, _lengths(r) - 1)),
        "both halves are taken at each sequence's last valid step. The forward half is final there, but the "
        "backward pass starts there and ends at step 0: its final state is output[0], second half.",
    ),
    "swapped": (
        lambda r: _cat(_backward_at(r, torch.zeros_like(_lengths(r))), _forward_at(r, _lengths(r) - 1)),
        "the right two states, in the wrong order: forward first, then backward (as in output and in h_n).",
    ),
    "first_half_at_0": (
        lambda r: _cat(_forward_at(r, _lengths(r) - 1), _forward_at(r, torch.zeros_like(_lengths(r)))),
        "the second state is the forward half of step 0. The backward final state is step 0's second half, "
        "the last H_out features.",
    ),
}


def _both_shape_hint(got: torch.Tensor, r: RNNRun) -> str | None:
    L, N, width = r.output.shape
    if got.dim() >= 1 and got.shape[0] == L and L != N:
        return (
            f"your answer has one row per time step (L = {L}) where one row per sequence (N = {N}) is wanted: "
            "this output is time first, (L, N, 2 * H_out), so the step is the first index and the sequence the second."
        )
    if got.dim() == 2 and got.shape[0] == N and got.shape[1] == width // 2:
        return "your answer has H_out features: the task wants both final states side by side, 2 * H_out."
    return None


def _both_index_error(answer: Callable, r: RNNRun, error: Exception) -> str | None:
    if isinstance(error, RuntimeError) and "same number of dimensions" in str(error):
        return (
            "torch.cat got pieces of different shapes; each state should be (N, H_out). To take step lengths[n] - 1 "
            "of each sequence n, index the step and the sequence together, output[lengths - 1, torch.arange(N)]: "
            "output[lengths - 1] alone takes every sequence at each of those steps."
        )
    if isinstance(error, IndexError) and "out of bounds" in str(error):
        return (
            "If you took a step from lengths, mind that a sequence of length n has steps 0 to n - 1: its last "
            "valid step is lengths[n] - 1."
        )
    return None


def check_both_finals(answer: Callable | None) -> None:
    """Exercise 4: both_finals(output, lengths): the top layer's two final states, time first and packed."""
    verify_with_mistakes(
        answer,
        name="both_finals",
        signature="both_finals(output, lengths)",
        cases=BOTH_CASES,
        call=lambda f, r: f(r.output, r.lengths),
        expected=lambda r: sequence_summary(r.h_n, bidirectional=True),
        wanted=lambda r: (
            "the top layer's forward final state, then its backward one, side by side, one row per "
            "sequence: (N, 2 * H_out)"
        ),
        section=SECTIONS["bidirectional"] + ", with section 2 for packed batches",
        success="forward at each sequence's last valid step, backward at step 0: the top layer's two final states",
        mistakes=BOTH_MISTAKES,
        shape_hint=_both_shape_hint,
        explain_error=_both_index_error,
        say_what_changed=False,
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
