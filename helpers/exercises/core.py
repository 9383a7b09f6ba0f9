"""The checker every exercise uses: run the learner's answer on fresh runs, say what it holds if it is wrong."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import textwrap
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


def _literals(answer: object) -> set[int] | None:
    """The integers above 1 written in the learner's function; None if its code cannot be read."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(answer)))
    except (OSError, TypeError, SyntaxError, ValueError):  # a lambda in a long line, a builtin: no code to read
        return None
    # a negative index (h_n[-2]) counts from the end and fits every size: only numbers written as they are count
    negated = {
        id(node.operand) for node in ast.walk(tree) if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub)
    }
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and type(node.value) is int and node.value > 1 and id(node) not in negated
    }


def _sizes(case: Case) -> dict[str, int]:
    """The sizes of a configuration a learner might write as numbers, by the name the course gives them."""
    cfg = case.config
    rows = cfg.num_layers * cfg.num_directions
    sizes = {
        "hidden_size": cfg.hidden_size,
        "H_out": cfg.h_out,
        "D * H_out": cfg.num_directions * cfg.h_out,
        "num_layers": cfg.num_layers,
        "num_layers * D": rows,
        "the last row of h_n, num_layers * D - 1": rows - 1,
        "L, the number of steps": case.seq_len,
        "the last step, L - 1": case.seq_len - 1,
    }
    if not case.unbatched:
        sizes["N, the batch size"] = case.batch_size
    return sizes


def _broke_after(passed: list[Case], case: Case, answer: object = None) -> str:
    """Why an answer right on earlier configurations breaks on this one: what changed, and a number if one is written."""
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
    lead = (
        f"Your answer was right on the {first} ({passed[-1].describe()}) and "
        f"breaks on this one ({'; '.join(changed) or 'other sizes'})."
    )
    old, new = _sizes(passed[-1]), _sizes(case)
    literals = _literals(answer)
    written = sorted({old[name] for name in old if old[name] != new[name] and old[name] in (literals or ())})
    if written:  # a number equal to a size that changed; which size it stands for, the code alone cannot say
        numbers = " and ".join(str(number) for number in written)
        return (
            f"{lead} Your code has the number{'s' if len(written) > 1 else ''} {numbers} written in it, "
            f"{'sizes' if len(written) > 1 else 'a size'} of the earlier configuration: compute sizes from the "
            f"tensors' shapes or the module's settings instead."
        )
    hints = {
        "bidirectional": "with bidirectional=True each layer has two rows in h_n (forward, then backward), "
        "and output's last axis holds both directions (D = 2)",
        "num_layers": "num_layers sets how many rows h_n has (num_layers * D), and output shows the top layer only",
        "proj_size": "with proj_size set, h_n and output are proj_size wide and c_n stays hidden_size wide",
        "batch_first": "batch_first moves the batch axis of x and output, never of h_n or c_n",
    }
    settings = [hints[field] for field in hints if getattr(now, field) != getattr(before, field)]
    if literals is None:  # the code cannot be read: both causes stay possible
        also = f" Or it does not follow what changed: {'; '.join(settings)}." if settings else ""
        return f"{lead} A size written into the code as a number would do this: compute sizes from the tensors.{also}"
    if settings:
        return f"{lead} Check how it follows what changed: {'; '.join(settings)}."
    return f"{lead} Something in it fits the earlier sizes only: compute every size from the tensors' shapes."


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
            body = " ".join(part for part in (body, _broke_after(passed, case, answer)) if part)
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
