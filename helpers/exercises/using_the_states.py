"""Checkers for notebook 08's exercises: the last valid step, a decoder's h_0 from a bidirectional encoder, shapes."""

from __future__ import annotations

import torch

from ..models import RNNConfig, RNNRun
from ..states import last_valid_output
from .core import Case, check_function, check_shapes
from .inside_the_cell import judge_by_mistakes

LAST_VALID_CASES = [
    Case(
        RNNConfig("gru", input_size=3, hidden_size=4, batch_first=True, seed=71),
        seq_len=6,
        batch_size=3,
        lengths=(6, 2, 4),
    ),
    Case(
        RNNConfig("lstm", input_size=2, hidden_size=3, num_layers=2, batch_first=True, seed=72),
        seq_len=5,
        batch_size=4,
        lengths=(1, 5, 3, 2),
    ),
]
DECODER_CASES = [
    Case(
        RNNConfig("gru", input_size=3, hidden_size=4, num_layers=2, bidirectional=True, batch_first=True, seed=81),
        seq_len=4,
        batch_size=3,
    ),
    Case(
        RNNConfig("gru", input_size=2, hidden_size=2, num_layers=3, bidirectional=True, seed=82),
        seq_len=3,
        batch_size=2,
    ),
]


def check_last_valid_step(answer) -> None:
    """Exercise 1: each sequence's output at its own last valid step, in a padded batch_first batch."""
    check_function(
        answer,
        name="last_valid_step",
        signature="last_valid_step(output, lengths)",
        cases=LAST_VALID_CASES,
        call=lambda fn, r: fn(r.output, r.lengths),
        expected=lambda r: last_valid_output(r.output, r.lengths, batch_first=True),
        wanted="output[n, lengths[n] - 1] for every sequence n, shape (N, H_out)",
        section="08, section 1 (Classifying a sequence)",
        success="each sequence's own last step, which equals h_n[-1] for a one-direction module",
    )


def _joined(r: RNNRun) -> torch.Tensor:
    """(num_layers, N, 2 * H): each layer's forward and backward final states side by side."""
    cfg = r.config
    view = r.h_n.view(cfg.num_layers, 2, *r.h_n.shape[1:])  # (num_layers, D, N, H)
    return torch.cat([view[:, 0], view[:, 1]], dim=-1)


def _wrong_h_0(r: RNNRun) -> dict[str, torch.Tensor]:
    cfg, h_n = r.config, r.h_n
    view = h_n.view(cfg.num_layers, 2, *h_n.shape[1:])
    return {
        "h_n.view(num_layers, N, 2 * H): a view reads h_n's rows in memory order, so it glues the states of "
        "different sequences together; split the directions with view(num_layers, 2, N, H) and concatenate them": h_n.reshape(
            cfg.num_layers, h_n.shape[1], -1
        ),
        "each layer's backward state first: put the forward state (direction 0) first": torch.cat(
            [view[:, 1], view[:, 0]], dim=-1
        ),
        "the two directions added, not joined: that is (num_layers, N, H), for a decoder of hidden_size H": view[:, 0]
        + view[:, 1],
    }


def check_decoder_h_0(answer) -> None:
    """Exercise 2: a bidirectional encoder's h_n as h_0 for a one-direction decoder twice as wide."""
    check_function(
        answer,
        name="decoder_h_0",
        signature="decoder_h_0(h_n, num_layers)",
        cases=DECODER_CASES,
        call=lambda fn, r: fn(r.h_n, r.config.num_layers),
        expected=_joined,
        wanted="(num_layers, N, 2 * H): for each layer, cat(forward state, backward state) along the features",
        section="08, section 3 (Seq2seq)",
        success="each layer's two directions joined, the h_0 a decoder with hidden_size 2 * H accepts",
        judge=judge_by_mistakes(_wrong_h_0),
    )


def check_seq2seq_shapes(answer) -> None:
    """Exercise 3: predict the shapes in a seq2seq set-up with a bidirectional LSTM encoder."""
    # nn.LSTM(10, 16, num_layers=3, bidirectional=True, batch_first=True) on x of shape (8, 12, 10);
    # the decoder is nn.LSTM(6, 32, num_layers=3, batch_first=True).
    check_shapes(
        answer,
        name="seq2seq_shapes",
        expected={"enc_output": (8, 12, 32), "h_n": (6, 8, 16), "c_n": (6, 8, 16), "decoder_h_0": (3, 8, 32)},
        section="08, section 3 (Seq2seq)",
        success="the encoder's output is batch first and 2 * 16 wide; h_n and c_n are (num_layers * 2, N, 16); "
        "joining the directions gives the decoder (3, 8, 32)",
    )
