"""Checkers for notebook 09's exercises: predict shapes for a new configuration, the classifier summary from a
packed output alone."""

from __future__ import annotations

import re
import warnings

import torch
from torch import nn
from torch.nn.utils.rnn import pad_packed_sequence

from ..models import RNNConfig, RNNRun
from ..states import sequence_summary
from .core import Case, check_function, check_shapes
from .variable_lengths import judge_mistakes, packed_output_of

SUMMARY_CASES = [
    Case(
        RNNConfig("gru", input_size=3, hidden_size=4, num_layers=2, bidirectional=True, seed=91),
        seq_len=5,
        batch_size=3,
        lengths=(4, 1, 5),
    ),
    Case(
        RNNConfig("lstm", input_size=2, hidden_size=5, proj_size=2, bidirectional=True, seed=92),
        seq_len=6,
        batch_size=2,
        lengths=(2, 6),
    ),
    Case(
        RNNConfig("rnn", input_size=2, hidden_size=3, bidirectional=True, batch_first=True, seed=93),
        seq_len=4,
        batch_size=4,
        lengths=(3, 4, 1, 2),
    ),
]


def projected_run_shapes() -> dict[str, tuple[int, ...]]:
    """Exercise 1's shapes, as torch returns them: nn.LSTM(5, 10, num_layers=2, proj_size=4, bidirectional=True)
    run on one unbatched sequence x of shape (7, 5)."""
    with torch.random.fork_rng(devices=[]):  # the learner's random state is left as it was
        lstm = nn.LSTM(5, 10, num_layers=2, proj_size=4, bidirectional=True)
    with torch.no_grad(), warnings.catch_warnings():  # a note about which CPU kernel runs, not about the shapes
        warnings.filterwarnings("ignore", message="LSTM with projections is not supported with oneDNN")
        output, (h_n, c_n) = lstm(torch.zeros(7, 5))
    return {"output": tuple(output.shape), "h_n": tuple(h_n.shape), "c_n": tuple(c_n.shape)}


def check_projected_shapes(answer) -> None:
    """Exercise 1: shapes of a projected bidirectional LSTM's results on one unbatched sequence."""
    check_shapes(
        answer,
        name="projected_shapes",
        expected=projected_run_shapes(),
        section="04, section 3 (`proj_size`: a smaller `h`, the same `c`) and 05, section 4 (one sequence, no batch axis)",
        success="unbatched drops N everywhere; H_out is proj_size = 4 for output and h_n, c_n stays hidden_size = 10",
    )


def _summary_mistakes(r: RNNRun) -> dict[str, torch.Tensor | None]:
    """What plausible wrong readings of the packed output give, each (N, 2 * H_out)."""
    packed = packed_output_of(r)
    with torch.no_grad():
        output, lengths = pad_packed_sequence(packed)  # (L, N, 2 * H_out), time first
    h = output.shape[-1] // 2
    n = torch.arange(output.shape[1])
    forward, backward = output[lengths - 1, n, :h], output[0, :, h:]
    right = torch.cat([forward, backward], dim=1)
    found = {
        "output[-1]: the padded output's last step, which is zeros for every sequence shorter than the longest": (
            output[-1]
        ),
        "both halves at each sequence's last valid step: the forward pass ends there, but the backward pass ends "
        "at step 0": output[lengths - 1, n],
        "the backward half first: cat(forward, backward) is the order h_n's rows have (h_n[-2], then h_n[-1])": (
            torch.cat([backward, forward], dim=1)
        ),
        "in PyTorch's sorted order (longest first), not your batch's: packed .data keeps the sorted order; "
        "pad_packed_sequence puts the rows back in your order": right[packed.sorted_indices],
        "both halves at step 0: the backward pass ends there, the forward pass at each sequence's last valid "
        "step": output[0],
    }
    if int(lengths.max()) - 1 < output.shape[1] and output.shape[1] <= output.shape[0]:  # indices that fit
        as_batch_first = torch.cat([output[n, lengths - 1, :h], output[:, 0, h:]], dim=1)
        found[
            "indexed as if output were batch first: pad_packed_sequence returns (L, N, 2 * H_out), time first, "
            "unless you pass batch_first=True"
        ] = as_batch_first
    return found


def _explain_summary_error(answer, r: RNNRun, error: Exception) -> str | None:
    text = str(error)
    if "PackedSequence" in text:
        return (
            "packed_output is a PackedSequence, not a tensor: pad it with pad_packed_sequence(packed_output), "
            "which also returns the lengths, or read packed_output.data."
        )
    if not isinstance(error, IndexError):
        return None
    found = re.search(r"index (-?\d+) is out of bounds for dimension (\d+) with size (\d+)", text)
    longest, n_seq = int(r.lengths.max()), len(r.lengths)
    if found and int(found.group(1)) == int(found.group(3)) == longest:
        return (
            f"Index {longest} is one past the last step: lengths[n] counts the steps, so sequence n's last valid step "
            f"is lengths[n] - 1."
        )
    if found and int(found.group(3)) == n_seq:
        return (
            "An index past the batch: pad_packed_sequence(packed_output) returns output time first, "
            "(L, N, 2 * H_out), unless you pass batch_first=True; index the time axis with the lengths."
        )
    return "Check which axis of the padded output you index with the lengths, and that each index is lengths - 1."


def check_summary_from_packed(answer) -> None:
    """Exercise 2: the classifier summary cat(h_n[-2], h_n[-1]) of a bidirectional run, from its packed output."""
    check_function(
        answer,
        name="summary_from_packed",
        signature="summary_from_packed(packed_output)",
        cases=SUMMARY_CASES,
        call=lambda fn, r: fn(packed_output_of(r)),
        expected=lambda r: sequence_summary(r.h_n, bidirectional=True),
        wanted="for each sequence n, in your batch's order: cat(forward half at its last valid step, backward half "
        "at step 0), which is cat(h_n[-2], h_n[-1]), (N, 2 * H_out)",
        section="08, section 1 and 06, sections 3 and 6 (pad_packed_sequence, two directions with packing)",
        success="pad_packed_sequence gives the lengths and your order back; the forward half at lengths - 1 and "
        "the backward half at step 0 are cat(h_n[-2], h_n[-1])",
        judge=judge_mistakes(
            _summary_mistakes,
            "Pad the packed output first (pad_packed_sequence returns the lengths too), then take the forward half "
            "at each sequence's last valid step and the backward half at step 0.",
        ),
        explain_error=_explain_summary_error,
    )
