"""Checkers for notebook 01's exercises: run the student's function on fresh runs, name the likely mistake."""

from __future__ import annotations

from typing import Callable

import torch

from ..models import RNNConfig, RNNRun, run
from ..states import BACKWARD, FORWARD, final_state_from_output, sequence_summary

# Each exercise checks the answer on several sizes, so a hard-coded size or a lucky value cannot pass.
BACKWARD_RUNS = [
    (RNNConfig("gru", input_size=4, hidden_size=3, num_layers=2, bidirectional=True, batch_first=True, seed=11), 5, 2),
    (RNNConfig("lstm", input_size=3, hidden_size=4, num_layers=1, bidirectional=True, batch_first=True, seed=12), 3, 3),
]
SUMMARY_RUNS = [
    (RNNConfig("lstm", input_size=4, hidden_size=3, num_layers=2, bidirectional=True, batch_first=True, seed=21), 4, 2),
    (RNNConfig("lstm", input_size=3, hidden_size=2, num_layers=3, bidirectional=True, batch_first=True, seed=22), 6, 3),
]
LAST_STEP_RUNS = [
    (RNNConfig("gru", input_size=8, hidden_size=5, num_layers=3, batch_first=True, seed=31), 7, 2),
    (RNNConfig("lstm", input_size=4, hidden_size=3, num_layers=1, batch_first=True, seed=32), 4, 6),
]


def _describe(r: RNNRun) -> str:
    cfg = r.config
    kind = ("bidirectional " if cfg.bidirectional else "") + cfg.cell.upper()
    return f"{kind} with num_layers={cfg.num_layers}, hidden_size={cfg.hidden_size}, output {tuple(r.output.shape)}"


def _values(t: torch.Tensor) -> str:
    """The first sequence's numbers (4 decimals), enough to compare by eye."""
    row = t.detach().reshape(t.shape[0], -1)[0] if t.dim() > 1 else t.detach()
    return "[" + ", ".join(f"{v:.4f}" for v in row[:8].tolist()) + (", ...]" if row.numel() > 8 else "]")


def _answered(answer, name: str, signature: str) -> bool:
    """False (after saying so) for None; True for a function; ValueError for anything else."""
    if answer is None:
        print(f"Not answered yet: define {signature} and pass it to check_{name}.")
        return False
    if not callable(answer):
        shown = f"<tensor of shape {tuple(answer.shape)}>" if isinstance(answer, torch.Tensor) else repr(answer)
        hint = "; pass the function itself, not what it returns" if isinstance(answer, torch.Tensor) else ""
        raise ValueError(f"answer={shown} is not allowed: answer must be a function {signature} "
                         f"that returns a tensor, or None while you work on it{hint}")
    return True


def _compare(got, expected: torch.Tensor, mistakes: dict[str, torch.Tensor], where: str) -> None:
    """Raise AssertionError, showing expected vs got and the first named mistake that matches got."""
    if not isinstance(got, torch.Tensor):
        raise AssertionError(f"On {where}: expected a tensor of shape {tuple(expected.shape)}, "
                             f"got {type(got).__name__}.")
    if torch.equal(got, expected):
        return
    likely = next((why for why, wrong in mistakes.items() if wrong.shape == got.shape and torch.equal(got, wrong)),
                  None)
    if likely is None and got.shape != expected.shape:
        likely = "the shape is wrong: check which dimension is time, which is the batch and which are features"
    lines = [
        f"Not yet. On {where}:",
        f"  expected shape {tuple(expected.shape)}, first sequence {_values(expected)}",
        f"  got      shape {tuple(got.shape)}, first sequence {_values(got)}",
        f"Likely mistake: {likely or 'the numbers differ; compare your slice with the picture above'}.",
    ]
    raise AssertionError("\n".join(lines))


def _check(answer, runs, name: str, signature: str, call: Callable, expected_of: Callable, mistakes_of: Callable,
           success: str, explain_index_error: Callable | None = None) -> None:
    """Run answer on every configured run and compare with the helpers' answer; AssertionError if wrong."""
    # Prints "Correct: ..." or "Not answered yet: ..." and returns None, so a notebook cell ending
    # with the check shows only the printed line.
    if not _answered(answer, name, signature):
        return
    for config, seq_len, batch_size in runs:
        r = run(config, seq_len=seq_len, batch_size=batch_size)
        where = _describe(r)
        try:
            got = call(answer, r)
        except IndexError as error:
            why = explain_index_error(answer, r) if explain_index_error else None
            why = why or "an index is past the end of one of the dimensions"
            raise AssertionError(f"Not yet. On {where}: your function raised IndexError: {error}\n"
                                 f"Likely mistake: {why}.") from None
        if got is None:
            print(f"Not answered yet: {signature} returns None; replace None with your answer.")
            return
        _compare(got, expected_of(r), mistakes_of(r), where)
    print(f"Correct: {success} (checked on {len(runs)} runs of different sizes).")


