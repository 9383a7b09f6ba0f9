"""Checkers for notebook 05's exercises: shapes with batch_first and unbatched input, and h_0 from one row per sequence."""

from __future__ import annotations

import torch

from ..models import RNNConfig, RNNRun, run
from .core import Case, check_shapes
from .named import Mistakes, verify_with_mistakes

# Exercise 1's module: nn.GRU(3, 5, num_layers=2, bidirectional=True, batch_first=True), x (3, 9, 3)
BATCH_FIRST_CONFIG = RNNConfig(
    cell="gru", input_size=3, hidden_size=5, num_layers=2, bidirectional=True, batch_first=True
)
# Exercise 2's module: nn.LSTM(3, 6, num_layers=3, proj_size=2, batch_first=True), one sequence x (9, 3)
UNBATCHED_CONFIG = RNNConfig(cell="lstm", input_size=3, hidden_size=6, num_layers=3, proj_size=2, batch_first=True)
# Exercise 3's modules: the first has more sequences than rows of h_0, so a batch-first h_0 shows in its shape; the
# third has as many (N = num_layers * D = 2), the case where a batch-first h_0 runs without an error (section 3)
TO_H_0_CASES = [
    Case(RNNConfig(cell="gru", input_size=4, hidden_size=3, num_layers=2, batch_first=True, seed=51), 5, 3),
    Case(
        RNNConfig(
            cell="lstm",
            input_size=3,
            hidden_size=4,
            num_layers=2,
            bidirectional=True,
            proj_size=2,
            batch_first=True,
            seed=52,
        ),
        4,
        3,
    ),
    Case(RNNConfig(cell="rnn", input_size=2, hidden_size=4, bidirectional=True, seed=53), 3, 2),
    Case(RNNConfig(cell="gru", input_size=3, hidden_size=2, num_layers=3, seed=54), 4, 4),
]


def check_batch_first_shapes(answer) -> None:
    """Exercise 1: output, h_n and the h_0 to pass, for a batch-first bidirectional GRU; from a real run."""
    r = run(BATCH_FIRST_CONFIG, seq_len=9, batch_size=3)
    h_0 = torch.zeros_like(r.h_n)
    r.module(r.x, h_0)  # torch accepts it: this really is the shape to pass
    check_shapes(
        answer,
        name="batch_first_shapes",
        expected={"output": tuple(r.output.shape), "h_n": tuple(r.h_n.shape), "h_0": tuple(h_0.shape)},
        section="05, sections 1 and 2 (batch_first moves the batch axis of x and output only)",
        config=BATCH_FIRST_CONFIG,
        success="batch_first puts N first in x and output, never in h_0 or h_n",
    )


def check_unbatched_shapes(answer) -> None:
    """Exercise 2: one unbatched sequence through a projected LSTM with batch_first=True; from a real run."""
    r = run(UNBATCHED_CONFIG, seq_len=9, unbatched=True)
    check_shapes(
        answer,
        name="unbatched_shapes",
        expected={"output": tuple(r.output.shape), "h_n": tuple(r.h_n.shape), "c_n": tuple(r.c_n.shape)},
        section="05, section 4 (one unbatched sequence) and 04, section 3 (proj_size)",
        config=UNBATCHED_CONFIG,
        success="no batch axis anywhere, batch_first has nothing to move, and c_n keeps hidden_size",
    )


def per_sequence_rows(r: RNNRun) -> torch.Tensor:
    """What Exercise 3 gives the learner: one row per sequence, (N, num_layers * D * H_out), as in section 6."""
    return r.h_n.detach().transpose(0, 1).reshape(r.h_n.shape[1], -1)


def _rows_count(r: RNNRun) -> int:
    return r.config.num_layers * r.config.num_directions


