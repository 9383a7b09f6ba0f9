"""Whatever a learner passes or returns becomes a tensor or a sentence, never a traceback from inside helpers."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable

import numpy as np
import torch

from ..models import RNNRun


class LearnerRaised(Exception):
    """The learner's function raised, or could not be called with the checker's arguments."""

    def __init__(self, error: Exception | None, signature: str, axes: dict, arity: str = ""):
        super().__init__(str(error))
        self.error, self.signature, self.axes, self.arity = error, signature, axes, arity


def axes_of(r: RNNRun) -> dict[str, tuple[torch.Tensor | None, list[str]]]:
    """Each tensor of the run with the meaning of each of its dimensions, in PyTorch's letters."""
    cfg = r.config
    time, batch = "L, the time steps", "N, the sequences"
    features = "D * H_out, the features of both directions" if cfg.bidirectional else "H_out, the features"
    if r.unbatched:
        seq = [time]
    else:
        seq = [batch, time] if cfg.batch_first else [time, batch]
    rows = "num_layers * D, one row per (layer, direction)"
    return {
        "x": (r.x, seq + ["H_in, the input features"]),
        "output": (r.output, seq + [features]),
        "h_n": (r.h_n, [rows] + ([] if r.unbatched else [batch]) + ["H_out, the features"]),
        "c_n": (r.c_n, [rows] + ([] if r.unbatched else [batch]) + ["hidden_size, the cell features"]),
    }


