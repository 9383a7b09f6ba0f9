"""The checker every exercise uses: run the learner's answer on fresh runs, say what it holds if it is wrong."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch

from ..models import RNNConfig, RNNRun, run
from .answers import LearnerRaised, as_tensor, describe_object, guarded, raised_message
from .diagnose import diagnose, values
from .shapes import check_shapes

__all__ = ["Case", "check_function", "check_shapes", "check_tensor"]


@dataclass(frozen=True)
class Case:
    """One configuration an exercise is checked on: a fresh helpers.run(...) is made from it."""

    config: RNNConfig
    seq_len: int = 5
    batch_size: int = 2
    lengths: tuple[int, ...] | None = None  # packed run when given
    unbatched: bool = False

    def run(self) -> RNNRun:
        """A fresh seeded run of this configuration."""
        return run(
            self.config,
            seq_len=self.seq_len,
            batch_size=self.batch_size,
            lengths=self.lengths,
            unbatched=self.unbatched,
        )

    def describe(self) -> str:
        """The configuration in a few words, with PyTorch's argument names."""
        cfg = self.config
        kind = ("bidirectional " if cfg.bidirectional else "") + cfg.cell.upper()
        parts = [f"num_layers={cfg.num_layers}", f"hidden_size={cfg.hidden_size}"]
        if cfg.proj_size:
            parts.append(f"proj_size={cfg.proj_size}")
        parts.append(f"batch_first={cfg.batch_first}")
        if self.unbatched:
            batch = f"one unbatched sequence of {self.seq_len} steps"
        elif self.lengths is not None:
            batch = f"{self.batch_size} packed sequences of lengths {list(self.lengths)}"
        else:
            batch = f"{self.batch_size} sequences of {self.seq_len} steps"
        return f"{kind} with {', '.join(parts)}, {batch}"


def _reference(r: RNNRun) -> RNNRun:
    """A detached copy of the run, safe from anything the learner's function does to its tensors."""
    copy = lambda t: None if t is None else t.detach().clone()  # noqa: E731
    return dataclasses.replace(
        r, x=copy(r.x), lengths=copy(r.lengths), output=copy(r.output), h_n=copy(r.h_n), c_n=copy(r.c_n)
    )


def _checker_name(name: str) -> str:
    return name if name.startswith("check_") else f"check_{name}"


def _not_a_function(answer: object, signature: str) -> str:
    shown = describe_object(answer)
    hint = " Pass the function itself, not what it returns." if isinstance(answer, torch.Tensor) else ""
    return (
        f"Not yet: the answer must be a function {signature}, but you passed {shown}.{hint} "
        f"Define the function with def, then pass its name without parentheses."
    )


def _wrong(where: str, body: str, wanted: str, expected: torch.Tensor, got: object, section: str) -> AssertionError:
    """The message a learner reads: where, what the answer holds, what was wanted, expected vs got, where to read."""
    lines = [f"Not yet. On {where}:", body, f"In short, the task wants {wanted}."]
    lines.append(f"  expected shape {tuple(expected.shape)}, first values {values(expected)}")
    if isinstance(got, torch.Tensor):
        lines.append(f"  got      shape {tuple(got.shape)}, first values {values(got)}")
    lines.append(f"Where it is explained: {section}.")
    return AssertionError("\n".join(line for line in lines if line))


def _diagnosis(r: RNNRun, got: torch.Tensor, expected: torch.Tensor, prefer: str) -> str:
    """diagnose's paragraph; should it ever trip, a plain sentence instead of a traceback."""
    try:
        return diagnose(r, got, expected, prefer).text
    except Exception:  # a safety net for the learner: the expected/got lines still show the difference
        return "Your answer differs from the wanted one."


def _judge(got: object, r: RNNRun, expected: torch.Tensor, prefer: str = "") -> tuple[bool, str, torch.Tensor | None]:
    """(right?, what the answer holds in words, the answer as a tensor if it could be read as one)."""
    tensor, note = as_tensor(got, expected.dtype)
    if tensor is None:
        return False, note, None
    if not expected.is_floating_point():  # indices or counts: compare as they are, no provenance to trace
        same = tensor.shape == expected.shape and torch.equal(tensor, expected.to(tensor.dtype))
        if same and not note:
            return True, "", tensor
        return False, note or "Your answer holds other values than the wanted ones.", tensor
    if note:  # a list, numpy array or wrong dtype: never right, but say what its numbers are
        same = tensor.shape == expected.shape and torch.equal(tensor.to(expected.dtype), expected)
        rounded = isinstance(got, torch.Tensor) and not got.is_floating_point()
        if rounded:  # .long(), .int(), .bool(): the values themselves are gone, nothing to trace
            held = "Converting to integers rounds every number toward zero, so the run's values are lost."
        else:
            held = "Its numbers are the right ones." if same else _diagnosis(r, tensor, expected, prefer)
        return False, f"{note} {held}", tensor
    if tensor.shape == expected.shape and torch.equal(tensor, expected):
        return True, "", tensor
    return False, _diagnosis(r, tensor, expected, prefer), tensor


def _safe_judge(judge: Callable, got: object, r: RNNRun, expected: torch.Tensor) -> str | None:
    """A custom judge's verdict; if the judge itself trips on an odd answer, say so plainly."""
    try:
        return judge(got, r, expected)
    except Exception:  # the answer is too odd for the judge: still a message, not a traceback
        return f"Your function returned {describe_object(got)}, which this exercise cannot read."


