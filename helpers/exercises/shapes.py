"""Predict-the-shapes exercises: name each wrong entry and the likely reason."""

from __future__ import annotations

from numbers import Integral

import torch

from .answers import describe_object


def _as_shape(value: object) -> tuple[int, ...] | None:
    """A tuple of ints from a tuple, list or torch.Size, else None."""
    if isinstance(value, torch.Size):
        return tuple(value)
    if isinstance(value, (tuple, list)) and all(isinstance(v, Integral) and not isinstance(v, bool) for v in value):
        return tuple(int(v) for v in value)
    return None


def _reason(key: str, got: tuple[int, ...], want: tuple[int, ...]) -> str:
    """The likely reason one predicted shape is wrong, in a sentence."""
    state = key in ("h_n", "c_n", "h_0", "c_0")
    if len(got) != len(want):
        return f"it has {len(got)} sizes, but {key} has {len(want)} dimensions" + (
            ": h_n has one row per (layer, direction), then the batch, then the features" if state else ""
        )
    if len(want) >= 2 and got == (want[1], want[0], *want[2:]) and got != want:
        if state:
            return (
                "the first two sizes are swapped: batch_first never applies to h_n or c_n, "
                f"which stay (num_layers * D, N, {'hidden_size' if key.startswith('c') else 'H_out'})"
            )
        return "the first two sizes are swapped: batch_first=True puts the batch N first, False puts time L first"
    if got[:-1] == want[:-1] and got[-1] * 2 == want[-1] and not state:
        return "the last size is D * H_out: a bidirectional module puts both directions side by side, so D = 2"
    if got[:-1] == want[:-1] and got[-1] == want[-1] * 2 and state:
        return "each row of h_n is one direction only, H_out wide: the two directions are separate rows"
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
    if got[:-1] == want[:-1]:
        return (
            "the last size is H_out: proj_size if it is set, else hidden_size "
            "(c_n keeps hidden_size), times D for output"
        )
    wrong = [i for i, (g, w) in enumerate(zip(got, want)) if g != w]
    return "size " + ", ".join(f"{i} should be {want[i]}, not {got[i]}" for i in wrong)


def check_shapes(answer, *, name: str, expected: dict[str, tuple[int, ...]], section: str, success: str) -> None:
    """A predict-the-shapes exercise: answer is a dict name -> tuple of ints; torch.Size and lists are fine."""
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
    problems = []
    for key, want in expected.items():
        if key not in answer:
            problems.append(f'- "{key}" is missing.')
            continue
        got = _as_shape(answer[key])
        if got is None:
            problems.append(f'- "{key}": {describe_object(answer[key])} is not a tuple of integers, like (2, 5, 3).')
        elif got != tuple(want):
            problems.append(f'- "{key}": you said {got}, it is {tuple(want)}: {_reason(key, got, tuple(want))}.')
    extra = [k for k in answer if k not in expected]
    if extra:
        problems.append(f"- {', '.join(repr(k) for k in extra)}: not asked for; the keys are {', '.join(expected)}.")
    if problems:
        raise AssertionError("\n".join([f"Not yet. In {name}:", *problems, f"Where it is explained: {section}."]))
    print(f"Correct: {success}.")
