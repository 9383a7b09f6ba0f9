"""Predict-the-shapes exercises: name each wrong entry, what its axis means, and the likely reason."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from numbers import Integral

import torch

from .answers import describe_object

# the meaning of each kind of axis, in PyTorch's letters and the learner's words
ROWS = "num_layers * D, one row per layer and direction"
BATCH = "N, one entry per sequence"
TIME = "L, one entry per time step"


@dataclass(frozen=True)
class Layout:
    """What the expected shapes say about the module: None where they cannot tell."""

    unbatched: bool = False
    batch_first: bool | None = None
    proj: bool | None = None  # is proj_size set?
    directions: int | None = None  # D


def kind(key: str) -> str | None:
    """'output', 'x', 'h' (h_n, h_0) or 'c' (c_n, c_0) for a key such as 'output', 'decoder_h_0'; else None."""
    if "output" in key:
        return "output"
    if key == "x" or key.endswith("_x"):
        return "x"
    for suffix, what in (("h_n", "h"), ("h_0", "h"), ("c_n", "c"), ("c_0", "c")):
        if key == suffix or key.endswith("_" + suffix):
            return what
    return None


def layout(expected: dict[str, tuple[int, ...]], config=None) -> Layout:
    """The module's layout from a config if given, else from the expected shapes themselves."""
    kinds = {key: kind(key) for key in expected}
    states = [tuple(expected[k]) for k, v in kinds.items() if v in ("h", "c")]
    seqs = [tuple(expected[k]) for k, v in kinds.items() if v in ("output", "x")]
    unbatched = any(len(s) == 2 for s in states) or (not states and any(len(s) == 2 for s in seqs))
    if config is not None:
        return Layout(unbatched, bool(config.batch_first), bool(config.proj_size), config.num_directions)
    batch_first = None
    batched = [s for s in states if len(s) == 3]
    outputs = [tuple(expected[k]) for k, v in kinds.items() if v == "output" and len(expected[k]) == 3]
    if batched and outputs:
        n, (a, b, _) = batched[0][1], outputs[0]
        batch_first = True if a == n != b else False if b == n != a else None
    h = [tuple(expected[k])[-1] for k, v in kinds.items() if v == "h"]
    c = [tuple(expected[k])[-1] for k, v in kinds.items() if v == "c"]
    proj = (h[0] != c[0]) if h and c else None
    directions = None
    widths = [tuple(expected[k])[-1] for k, v in kinds.items() if v == "output"]
    if h and widths and widths[0] in (h[0], 2 * h[0]):
        directions = widths[0] // h[0]
    return Layout(unbatched, batch_first, proj, directions)


def _width(what: str, lay: Layout) -> str:
    """The meaning of the last axis of h (or output's per-direction width)."""
    if lay.proj is True:
        return "H_out, the width of each hidden state: proj_size if it is set, as here"
    if lay.proj is False:
        return "H_out = hidden_size, the width of each state"
    return "H_out, the width of each state (proj_size if it is set, else hidden_size)"


def axes(key: str, ndim: int, lay: Layout) -> list[str] | None:
    """What each axis of the tensor named key means, or None for a key this module knows nothing about."""
    what = kind(key)
    if what is None:
        return None
    if what in ("h", "c"):
        last = _width(what, lay) if what == "h" else "hidden_size, the width of the cell state"
        return [ROWS, last] if ndim == 2 else [ROWS, BATCH, last]
    if ndim == 2:
        seq = [TIME]
    elif lay.batch_first is None:
        seq = [TIME + " (N with batch_first=True)", BATCH + " (L with batch_first=True)"]
    else:
        seq = [BATCH, TIME] if lay.batch_first else [TIME, BATCH]
    if what == "x":
        return seq + ["H_in, the input features (input_size)"]
    if lay.directions == 2:
        last = "D * H_out, both directions side by side (D = 2)"
    elif lay.directions == 1:
        last = "D * H_out, one direction (D = 1) H_out wide"
    else:
        last = "D * H_out, every direction side by side"
    return seq + [last]