def _to_h_0_mistakes() -> Mistakes:
    """Exercise 3's likely mistakes, each with the tensor it gives on a run (None where it gives no tensor)."""

    def unless_right(make):  # a mistake that happens to give the right tensor on a run names nothing there
        def wrong(r: RNNRun):
            got = make(r)
            return None if got is None or (got.shape == r.h_n.shape and torch.equal(got, r.h_n)) else got

        return wrong

    rows = per_sequence_rows
    n_of = lambda r: r.h_n.shape[1]  # noqa: E731
    return {
        "reshape_only": (
            unless_right(lambda r: rows(r).reshape(_rows_count(r), n_of(r), -1)),
            "rows.reshape(num_layers * D, N, H_out) has the right shape, but reshape regroups the numbers in "
            "memory order, where each sequence's states come one after the other: its first rows take two pieces of "
            "sequence 0. Cut each row into its num_layers * D pieces first, (N, num_layers * D, H_out), then move "
            "the batch axis to the middle.",
        ),
        "batch_first": (
            unless_right(lambda r: rows(r).reshape(n_of(r), _rows_count(r), -1)),
            "that is (N, num_layers * D, H_out), with the batch first. h_0 is never batch first, even for a module "
            "made with batch_first=True: it is laid out like h_n, (num_layers * D, N, H_out). When N equals "
            "num_layers * D the module even runs with it, from the wrong start states (section 3).",
        ),
        "layers_only": (
            unless_right(lambda r: rows(r).reshape(n_of(r), r.config.num_layers, -1).transpose(0, 1)),
            "that has num_layers rows, each D * H_out wide. h_0 has one row per layer and direction: "
            "num_layers * D rows (D = 2 with bidirectional=True), each H_out wide, and H_out is proj_size when it is "
            "set, not hidden_size.",
        ),
        "one_row": (
            unless_right(lambda r: rows(r).unsqueeze(0)),
            "that is one row holding all of each sequence's states side by side. h_0 has num_layers * D rows, each "
            "H_out wide: cut each row of rows into its num_layers * D pieces.",
        ),
    }


def _explain_to_h_0(answer, r: RNNRun, error: Exception) -> str | None:
    """The sizes behind a reshape that cannot fit, in the exercise's words."""
    if isinstance(error, RuntimeError) and any(word in str(error) for word in ("shape", "size", "view")):
        n, width = per_sequence_rows(r).shape
        return (
            f"Here rows is ({n}, {width}): {n} sequences, each row num_layers * D * H_out = "
            f"{r.config.num_layers} * {r.config.num_directions} * {r.config.h_out} = {width} numbers wide. "
            f"Read num_layers and D from the module (module.num_layers, module.bidirectional) and let -1 stand for "
            f"H_out, which is proj_size when it is set."
        )
    if isinstance(error, AttributeError):
        return (
            "The module's settings are module.num_layers, module.bidirectional, module.hidden_size, module.proj_size."
        )
    return None


def check_rows_to_h_0(answer) -> None:
    """Exercise 3: rows_to_h_0(rows, module) turns one row per sequence back into the h_0 the module takes."""
    verify_with_mistakes(
        answer,
        name="rows_to_h_0",
        signature="rows_to_h_0(rows, module)",
        cases=TO_H_0_CASES,
        call=lambda f, r: f(per_sequence_rows(r), r.module),
        expected=lambda r: r.h_n,  # rows came from h_n: the wanted h_0 is h_n itself, laid out as h_n is
        wanted=lambda r: (
            f"the h_n the rows were made from, {tuple(r.h_n.shape)} = (num_layers * D, N, H_out), to pass as h_0: "
            f"h_n[k, n] is the k-th H_out-wide piece of rows[n]"
        ),
        section="05, section 6 (one row per sequence) and section 2 (h_0 is never batch first)",
        success="h_0 is laid out like h_n, batch second, whatever batch_first says, and each sequence gets its own "
        "states back",
        mistakes=_to_h_0_mistakes(),
        explain_error=_explain_to_h_0,
    )
