"""Run the student's own module on their own input, leaving the module and torch's random state as found."""

from __future__ import annotations

import warnings

import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

from .inputs import CallSpec, check_call
from .locate import cell_states_in_output, final_states, summary
from .picture import picture
from .report import Report, shapes
from .traps import notes

# A note about which CPU kernel runs, not about the results.
QUIET = "LSTM with projections is not supported with oneDNN"


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


def run_module(module: nn.Module, x, hx, lengths: torch.Tensor | None, spec: CallSpec) -> tuple[dict, list[str]]:
    """Call module once with no gradient recorded; return the named tensors and torch's warnings."""
    if hx is not None and spec.cell == "LSTM":
        hx = tuple(hx)  # the LSTM takes (h_0, c_0) as a tuple, not a list
    with torch.no_grad(), torch.random.fork_rng(devices=[]), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if spec.packed and not spec.given_packed:
            x = pack_padded_sequence(x, lengths, batch_first=spec.batch_first, enforce_sorted=False)
        output, state = module(x, hx)
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
    said = [str(w.message) for w in caught if QUIET not in str(w.message)]
    return tensors, list(dict.fromkeys(said))


def explain(module: nn.Module, x, hx=None, lengths=None) -> Report:
    """Run your own nn.RNN, nn.GRU or nn.LSTM on your own x and explain, checked, what came back."""
    spec, lengths_t = check_call(module, x, hx, lengths)
    tensors, said = run_module(module, x, hx, lengths_t, spec)
    return Report(
        spec=spec,
        tensors=tensors,
        code=call_code(spec),
        shapes=shapes(spec, x, tensors),
        states=final_states(spec, tensors),
        cells_in_output=cell_states_in_output(spec, tensors) if "c_n" in tensors else None,
        summary=summary(spec, tensors),
        notes=notes(spec),
        picture=picture(spec, tensors),
        warnings=said,
    )
