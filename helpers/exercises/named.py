"""Named mistakes for one exercise: what a wrong answer equals, said in a sentence before the generic check.

check_function (core) stays the one runner; verify_with_mistakes only decides, before it runs, whether a wrong answer
makes a mistake the exercise can name (or has a shape it can explain). The prediction messages at the end format
wrong predictions (lists and dicts of small integers) checked against torch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

from ..models import RNNRun
from .answers import describe_object
from .core import Case, _broke_after, check_function
from .diagnose import values

# label -> (the wrong tensor for a run, or None where it does not apply; the sentence that names the mistake)
Mistakes = dict[str, tuple[Callable[[RNNRun], torch.Tensor | None], str]]
# (the learner's tensor, of another shape than the wanted one; the run) -> a sentence about that shape, or None
ShapeHint = Callable[[torch.Tensor, RNNRun], str | None]


def _result(answer: Callable, r: RNNRun, call: Callable) -> torch.Tensor | None:
    """What the answer returns on r, or None if it raises or returns no tensor (check_function reports those)."""
    try:
        got = call(answer, r)
    except Exception:
        return None
    return got.detach() if isinstance(got, torch.Tensor) else None


def _named(got: torch.Tensor, r: RNNRun, mistakes: Mistakes) -> str | None:
    """The sentence of the first named mistake got equals on run r."""
    for wrong_of, sentence in mistakes.values():
        try:
            wrong = wrong_of(r)  # not under no_grad: an LSTM may then take another CPU kernel, rounding differently
        except Exception:  # a mistake that cannot be made on this run names nothing here
            continue
        if wrong is not None and wrong.shape == got.shape and torch.equal(got, wrong.detach()):
            return sentence
    return None


def _hinted(got: torch.Tensor, r: RNNRun, shape_hint: ShapeHint | None) -> str | None:
    """The shape hint's sentence for got, or None (no hint, or a hint that trips is no hint)."""
    if shape_hint is None:
        return None
    try:
        return shape_hint(got, r)
    except Exception:
        return None


def wrong_message(where: str, sentence: str, wanted: str, right: torch.Tensor, got: object, section: str) -> str:
    """check_function's paragraph shape: where, the mistake by name, what was wanted, expected vs got, section."""
    lines = [f"Not yet. On {where}:", f"Likely mistake: {sentence}", f"The task wants {wanted}."]
    lines.append(f"  expected shape {tuple(right.shape)}, first values {values(right)}")
    if isinstance(got, torch.Tensor):
        lines.append(f"  got      shape {tuple(got.shape)}, first values {values(got)}")
    lines.append(f"Where it is explained: {section}.")
    return "\n".join(lines)


def verify_with_mistakes(
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
    otherwise: str | None = None,
    explain_error: Callable[[Callable, RNNRun, Exception], str | None] | None = None,
    shape_hint: ShapeHint | None = None,
    before_call: Callable[[Callable, RNNRun], None] | None = None,
    say_what_changed: bool = True,
) -> None:
    """check_function, but a wrong answer that makes a named mistake (or has a telling shape) is told so first.

    otherwise: the sentence for a wrong tensor of the right shape with no name, when the wanted tensor is in no
    tensor of the run (a lower layer's output), so diagnosis by provenance has nothing to compare it with.
    shape_hint(got, run): a sentence for a wrong tensor of another shape that no named mistake equals.
    before_call(answer, run) may raise AssertionError with a message of its own (a helper the task rules out).
    say_what_changed: after a named mistake, say what changed since the configurations the answer was right on.
    """
    if callable(answer) and not isinstance(answer, torch.Tensor):
        passed: list[Case] = []
        for case in cases:
            r = case.run()
            right = expected(r).detach()
            if before_call is not None:
                before_call(answer, r)  # may raise AssertionError: its message is the learner's
            got = _result(answer, r, call)
            if got is None:
                break  # raised or not a tensor: check_function says what happened
            if got.shape == right.shape and torch.equal(got, right):
                passed.append(case)
                continue
            sentence = _named(got, r, mistakes)
            if sentence is None and got.shape != right.shape:
                sentence = _hinted(got, r, shape_hint)
            if sentence is None and got.shape == right.shape:
                sentence = otherwise
            if sentence is None:
                break  # no name for it: check_function's diagnosis by provenance describes it
            if say_what_changed:
                sentence = f"{sentence} {_broke_after(passed, case, answer)}".strip()
            raise AssertionError(wrong_message(case.describe(), sentence, wanted(r), right, got, section))
    check_function(
        answer,
        name=name,
        signature=signature,
        cases=cases,
        call=call,
        expected=expected,
        wanted=wanted,
        section=section,
        success=success,
        explain_error=explain_error,
    )


def prediction_message(name: str, lines: list[str], expected: object, got: object, section: str) -> AssertionError:
    """The paragraph for a wrong prediction: what is wrong, expected beside got, where it is explained."""
    body = [f"Not yet. In {name}:", *lines, f"  expected {expected!r}", f"  got      {got!r}"]
    body.append(f"Where it is explained: {section}.")
    return AssertionError("\n".join(body))


def not_a(name: str, value: object, example: str) -> AssertionError:
    """A prediction in the wrong form: say what it is and show the form."""
    return AssertionError(f"Not yet: {name} should be {example}, but it is {describe_object(value)}.")