def _as_shape(value: object) -> tuple[int, ...] | None:
    """A tuple of ints from a tuple, list or torch.Size, else None."""
    if isinstance(value, torch.Size):
        return tuple(value)
    if isinstance(value, (tuple, list)) and all(isinstance(v, Integral) and not isinstance(v, bool) for v in value):
        return tuple(int(v) for v in value)
    return None


def _letters(names: list[str]) -> str:
    return "(" + ", ".join(name.split(",")[0].split(" (")[0] for name in names) + ")"


def _batch_of_one(key: str, got: tuple, want: tuple, lay: Layout) -> str | None:
    """A size-1 batch axis kept where an unbatched input has none, or the batch axis dropped where it is needed."""
    what = kind(key)
    if what is None:
        return None
    if lay.unbatched and len(got) == len(want) + 1:
        for i in range(len(got)):
            if got[i] == 1 and got[:i] + got[i + 1 :] == want:
                return (
                    f"you kept a batch axis of size 1 (position {i}): one unbatched sequence (L, H_in) gives results "
                    f"with no batch axis at all, so {key} is {_letters(axes(key, len(want), lay))}"
                )
    if not lay.unbatched and len(got) + 1 == len(want):
        batch_at = 1 if what in ("h", "c") else (0 if lay.batch_first else 1 if lay.batch_first is False else None)
        if batch_at is not None and want[:batch_at] + want[batch_at + 1 :] == got:
            return (
                f"you left out the batch axis N = {want[batch_at]}: only one unbatched sequence (L, H_in) gives "
                f"results without it; here {key} is {_letters(axes(key, len(want), lay))}"
            )
    return None


def _last_size(key: str, got: tuple, want: tuple, lay: Layout, expected: dict) -> str:
    """The reason for a wrong last size, about proj_size only when proj_size is involved."""
    what = kind(key)
    if what == "c":
        widths = {tuple(v)[-1] for k, v in expected.items() if kind(k) in ("h", "output")}
        if lay.proj or got[-1] in widths - {want[-1]}:
            return f"c_n keeps hidden_size = {want[-1]}: proj_size shrinks h_n and output, never the cell state" + (
                "" if key == "c_n" else f", so {key} is hidden_size wide too"
            )
        return f"the last size of {key} is hidden_size = {want[-1]}, the width of the cell state"
    if what == "h":
        why = {True: "proj_size, since proj_size is set", False: "hidden_size, since proj_size is not set"}
        return f"the last size of {key} is H_out = {want[-1]}: " + why.get(
            lay.proj, "proj_size if it is set, else hidden_size"
        )
    if what == "output":
        each = {True: "H_out = proj_size (proj_size if it is set, as here)", False: "H_out = hidden_size"}.get(
            lay.proj, "H_out (proj_size if it is set, else hidden_size)"
        )
        if lay.directions:
            sides = "both directions side by side" if lay.directions == 2 else "one direction"
            return f"the last size is D * H_out = {lay.directions} * {want[-1] // lay.directions}: {sides}, each {each} wide"
        return f"the last size is D * H_out: every direction side by side, each {each} wide"
    if what == "x":
        return f"the last size of x is H_in = input_size = {want[-1]}"
    return ""