def _broke_after(passed: list[Case], case: Case) -> str:
    """Why an answer right on earlier configurations breaks on this one: a size written into the code."""
    if not passed:
        return ""
    before, now = passed[-1].config, case.config
    changed = [
        f"{field} is {getattr(now, field)} here, {getattr(before, field)} there"
        for field in ("hidden_size", "proj_size", "num_layers", "bidirectional", "batch_first")
        if getattr(now, field) != getattr(before, field)
    ]
    for field, here, there in (
        ("seq_len", case.seq_len, passed[-1].seq_len),
        ("batch size", case.batch_size, passed[-1].batch_size),
    ):
        if here != there:
            changed.append(f"{field} is {here} here, {there} there")
    first = f"first {len(passed)} configurations" if len(passed) > 1 else "first configuration"
    return (
        f"Your answer was right on the {first} ({passed[-1].describe()}) and "
        f"breaks on this one ({'; '.join(changed) or 'other sizes'}). Something in it fits those sizes only, "
        f"such as a number written into the code: compute sizes from the tensors instead."
    )


def _check_setup(name: object, section: object, success: object, cases: object = None) -> None:
    """ValueError for a checker written with the wrong arguments (the author's mistake, not the learner's)."""
    for label, value in (("name", name), ("section", section), ("success", success)):
        if not isinstance(value, str) or not value:
            raise ValueError(f"{label}={value!r} is not allowed: {label} must be a non-empty string")
    if cases is not None and (
        isinstance(cases, (str, bytes))
        or not hasattr(cases, "__len__")
        or not cases
        or not all(isinstance(case, Case) for case in cases)
    ):
        raise ValueError(f"cases={cases!r} is not allowed: cases must be a non-empty sequence of Case")


def check_function(
    answer,
    *,
    name: str,
    signature: str,
    cases: Sequence[Case],
    call: Callable[[Callable, RNNRun], object],
    expected: Callable[[RNNRun], torch.Tensor],
    wanted: str | Callable[[RNNRun], str],
    section: str,
    success: str,
    explain_error: Callable[[Callable, RNNRun, Exception], str | None] | None = None,
    judge: Callable[[object, RNNRun, torch.Tensor], str | None] | None = None,
) -> None:
    """None -> print 'Not answered yet: ...'; a non-callable -> friendly message; then run on every case."""
    # Right on every case: prints "Correct: ..." and returns None, so a cell ending with the check
    # shows only that line. Wrong: AssertionError with a short paragraph the learner can act on.
    # explain_error(answer, run, error) may name the mistake behind an exception the answer raised.
    # judge(got, run, expected) replaces the tensor comparison for answers that are not tensors
    # (a list of row indices, say): None if right, else the paragraph saying what is wrong.
    _check_setup(name, section, success, cases)
    if answer is None:
        print(f"Not answered yet: define {signature} and pass it to {_checker_name(name)}.")
        return
    if not callable(answer):
        raise AssertionError(_not_a_function(answer, signature))
    passed: list[Case] = []
    for case in cases:
        r = case.run()
        reference = _reference(r)
        right = expected(reference).detach()
        want = wanted(reference) if callable(wanted) else wanted
        where = case.describe()
        learner = guarded(answer, signature, r)
        try:
            got = call(learner, r)
        except LearnerRaised as error:
            extra = None
            if explain_error is not None and error.error is not None:
                try:
                    extra = explain_error(answer, reference, error.error)
                except Exception:  # the explanation is a bonus; the raw message below still helps
                    extra = None
            raise _wrong(where, raised_message(error, extra), want, right, None, section) from None
        except Exception as error:  # the checker's own call tripped on what the function returned
            body = (
                f"The checker could not use what your function returned "
                f"({type(error).__name__}: {str(error).strip().splitlines()[0] if str(error).strip() else ''}). "
                f"Return one tensor, computed from the arguments."
            )
            raise _wrong(where, body, want, right, None, section) from None
        if got is None:
            print(f"Not answered yet: {signature} returns None; replace None with your answer.")
            return
        prefer = next((name for name in learner.given if name in ("output", "h_n", "c_n")), "")
        if judge is not None:
            verdict = _safe_judge(judge, got, reference, right)
            ok, body, tensor = verdict is None, verdict or "", None
        else:
            ok, body, tensor = _judge(got, reference, right, prefer)
        if not ok:
            body = " ".join(part for part in (body, _broke_after(passed, case)) if part)
            raise _wrong(where, body, want, right, tensor, section)
        passed.append(case)
    count = len(passed)
    print(f"Correct: {success} (checked on {count} configuration{'s' if count != 1 else ''}).")


def check_tensor(
    answer,
    *,
    name: str,
    case: Case,
    expected: Callable[[RNNRun], torch.Tensor],
    wanted: str,
    section: str,
    success: str,
) -> None:
    """The same for an answer that is a tensor computed in the notebook on case's run."""
    _check_setup(name, section, success)
    if not isinstance(case, Case):
        raise ValueError(f"case={case!r} is not allowed: case must be a Case")
    if answer is None:
        print(f"Not answered yet: compute {name} and pass it to {_checker_name(name)}.")
        return
    r = _reference(case.run())
    right = expected(r).detach()
    if callable(answer) and not isinstance(answer, torch.Tensor):
        raise AssertionError(
            f"Not yet: {name} should be a tensor, but you passed a function. "
            f"Call it on the run's tensors and pass what it returns."
        )
    ok, body, tensor = _judge(answer, r, right)
    if not ok:
        raise _wrong(case.describe(), body, wanted, right, tensor, section)
    print(f"Correct: {success}.")