def _arity_problem(answer: Callable, args: tuple, kwargs: dict) -> str:
    """'' if answer accepts these arguments, else a sentence on how many it takes."""
    try:
        sig = inspect.signature(answer)
    except (TypeError, ValueError):  # builtins and odd callables: just try the call
        return ""
    try:
        sig.bind(*args, **kwargs)
    except TypeError:
        params = [p for p in sig.parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        n = len(args) + len(kwargs)
        names = ", ".join(p.name for p in params)
        return f"with {n} argument{'s' if n != 1 else ''}, but your function takes {len(params)}" + (
            f" ({names})" if names else ""
        )
    return ""


def guarded(answer: Callable, signature: str, r: RNNRun) -> Callable:
    """Wrap the learner's function so that anything it raises reaches the checker as LearnerRaised."""
    named = {name: (tensor, names) for name, (tensor, names) in axes_of(r).items() if tensor is not None}

    def call(*args, **kwargs):
        # the run's tensors the learner was given come first when naming a dimension
        given = [name for name, (tensor, _) in named.items() if any(arg is tensor for arg in (*args, *kwargs.values()))]
        order = given + [name for name in named if name not in given]
        call.given = call.given or given
        axes = {name: (named[name][1], tuple(named[name][0].shape)) for name in order}
        problem = _arity_problem(answer, args, kwargs)
        if problem:
            raise LearnerRaised(None, signature, axes, arity=problem)
        try:
            return answer(*args, **kwargs)
        except Exception as error:  # anything the learner's code raises becomes a message
            raise LearnerRaised(error, signature, axes) from None

    call.given = []  # which of the run's tensors the learner's function was given, first call first
    return call


def _index_hint(error: Exception, axes: dict) -> str:
    """Which dimension an IndexError was about, in the run's own words."""
    text = str(error)
    found = re.search(r"dimension (\d+) with size (\d+)", text)
    if found:
        dim, size = int(found.group(1)), int(found.group(2))
        for name, (names, shape) in axes.items():
            if dim < len(shape) and shape[dim] == size:
                return (
                    f"Dimension {dim} of {name} {shape} is {names[dim]}: its indices run from 0 to {size - 1} "
                    f"(or -1 for the last)."
                )
        return f"Dimension {dim} has only {size} entries: indices run from 0 to {size - 1}."
    if "too many indices" in text or "out of range" in text:
        shown = "; ".join(
            f"{name} is {shape}: ({', '.join(n.split(',')[0] for n in names)})" for name, (names, shape) in axes.items()
        )
        return f"The index uses a dimension the tensor does not have. {shown}."
    return ""


def raised_message(raised: LearnerRaised, extra: str | None = None) -> str:
    """One short paragraph on what went wrong when the checker called the learner's function."""
    if raised.arity:
        return (
            f"The checker calls {raised.signature} {raised.arity}. "
            f"Give your function exactly the arguments in {raised.signature}."
        )
    error = raised.error
    first = str(error).strip().splitlines()[0] if str(error).strip() else ""
    line = f"Your function raised {type(error).__name__}" + (f": {first}" if first else "") + "."
    hint = _index_hint(error, raised.axes) if isinstance(error, IndexError) else ""
    return " ".join(part for part in (line, hint, extra) if part)


def describe_object(value: object) -> str:
    """A few words on what a value is, without printing a huge repr."""
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {tuple(value.shape)}"
    if isinstance(value, np.ndarray):
        return f"a numpy array of shape {value.shape}"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of {len(value)} item{'s' if len(value) != 1 else ''}"
    try:
        shown = repr(value)
    except Exception:  # a repr that raises still gets a name
        shown = f"<{type(value).__name__}>"
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    return f"{shown} (of type {type(value).__name__})"


def as_tensor(value: object, dtype: torch.dtype = torch.float32) -> tuple[torch.Tensor | None, str]:
    """(the value as a float tensor or None, a sentence if it was not already a tensor of the wanted dtype)."""
    if isinstance(value, torch.Tensor):
        tensor, note = value.detach(), ""
        if tensor.dtype != dtype and dtype == torch.float32:
            note = (
                f"Your answer has dtype {tensor.dtype}, but the run's tensors are torch.float32: "
                f"keep the tensor's own dtype (no .long(), .double() or .int())."
            )
        elif tensor.dtype != dtype:
            note = f"Your answer has dtype {tensor.dtype}; the task wants {dtype}."
        floats = _floats(tensor)
        if floats is None:
            return None, f"Your answer has dtype {tensor.dtype}, which holds no real numbers like the run's."
        return floats, note
    tensors = [isinstance(v, torch.Tensor) for v in value] if isinstance(value, (tuple, list)) else []
    if any(tensors) and not all(tensors):  # (h_0, None), [tensor, 3]: not a grid of numbers either
        items = ", ".join(describe_object(v) for v in value[:3]) + (", ..." if len(value) > 3 else "")
        return None, (
            f"Your answer is a {type(value).__name__} of {len(value)} items ({items}), not one tensor: return one tensor."
        )
    if isinstance(value, tuple) and value and all(tensors):
        shapes = ", ".join(str(tuple(v.shape)) for v in value)
        return None, (
            f"Your answer is a tuple of {len(value)} tensors ({shapes}), not one tensor: return one tensor "
            f"(if the task wants them side by side, torch.cat(..., dim=-1) joins them)."
        )
    if isinstance(value, (np.ndarray, list, tuple)):
        kind = "a numpy array" if isinstance(value, np.ndarray) else f"a {type(value).__name__}"
        how = "drop .numpy()" if isinstance(value, np.ndarray) else "drop .tolist() and return the tensor itself"
        try:
            tensor = torch.as_tensor(np.asarray(value, dtype=np.float64))
        except Exception:  # ragged lists, objects: not readable as numbers
            return None, f"Your answer is {kind}, not a torch tensor, and its items are not a grid of numbers."
        return _floats(tensor), f"Your answer is {kind}, not a torch tensor: {how}."
    return None, f"Your answer is {describe_object(value)}, not a tensor."


def _floats(tensor: torch.Tensor) -> torch.Tensor | None:
    """float32 copy for comparing with the run (exact for values that came from it)."""
    if tensor.is_complex():
        return None
    try:
        return tensor.to(torch.float32)
    except Exception:  # exotic dtypes
        return None