def _reason(key: str, got: tuple[int, ...], want: tuple[int, ...], lay: Layout | None = None, expected=None) -> str:
    """The likely reason one predicted shape is wrong, in a sentence."""
    lay = lay or Layout(unbatched=False)
    expected = expected or {key: want}
    what = kind(key)
    state = what in ("h", "c")
    meaning = axes(key, len(want), lay)
    one = _batch_of_one(key, got, want, lay)
    if one:
        return one
    if len(got) != len(want):
        return f"it has {len(got)} sizes, but {key} has {len(want)} dimensions" + (
            f", {_letters(meaning)}: " + "; ".join(meaning) if meaning else ""
        )
    if len(want) >= 2 and got == (want[1], want[0], *want[2:]) and got != want and not lay.unbatched:
        if state:
            return (
                "the first two sizes are swapped: batch_first never applies to h_n or c_n, nor to the h_0 and c_0 "
                f"you pass: they stay (num_layers * D, N, {'hidden_size' if what == 'c' else 'H_out'})"
            )
        return "the first two sizes are swapped: batch_first=True puts the batch N first, False puts time L first"
    if got[:-1] == want[:-1] and got[-1] * 2 == want[-1] and what == "output":
        return "the last size is D * H_out: a bidirectional module puts both directions side by side, so D = 2"
    if got[:-1] == want[:-1] and got[-1] == want[-1] * 2 and state:
        return (
            f"each row of {key} is one direction only, {'hidden_size' if what == 'c' else 'H_out'} wide: "
            "the two directions are separate rows"
        )
    if state and got[1:] == want[1:] and got[0] * 2 == want[0]:
        return (
            "the first size is num_layers * D, not num_layers: a bidirectional module has two rows per layer "
            "(forward, then backward)"
        )
    if state and got[1:] == want[1:] and got[0] == want[0] * 2:
        return (
            "the first size is num_layers * D, one row per layer and direction (D = 2 only for a bidirectional "
            "module): you counted twice as many rows"
        )
    if got[:-1] == want[:-1] and what is not None:
        return _last_size(key, got, want, lay, expected)
    wrong = [i for i, (g, w) in enumerate(zip(got, want)) if g != w]
    return "; ".join(
        f"size {i} should be {want[i]}, not {got[i]}" + (f": {key}'s axis {i} is {meaning[i]}" if meaning else "")
        for i in wrong
    )


def check_shapes(
    answer,
    *,
    name: str,
    expected: dict[str, tuple[int, ...]],
    section: str,
    success: str,
    config=None,
    explain: Callable[[str, tuple[int, ...], tuple[int, ...]], str | None] | None = None,
) -> None:
    """A predict-the-shapes exercise: answer is a dict name -> tuple of ints; torch.Size and lists are fine."""
    # config (an RNNConfig) says batch_first, proj_size and D for the messages; without it they are read off
    # the expected shapes. explain(key, got, want) may give the reason for a key first (weights, say).
    if not isinstance(expected, dict) or not expected or not all(_as_shape(v) is not None for v in expected.values()):
        raise ValueError(f"expected={expected!r} is not allowed: expected must be a non-empty dict of name -> shape")
    keys = ", ".join(f'"{k}": (...)' for k in expected)
    if answer is None:
        print(f"Not answered yet: set {name} = {{{keys}}} with your predicted shapes.")
        return
    if not isinstance(answer, dict):
        raise AssertionError(f"Not yet: {name} must be a dict like {{{keys}}}, but it is {describe_object(answer)}.")
    if any(value is None for value in answer.values()) or not answer:
        print(f"Not answered yet: fill in every shape of {name} ({keys}).")
        return
    lay = layout({k: tuple(v) for k, v in expected.items()}, config)
    problems = []
    for key, want in expected.items():
        if key not in answer:
            problems.append(f'- "{key}" is missing.')
            continue
        got = _as_shape(answer[key])
        if got is None:
            problems.append(f'- "{key}": {describe_object(answer[key])} is not a tuple of integers, like (2, 5, 3).')
        elif got != tuple(want):
            reason = None
            if explain is not None:
                try:
                    reason = explain(key, got, tuple(want))
                except Exception:  # the exercise's own reasons are a bonus; the shared ones still apply
                    reason = None
            reason = reason or _reason(key, got, tuple(want), lay, expected)
            problems.append(f'- "{key}": you said {got}, it is {tuple(want)}: {reason}.')
    extra = [k for k in answer if k not in expected]
    if extra:
        problems.append(f"- {', '.join(repr(k) for k in extra)}: not asked for; the keys are {', '.join(expected)}.")
    if problems:
        raise AssertionError("\n".join([f"Not yet. In {name}:", *problems, f"Where it is explained: {section}."]))
    print(f"Correct: {success}.")
