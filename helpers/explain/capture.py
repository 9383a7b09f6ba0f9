"""Stage 2: run the student's model once and capture, with forward hooks, what each recurrent submodule got and returned.

The model is left exactly as found: no gradient recorded (torch.no_grad), its training flag untouched, its
parameters and buffers as they were (buffers such as BatchNorm's running statistics are put back), and torch's
global random state forked (dropout draws from a copy).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

from .inputs import CallSpec, Inputs, check_call

# A note about which CPU kernel runs, not about the results.
QUIET = "LSTM with projections is not supported with oneDNN"


@dataclass(frozen=True)
class Padding:
    """x looked padded (trailing zero steps) and no lengths were given: what packing would have returned."""

    lengths: tuple[int, ...]  # each sequence's steps before its trailing zero steps
    h_n: torch.Tensor  # h_n of the same module and x, packed with these lengths
    c_n: torch.Tensor | None


@dataclass(frozen=True)
class Call:
    """One recurrent submodule's call: what it received and returned, as named tensors."""

    spec: CallSpec
    x: object  # what it received: a tensor or a PackedSequence (the student's own x for a module passed alone)
    tensors: dict  # output (padded if packed), h_n, c_n, lengths, h_0, c_0
    code: tuple[str, ...]  # the lines that make this call, as the report's expressions assume them
    warnings: tuple[str, ...]
    times_called: int  # how often the model called this submodule in one forward pass (the first call is shown)
    padding: Padding | None
    batch: str = ""  # a whole model: what its forward took, e.g. "tensor (3, 7) of torch.int64"


@dataclass(frozen=True)
class Capture:
    """Every recurrent call the report is about, in the order the model made them."""

    calls: tuple[Call, ...]
    model_error: str  # what the model raised after the recurrent calls returned ("" if nothing)


class _Refused(Exception):
    """A hook refused what a recurrent submodule received; carries the ValueError to raise outside the model."""


def capture(inputs: Inputs) -> Capture:
    """Run inputs.model once on inputs.batch with hooks on the recurrent submodules it names."""
    model = inputs.model
    seen: dict[str, dict] = {}
    handles = []

    def hooks(qualified: str, module: nn.Module):
        access = inputs.access[qualified]

        def before(mod, args, kwargs):
            x = args[0] if args else kwargs.get("input")
            hx = args[1] if len(args) > 1 else kwargs.get("hx")
            if qualified in seen:
                seen[qualified]["times"] += 1
                return None
            try:
                spec, _ = check_call(mod, x, hx, None, qualified, access)
            except ValueError as error:
                where = f"{access} received: " if qualified else ""
                raise _Refused(ValueError(where + str(error))) from None
            seen[qualified] = {"spec": spec, "x": _keep(x), "hx": _keep(hx), "times": 1}
            return None

        def after(mod, args, kwargs, returned):
            record = seen[qualified]
            if "returned" not in record:
                record["returned"] = _keep(returned)
            return None

        return (
            module.register_forward_pre_hook(before, with_kwargs=True),
            module.register_forward_hook(after, with_kwargs=True),
        )

    buffers = {name: b.detach().clone() for name, b in model.named_buffers()}
    model_error = ""
    try:
        for qualified in inputs.targets:
            handles += hooks(qualified, model.get_submodule(qualified) if qualified else model)
        with (
            torch.no_grad(),
            torch.random.fork_rng(devices=[]),
            warnings.catch_warnings(record=True) as caught,
        ):
            warnings.simplefilter("always")
            try:
                _run(inputs)
            except _Refused as refused:
                raise refused.args[0] from None
            except Exception as error:  # the model's own code failed: keep what the recurrent calls returned
                if not any("returned" in r for r in seen.values()):
                    raise ValueError(_failed(inputs, error)) from None
                model_error = _failed(inputs, error)
    finally:
        for handle in handles:
            handle.remove()
        with torch.no_grad():
            for name, b in model.named_buffers():
                if name in buffers and not torch.equal(b, buffers[name]):
                    b.copy_(buffers[name])
    said = tuple(dict.fromkeys(str(w.message) for w in caught if QUIET not in str(w.message)))
    calls = []
    for qualified in inputs.targets:
        record = seen.get(qualified)
        if record is None or "returned" not in record:
            continue
        spec = record["spec"]
        if inputs.bare:
            spec = inputs.spec  # the student's own view: their x, their lengths
        tensors = _tensors(spec, record["returned"], record["hx"])
        x = inputs.batch if inputs.bare else record["x"]
        calls.append(
            Call(
                spec=spec,
                x=x,
                tensors=tensors,
                code=tuple(call_code(spec)),
                warnings=said,
                times_called=record["times"],
                padding=_padding(inputs.model.get_submodule(qualified) if qualified else model, spec, x, record["hx"]),
                batch="" if inputs.bare else _show_batch(inputs.batch),
            )
        )
    if not calls:
        names = ", ".join(inputs.access[q] for q in inputs.targets)
        raise ValueError(f"batch is not allowed here: the model ran but never called {names}")
    return Capture(tuple(calls), model_error)


