"""Checkers for notebook 06's exercises: each sequence's last valid step, the backward final state when packed,
and the shapes pad_packed_sequence returns."""

from __future__ import annotations

import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from ..models import RNNConfig, build_module, make_input
from .core import Case, check_function, check_shapes

LAST_VALID_CASES = [
    Case(
        RNNConfig(cell="gru", input_size=3, hidden_size=4, num_layers=1, batch_first=True, seed=61),
        6,
        3,
        lengths=(4, 6, 2),
    ),
    Case(
        RNNConfig(cell="lstm", input_size=2, hidden_size=3, num_layers=2, batch_first=True, seed=62),
        5,
        4,
        lengths=(1, 5, 3, 2),
    ),
    Case(
        RNNConfig(cell="rnn", input_size=4, hidden_size=5, num_layers=1, batch_first=True, seed=63),
        7,
        2,
        lengths=(7, 3),
    ),
]
BACKWARD_CASES = [
    Case(
        RNNConfig(cell="gru", input_size=3, hidden_size=4, num_layers=1, bidirectional=True, batch_first=True, seed=64),
        6,
        3,
        lengths=(4, 6, 2),
    ),
    Case(
        RNNConfig(
            cell="lstm", input_size=2, hidden_size=3, num_layers=2, bidirectional=True, batch_first=True, seed=65
        ),
        5,
        4,
        lengths=(5, 1, 3, 2),
    ),
]
# Exercise 3's call: a batch-first bidirectional GRU, hidden_size=5, x (4, 10, 3), lengths [7, 3, 9, 2]
PADDED_CONFIG = RNNConfig(cell="gru", input_size=3, hidden_size=5, bidirectional=True, batch_first=True)
PADDED_LENGTHS = [7, 3, 9, 2]


def _batch(r) -> torch.Tensor:
    return torch.arange(r.output.shape[0])


def check_last_valid(answer) -> None:
    """Exercise 1: last_valid(output, lengths) -> output at each sequence's last valid step, batch first."""
    check_function(
        answer,
        name="last_valid",
        signature="last_valid(output, lengths)",
        cases=LAST_VALID_CASES,
        call=lambda f, r: f(r.output, r.lengths.clone()),
        expected=lambda r: r.output[_batch(r), r.lengths - 1],  # (N, H_out)
        wanted="output[torch.arange(N), lengths - 1]: sequence n's output at its step lengths[n] - 1",
        section="06, section 3 (each sequence's last valid step)",
        success="each sequence's own last step, which is h_n[-1] in the batch's order",
    )


def check_packed_backward_final(answer) -> None:
    """Exercise 2: packed_backward_final(output) -> the top layer's backward final state of a packed batch-first run."""
    check_function(
        answer,
        name="packed_backward_final",
        signature="packed_backward_final(output)",
        cases=BACKWARD_CASES,
        call=lambda f, r: f(r.output),
        expected=lambda r: r.output[:, 0, r.config.h_out :],  # (N, H_out)
        wanted="output[:, 0, H_out:]: the backward half at step 0, where the backward pass ends for every sequence",
        section="06, section 5 (bidirectional with packing)",
        success="the backward pass ends at step 0 for every sequence, whatever its length",
    )


def check_padded_shapes(answer) -> None:
    """Exercise 3: the shapes pad_packed_sequence returns, with and without total_length; from a real call."""
    module = build_module(PADDED_CONFIG)
    x = make_input(PADDED_CONFIG, seq_len=10, batch_size=4)  # (N, L, H_in) = (4, 10, 3)
    packed = pack_padded_sequence(x, PADDED_LENGTHS, batch_first=True, enforce_sorted=False)
    packed_output, h_n = module(packed)
    output, _ = pad_packed_sequence(packed_output, batch_first=True)
    output_total, _ = pad_packed_sequence(packed_output, batch_first=True, total_length=10)
    check_shapes(
        answer,
        name="padded_shapes",
        expected={
            "output": tuple(output.shape),
            "output_total_length": tuple(output_total.shape),
            "h_n": tuple(h_n.shape),
        },
        section="06, sections 2 and 4 (pad_packed_sequence and total_length)",
        success="padding stops at the longest sequence unless total_length asks for more",
    )
