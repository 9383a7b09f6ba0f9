"""Checkers for notebook 03's exercises: a row of a bidirectional h_n, and one layer's backward half after k tokens."""

from __future__ import annotations

from numbers import Integral

import torch

from ..models import RNNConfig, RNNRun, run
from .core import Case
from .named import Mistakes, not_a, prediction_message, verify_with_mistakes

# Exercise 1: predict what three cells of the wrong view h_n.view(2, num_layers, N, H_out) hold, for 4 layers.
VIEW_CONFIG = RNNConfig("gru", input_size=4, hidden_size=3, num_layers=4, bidirectional=True, seed=0)
VIEW_CELLS = ((0, 1), (0, -1), (1, 0))  # wrong[d, layer] as the learner is asked about them
VIEW_SECTION = "notebook 03, sections 2 and 5 (row 2 * layer + direction; the wrong view)"
DIRECTIONS = ("forward", "backward")
VIEW_EXAMPLE = (
    'a dict like {"wrong[0, 1]": (layer, "forward" or "backward"), "wrong[0, -1]": (...), "wrong[1, 0]": (...)}'
)


def _key(cell: tuple[int, int]) -> str:
    return f"wrong[{cell[0]}, {cell[1]}]"


def wrong_view_holds() -> dict[str, tuple[int, str]]:
    """What each asked cell of the wrong view holds, (layer, direction), found by torch.equal with the right view."""
    r = run(VIEW_CONFIG, seq_len=5, batch_size=2)
    num_layers, (_, N, H) = VIEW_CONFIG.num_layers, r.h_n.shape
    right = r.h_n.detach().view(num_layers, 2, N, H)  # (num_layers, D, N, H_out)
    wrong = r.h_n.detach().view(2, num_layers, N, H)  # read as (D, num_layers, N, H_out): it is not
    holds = {}
    for cell in VIEW_CELLS:
        found = [
            (k, DIRECTIONS[e]) for k in range(num_layers) for e in range(2) if torch.equal(wrong[cell], right[k, e])
        ]
        if len(found) != 1:
            raise RuntimeError(f"{_key(cell)} matches {found} in the right view, not exactly one state")
        holds[_key(cell)] = found[0]
    return holds