def _show_batch(batch) -> str:
    if isinstance(batch, torch.Tensor):
        return f"{tuple(batch.shape)} {str(batch.dtype).removeprefix('torch.')}"
    if isinstance(batch, tuple):
        return "(" + ", ".join(_show_batch(b) for b in batch) + ")"
    return type(batch).__name__


def _failed(inputs: Inputs, error: Exception) -> str:
    said = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__} from your model's forward: {said}"


def _run(inputs: Inputs) -> None:
    """Call the model as the student would: a module passed alone gets x (packed if lengths) and hx."""
    if inputs.bare:
        x, hx = inputs.batch, inputs.hx
        if hx is not None and inputs.spec.cell == "LSTM":
            hx = tuple(hx)  # the LSTM takes (h_0, c_0) as a tuple, not a list
        if inputs.lengths is not None:
            x = pack_padded_sequence(x, inputs.lengths, batch_first=inputs.spec.batch_first, enforce_sorted=False)
        inputs.model(x, hx)
    elif isinstance(inputs.batch, tuple):
        inputs.model(*inputs.batch)
    else:
        inputs.model(inputs.batch)


def _keep(value):
    """A copy of what a hook saw, so that later in-place changes by the model do not reach the report."""
    if isinstance(value, torch.Tensor):
        return value.detach().clone()
    if isinstance(value, PackedSequence):
        return PackedSequence(
            value.data.detach().clone(), value.batch_sizes, value.sorted_indices, value.unsorted_indices
        )
    if isinstance(value, (tuple, list)):
        return tuple(_keep(v) for v in value)
    return value


def _tensors(spec: CallSpec, returned, hx) -> dict:
    """The returned values by name: output (padded by pad_packed_sequence if packed), h_n, c_n, lengths, h_0, c_0."""
    output, state = returned
    h_n, c_n = state if spec.cell == "LSTM" else (state, None)
    tensors = {"h_n": h_n}
    if isinstance(output, PackedSequence):
        output, lengths = pad_packed_sequence(output, batch_first=spec.batch_first)
        tensors["lengths"] = lengths  # (N,) each sequence's number of steps
    tensors["output"] = output
    if c_n is not None:
        tensors["c_n"] = c_n
    if hx is not None:
        tensors.update(zip(("h_0", "c_0"), hx) if spec.cell == "LSTM" else [("h_0", hx)])
    return tensors


def trailing_zero_lengths(x: torch.Tensor, batch_first: bool) -> tuple[int, ...]:
    """Each sequence's number of steps before its trailing all-zero steps (at least 1)."""
    steps = x.transpose(0, 1) if batch_first else x  # (L, N, H_in)
    nonzero = (steps != 0).any(dim=-1)  # (L, N)
    L = steps.shape[0]
    found = []
    for n in range(steps.shape[1]):
        where = torch.nonzero(nonzero[:, n]).flatten()
        found.append(max(1, int(where[-1]) + 1) if where.numel() else 1)
    return tuple(found) if L else ()


def _padding(module: nn.Module, spec: CallSpec, x, hx) -> Padding | None:
    """If x is a padded (not packed) batch with trailing zero steps, the final states packing would give."""
    if spec.packed or spec.unbatched or not isinstance(x, torch.Tensor) or spec.seq_len < 2:
        return None
    lengths = trailing_zero_lengths(x, spec.batch_first)
    if all(n == spec.seq_len for n in lengths):
        return None
    if hx is not None and spec.cell == "LSTM":
        hx = tuple(hx)
    with torch.no_grad(), torch.random.fork_rng(devices=[]), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=spec.batch_first, enforce_sorted=False)
        _, state = module(packed, hx)
    h_n, c_n = state if spec.cell == "LSTM" else (state, None)
    return Padding(lengths, h_n, c_n)


def call_code(spec: CallSpec) -> list[str]:
    """The lines a student writes to make this call, as the report's expressions assume them."""
    m, state = spec.name, ("(h_n, c_n)" if spec.cell == "LSTM" else "h_n")
    given = "" if not spec.hx_given else (", (h_0, c_0)" if spec.cell == "LSTM" else ", h_0")
    if not spec.packed:
        return [f"output, {state} = {m}(x{given})"]
    bf = f"batch_first={spec.batch_first}"
    lines = [] if spec.given_packed else [f"packed = pack_padded_sequence(x, lengths, {bf}, enforce_sorted=False)"]
    source = "x" if spec.given_packed else "packed"
    return lines + [
        f"packed_output, {state} = {m}({source}{given})",
        f"output, lengths = pad_packed_sequence(packed_output, {bf})",
    ]
