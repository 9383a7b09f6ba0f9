"""Checkers of notebooks 00-04 built on the shared runner: named mistakes, shape hints, explained errors, predictions.

check_function (core) stays the one runner; this module only decides, before it runs, whether a wrong answer makes
a mistake the exercise can name, and formats predictions (lists and dicts of small integers) checked against torch.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from contextlib import redirect_stdout

import torch

from ..models import RNNRun
from .answers import describe_object
from .core import Case, check_function
from .diagnose import values

# label -> (the wrong tensor for a run, or None where it does not apply; the sentence that names the mistake)
Mistakes = dict[str, tuple[Callable[[RNNRun], torch.Tensor | None], str]]
ShapeHint = Callable[[torch.Tensor, RNNRun], str | None]


def _named(got: torch.Tensor, r: RNNRun, mistakes: Mistakes) -> str | None:
    """The sentence of the first named mistake that got equals on run r."""
    for wrong_of, sentence in mistakes.values():
        try:
            wrong = wrong_of(r)
        except Exception:  # a mistake that cannot be made on this configuration
            wrong = None
        if wrong is not None and wrong.shape == got.shape and torch.equal(got, wrong.detach()):
            return sentence
    return None


def wrong_message(where: str, sentence: str, wanted: str, right: torch.Tensor, got: object, section: str) -> str:
    """check_function's paragraph shape: where, the mistake by name, what was wanted, expected vs got, section."""
    lines = [f"Not yet. On {where}:", f"Likely mistake: {sentence}", f"The task wants {wanted}."]
    lines.append(f"  expected shape {tuple(right.shape)}, first values {values(right)}")
    if isinstance(got, torch.Tensor):
        lines.append(f"  got      shape {tuple(got.shape)}, first values {values(got)}")
    lines.append(f"Where it is explained: {section}.")
    return "\n".join(lines)


def verify(
    answer,
    *,
    name: str,
    signature: str,
    cases: Sequence[Case],
    call: Callable[[Callable, RNNRun], object],
    expected: Callable[[RNNRun], torch.Tensor],
    wanted: Callable[[RNNRun], str],
    section: str,
    success: str,
    mistakes: Mistakes,
    shape_hint: ShapeHint | None = None,
    otherwise: str | None = None,
    explain_error: Callable[[Callable, RNNRun, Exception], str | None] | None = None,
    before_call: Callable[[Callable, RNNRun], None] | None = None,
    per_case: bool = False,
) -> None:
    """check_function, but a wrong answer that makes a named mistake (or has a telling shape) is told so first.

    before_call(answer, run) may raise AssertionError with a message of its own (a helper the task rules out).
    per_case=True runs check_function on one configuration at a time: its note that an answer "right on the first
    configurations" must hold a number written into the code is then left out (for answers that get only sizes).
    """
    if callable(answer) and not isinstance(answer, torch.Tensor):
        for case in cases:
            r = case.run()
            right = expected(r).detach()
            if before_call is not None:
                before_call(answer, r)  # may raise AssertionError: its message is the learner's
            try:
                got = call(answer, r)
            except Exception:  # check_function reports it (with explain_error)
                break
            if not isinstance(got, torch.Tensor):
                break  # None, a list, ...: check_function says what it is
            got = got.detach()
            if got.shape == right.shape and torch.equal(got, right):
                continue
            sentence = _named(got, r, mistakes)
            if sentence is None and got.shape != right.shape and shape_hint is not None:
                try:
                    sentence = shape_hint(got, r)
                except Exception:  # a hint that trips is no hint
                    sentence = None
            if sentence is None and got.shape == right.shape:
                sentence = otherwise
            if sentence is None:
                break  # no name for it: check_function's diagnosis by provenance describes it
            raise AssertionError(wrong_message(case.describe(), sentence, wanted(r), right, got, section))
    kwargs = dict(
        name=name,
        signature=signature,
        call=call,
        expected=expected,
        wanted=wanted,
        section=section,
        success=success,
        explain_error=explain_error,
    )
    if not per_case or answer is None or not callable(answer) or isinstance(answer, torch.Tensor):
        check_function(answer, cases=cases, **kwargs)
        return
    for case in cases:
        buffer = io.StringIO()
        with redirect_stdout(buffer):
            check_function(answer, cases=[case], **kwargs)  # raises AssertionError when wrong
        text = buffer.getvalue()
        if not text.startswith("Correct"):  # "Not answered yet: ...": say it once, as check_function would
            print(text, end="")
            return
    count = len(cases)
    print(f"Correct: {success} (checked on {count} configuration{'s' if count != 1 else ''}).")


def prediction_message(name: str, lines: list[str], expected: object, got: object, section: str) -> AssertionError:
    """The paragraph for a wrong prediction: what is wrong, expected beside got, where it is explained."""
    body = [f"Not yet. In {name}:", *lines, f"  expected {expected!r}", f"  got      {got!r}"]
    body.append(f"Where it is explained: {section}.")
    return AssertionError("\n".join(body))


def not_a(name: str, value: object, example: str) -> AssertionError:
    """A prediction in the wrong form: say what it is and show the form."""
    return AssertionError(f"Not yet: {name} should be {example}, but it is {describe_object(value)}.")
