"""Named mistakes for one exercise: what a wrong answer equals, said in a sentence before the generic check."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

from ..models import RNNRun
from .core import Case, _broke_after, check_function
from .diagnose import values

# label -> (the wrong tensor for a run, or None where it does not apply; the sentence that names the mistake)
Mistakes = dict[str, tuple[Callable[[RNNRun], torch.Tensor | None], str]]


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


def _message(case: Case, sentence: str, wanted: str, right: torch.Tensor, got: torch.Tensor, section: str) -> str:
    """The same paragraph shape as check_function's: where, what the answer is, wanted, expected vs got, section."""
    return "\n".join(
        [
            f"Not yet. On {case.describe()}:",
            f"Likely mistake: {sentence}",
            f"The task wants {wanted}.",
            f"  expected shape {tuple(right.shape)}, first values {values(right)}",
            f"  got      shape {tuple(got.shape)}, first values {values(got)}",
            f"Where it is explained: {section}.",
        ]
    )


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
    explain_error: Callable | None = None,
) -> None:
    """check_function, but a wrong answer that makes a named mistake is told that mistake by name first."""
    # otherwise: the sentence for a wrong tensor with no name, when the wanted tensor is in no tensor of the run
    # (a lower layer's output), so diagnosis by provenance has nothing to compare it with.
    if callable(answer) and not isinstance(answer, torch.Tensor):
        passed: list[Case] = []
        for case in cases:
            r = case.run()
            got = _result(answer, r, call)
            if got is None:
                break  # raised or not a tensor: check_function says what happened
            right = expected(r).detach()  # computed as check_function computes it
            if got.shape == right.shape and torch.equal(got, right):
                passed.append(case)
                continue
            sentence = _named(got, r, mistakes) or (otherwise if got.shape == right.shape else None)
            if sentence is None:
                break  # no name for it: check_function's diagnosis by provenance describes it
            after = _broke_after(passed, case, answer)
            raise AssertionError(_message(case, f"{sentence} {after}".strip(), wanted(r), right, got, section))
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