def _backward_mistakes(r: RNNRun) -> dict[str, torch.Tensor]:
    out, H = r.output, r.config.h_out  # out: (N, L, 2 * H_out)
    return {
        "you took the first half at the last step: that is the forward final state (the seed's slip); "
        "the backward direction ends at step 0": out[:, -1, :H],
        "you took the second half at the last step: the backward direction starts there, "
        "having read only the last input; it ends at step 0": out[:, -1, H:],
        "you took the first half at step 0: that is the forward direction after one input": out[:, 0, :H],
        "you kept both halves of step 0: the backward state is only the last H_out features": out[:, 0],
        "you indexed dimension 0 as time, but with batch_first=True it is the batch": out[0, :, H:],
    }


def check_backward_final(answer: Callable | None) -> None:
    """Exercise: backward_final(output) cuts the top layer's backward final state out of output."""
    _check(answer, BACKWARD_RUNS, "backward_final", "backward_final(output)",
                  lambda f, r: f(r.output), lambda r: final_state_from_output(r, -1, BACKWARD), _backward_mistakes,
                  "your slice of output equals the top layer's backward final state in h_n")


def _summary_mistakes(r: RNNRun) -> dict[str, torch.Tensor]:
    h_n = r.h_n  # (num_layers * 2, N, H_out)
    return {
        "you took only h_n[-1]: with two directions that is the top layer's backward state; "
        "the forward one is h_n[-2], concatenate both": h_n[-1],
        "you took only h_n[-2], the top layer's forward state; add the backward one, h_n[-1]": h_n[-2],
        "the halves are swapped: put the forward state h_n[-2] first, as output does":
            torch.cat([h_n[-1], h_n[-2]], -1),
        "you used layer 0, the bottom layer: the top layer is the last two rows of h_n":
            torch.cat([h_n[0], h_n[1]], -1),
        "you concatenated along dim 0, stacking rows; concatenate the features, dim=-1": torch.cat([h_n[-2], h_n[-1]]),
        "reshape mixed up the sequences: h_n[-2:] is (2, N, H_out), reshaping it to (N, 2 * H_out) "
        "pairs rows across the batch; use torch.cat(..., dim=-1)": h_n[-2:].reshape(h_n.shape[1], -1),
    }


def check_classifier_summary(answer: Callable | None) -> None:
    """Exercise: classifier_summary(h_n) returns the (N, 2 * H_out) summary of a bidirectional LSTM."""
    _check(answer, SUMMARY_RUNS, "classifier_summary", "classifier_summary(h_n)",
                  lambda f, r: f(r.h_n), lambda r: sequence_summary(r.h_n, bidirectional=True), _summary_mistakes,
                  "forward then backward final state of the top layer, one row per sequence")


def _last_step_mistakes(r: RNNRun) -> dict[str, torch.Tensor]:
    out = r.output  # (N, L, H_out)
    return {
        "you took step 0, the first step: the final state is at the last step, S - 1": out[:, 0],
        "off by one the other way: S - 2 is the step before the last": out[:, -2],
        "you indexed dimension 0 as time, but with batch_first=True it is the batch": out[-1],
    }


def _last_step_index_error(answer: Callable, r: RNNRun) -> str:
    """Name the off-by-one if the answer, given one extra step, returns exactly that step."""
    out = r.output  # (N, L, H_out)
    extra = torch.full_like(out[:, :1], 7.0)  # a step S that output does not have
    try:
        got = answer(torch.cat([out, extra], dim=1), out.shape[1])
    except Exception:  # it fails for another reason: fall back to the layout hint below
        got = None
    if isinstance(got, torch.Tensor) and torch.equal(got, extra[:, 0]):
        return "off by one: index S is past the end; steps run from 0 to S - 1, so use S - 1 or -1"
    return "an index is past the end: with batch_first=True output is (N, L, H_out), time is dimension 1"


def check_last_step(answer: Callable | None) -> None:
    """Exercise: last_step(output, S) fixes the seed's output[:, S, :] for a batch_first, one-direction run."""
    _check(answer, LAST_STEP_RUNS, "last_step", "last_step(output, S)",
                  lambda f, r: f(r.output, r.output.shape[1]), lambda r: final_state_from_output(r, -1, FORWARD),
                  _last_step_mistakes,
                  "output's last step equals the top layer's final state h_n[-1]", _last_step_index_error)