def _read(value: object) -> tuple[int, str] | None:
    """(layer, direction) from a pair like (1, "backward"), (1, 1) or ("1", "b..."); None if unreadable."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        return None
    layer, direction = value
    if not isinstance(layer, Integral) or isinstance(layer, bool):
        return None
    if isinstance(direction, Integral) and not isinstance(direction, bool) and direction in (0, 1):
        return int(layer), DIRECTIONS[direction]
    if isinstance(direction, str) and direction.strip().lower() in DIRECTIONS:
        return int(layer), direction.strip().lower()
    return None


def check_wrong_view(answer) -> None:
    """Exercise 1: predict what wrong[0, 1], wrong[0, -1] and wrong[1, 0] hold, for a 4-layer bidirectional GRU."""
    if answer is None:
        print(f"Not answered yet: set wrong_view to {VIEW_EXAMPLE}.")
        return
    if not isinstance(answer, dict):
        raise not_a("wrong_view", answer, VIEW_EXAMPLE)
    if any(value is None for value in answer.values()):
        print("Not answered yet: replace every None in wrong_view with (layer, direction).")
        return
    want = wrong_view_holds()
    lines, got = [], {}
    for key in want:
        if key not in answer:
            lines.append(f'"{key}" is missing.')
            continue
        pair = _read(answer[key])
        if pair is None:
            lines.append(f'"{key}": {answer[key]!r} is not (layer, "forward" or "backward"), like (2, "backward").')
            continue
        got[key] = pair
    extra = [key for key in answer if key not in want]
    if extra:
        lines.append(f"{', '.join(repr(k) for k in extra)}: not asked for; the keys are {', '.join(want)}.")
    L = VIEW_CONFIG.num_layers
    for cell in VIEW_CELLS:
        key = _key(cell)
        if key not in got or got[key] == want[key]:
            continue
        d, layer = cell[0], cell[1] % L
        row = d * L + layer  # the view cuts h_n's rows into D blocks of num_layers rows
        named = (layer, DIRECTIONS[d])  # what the view's name promises
        mine = got[key]
        if mine == named:
            why = (
                f"that is what the view's name promises ({DIRECTIONS[d]}, layer {layer}). But h_n's rows go layer by "
                f"layer, forward then backward, and this view cuts them into blocks of {L}: {key} is row "
                f"{d} * {L} + {layer} = {row} of h_n"
            )
        elif mine[0] == row and row != want[key][0]:
            why = f"{key} is row {row} of h_n, and row {row} is layer {row} // 2 = {row // 2}: a row is not a layer"
        else:
            why = (
                f"{key} is row {d} * {L} + {layer} = {row} of h_n, and row k is layer k // 2, direction k % 2 "
                f"(0 forward, 1 backward): layer {row // 2}, {DIRECTIONS[row % 2]}"
            )
        lines.append(f"{key}: you said {mine}, it holds {want[key]}: {why}.")
    if lines:
        raise prediction_message("wrong_view", lines, want, got, VIEW_SECTION)
    print(
        "Correct: h_n.view(2, num_layers, N, H_out) cuts h_n's rows in blocks of num_layers, so it mixes layers "
        "and directions; the right view is h_n.view(num_layers, 2, N, H_out)."
    )


# (case, k): in a ONE-LAYER module, the backward half's state after reading k tokens sits at step L - k. With two
# layers or more, the top layer's backward half at step L - k has taken k steps but depends on every token (layer 1
# reads both halves of layer 0's output), so "has read k tokens" would be false there: every case has one layer.
# The cases keep that step apart from the step where the forward half has read k tokens (k - 1), and from its
# neighbours.
AFTER_NUM_LAYERS = 1
AFTER_CASES = [
    (
        Case(
            RNNConfig("gru", input_size=4, hidden_size=3, num_layers=AFTER_NUM_LAYERS, bidirectional=True, seed=61),
            seq_len=5,
            batch_size=2,
        ),
        2,
    ),
    (
        Case(
            RNNConfig("lstm", input_size=3, hidden_size=4, num_layers=AFTER_NUM_LAYERS, bidirectional=True, seed=62),
            seq_len=6,
            batch_size=3,
        ),
        4,
    ),
    (
        Case(
            RNNConfig("rnn", input_size=2, hidden_size=5, num_layers=AFTER_NUM_LAYERS, bidirectional=True, seed=63),
            seq_len=4,
            batch_size=1,
        ),
        1,
    ),
]
K = {case.config.seed: k for case, k in AFTER_CASES}


def asked_k(r: RNNRun) -> int:
    """How many tokens the checker asks about on run r."""
    return K[r.config.seed]


def _backward_at(r: RNNRun, step: int) -> torch.Tensor | None:
    """output[step, :, H_out:] of a time-first output, or None for a step outside the sequence."""
    if not 0 <= step < r.output.shape[0]:
        return None
    return r.output[step, :, r.config.h_out :]


def _steps_left(r: RNNRun) -> int:
    return r.output.shape[0] - asked_k(r)  # L - k


AFTER_MISTAKES: Mistakes = {
    "forward_count": (
        lambda r: _backward_at(r, asked_k(r) - 1),
        "that is step k - 1, where the forward half has read k tokens. The backward half reads from "
        "the end: in one layer, at step t it has read x[t] ... x[L-1], L - t tokens.",
    ),
    "one_more": (
        lambda r: _backward_at(r, _steps_left(r) - 1),
        "that is one step too early: there the backward half has read k + 1 tokens. In one layer, at step t "
        "it has read L - t tokens.",
    ),
    "one_less": (
        lambda r: _backward_at(r, _steps_left(r) + 1),
        "that is one step too late: there the backward half has read k - 1 tokens. In one layer, at step t it "
        "has read L - t tokens.",
    ),
    "forward_half": (
        lambda r: r.output[_steps_left(r), :, : r.config.h_out],
        "that is the forward half of the right step; the backward half is the second H_out features.",
    ),
}


def check_backward_after(answer) -> None:
    """Exercise 2: backward_after(output, k) returns a one-layer module's backward half after k tokens, (N, H_out)."""
    verify_with_mistakes(
        answer,
        name="backward_after",
        signature="backward_after(output, k)",
        cases=[c for c, _ in AFTER_CASES],
        call=lambda f, r: f(r.output, asked_k(r)),
        expected=lambda r: _backward_at(r, _steps_left(r)),
        wanted=lambda r: (
            f"output[{_steps_left(r)}, :, H_out:] for L = {r.output.shape[0]} and k = {asked_k(r)}: "
            f"the backward half at step L - k"
        ),
        section="notebook 03, section 4 (how much has each half read?)",
        mistakes=AFTER_MISTAKES,
        success="in one layer, the backward half at step t has read the L - t tokens from x[t] to the end",
        say_what_changed=False,
    )
