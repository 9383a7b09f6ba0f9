"""Checkers for notebook 08's exercises: predict what a padded, unpacked run leaves in h_n; an LSTM decoder's
(h_0, c_0) from a bidirectional encoder; the shapes of a seq2seq set-up."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from ..models import RNNConfig, RNNRun
from .answers import describe_object
from .core import Case, check_function, check_shapes
from .variable_lengths import compare_prediction

# ---------------------------------------------------------------------------------------------------------------
# Exercise 1: predict, then run: a padded batch fed without packing, time first.

PADDED_LENGTHS = [4, 6, 2]  # x is (L, N, H_in) = (6, 3, 3)


def padded_run_facts() -> dict[str, object]:
    """Exercise 1's facts, from the very call the exercise shows (seeded as it is)."""
    with torch.random.fork_rng(devices=[]):  # the learner's random state is left as it was
        torch.manual_seed(0)
        gru = nn.GRU(input_size=3, hidden_size=4, num_layers=2)  # time first
        x = torch.randn(6, 3, 3)  # (L, N, H_in)
    lengths = torch.tensor(PADDED_LENGTHS)
    x[torch.arange(6)[:, None] >= lengths[None, :]] = 0  # zeros after each sequence's end
    with torch.no_grad():
        output, h_n = gru(x)  # padded, not packed
        _, h_n_packed = gru(pack_padded_sequence(x, lengths, enforce_sorted=False))
    return {
        "h_n[-1] equals output[-1]": torch.equal(h_n[-1], output[-1]),
        "h_n[-1, n] equals output[lengths[n] - 1, n]": [
            torch.allclose(h_n[-1, n], output[length - 1, n]) for n, length in enumerate(PADDED_LENGTHS)
        ],
        "h_n_packed[-1, n] equals h_n[-1, n]": [torch.allclose(h_n_packed[-1, n], h_n[-1, n]) for n in range(3)],
    }


def check_padded_run(answer) -> None:
    """Exercise 1: three predictions about a padded batch that the GRU read without packing."""
    right = padded_run_facts()
    full = [n == 1 for n in range(3)]  # only sequence 1 has all 6 steps
    mistakes = {
        "h_n[-1] equals output[-1]": [
            (
                False,
                "One direction, not packed: output[-1] is the top layer's state after the tensor's last step, and "
                "that is where h_n[-1] is taken, for every sequence, padding or not.",
            )
        ],
        "h_n[-1, n] equals output[lengths[n] - 1, n]": [
            (
                [True, True, True],
                "Not packed, the GRU is never told the lengths: it reads the zeros after each end as data, so "
                "h_n is the state after step L - 1 for every sequence, past the true end of the shorter ones.",
            ),
            (
                [False, False, False],
                "Sequence 1 has all 6 steps: its last valid step is the tensor's last step, where h_n is taken.",
            ),
            (
                [not f for f in full],
                "The other way round: only the full-length sequence (n = 1) ends where h_n is taken.",
            ),
        ],
        "h_n_packed[-1, n] equals h_n[-1, n]": [
            (
                [True, True, True],
                "Packed, each sequence stops at its own end; not packed, the shorter ones go on through the padding, "
                "so their final states differ.",
            ),
            (
                [False, False, False],
                "Sequence 1 has no padding: packed or not, the GRU reads the same 6 steps, so its final state is "
                "the same.",
            ),
        ],
    }
    hints = {
        "h_n[-1] equals output[-1]": "Compare where output's last step and h_n are taken.",
        "h_n[-1, n] equals output[lengths[n] - 1, n]": "For each sequence: is its last valid step the tensor's last "
        "step?",
        "h_n_packed[-1, n] equals h_n[-1, n]": "For each sequence: does packing change which steps the GRU reads?",
    }
    compare_prediction(
        answer,
        name="padded_run",
        expected=right,
        mistakes=mistakes,
        hints=hints,
        section="08, section 1 (Padded but not packed) and 06, section 1",
        success="not packed, h_n is the state after the padding: it is each sequence's own final state only for a "
        "sequence of full length; packing makes it so for every sequence",
    )


# ---------------------------------------------------------------------------------------------------------------
# Exercise 2: an LSTM decoder's (h_0, c_0) from a bidirectional LSTM encoder, three layers, time first.

DECODER_CASES = [
    Case(RNNConfig("lstm", input_size=3, hidden_size=4, num_layers=3, bidirectional=True, seed=81), 4, 2),
    Case(RNNConfig("lstm", input_size=2, hidden_size=3, num_layers=1, bidirectional=True, seed=82), 3, 3),
    Case(
        RNNConfig("lstm", input_size=2, hidden_size=2, num_layers=2, bidirectional=True, batch_first=True, seed=83),
        5,
        4,
    ),
]


def _joined(state: torch.Tensor, num_layers: int) -> torch.Tensor:
    """(num_layers, N, 2 * H): each layer's forward and backward final states side by side."""
    per_layer = state.view(num_layers, 2, *state.shape[1:])  # (num_layers, D, N, H)
    return torch.cat([per_layer[:, 0], per_layer[:, 1]], dim=-1)


def _expected_pair(r: RNNRun) -> torch.Tensor:
    k = r.config.num_layers
    return torch.stack([_joined(r.h_n, k), _joined(r.c_n, k)])  # (2, num_layers, N, 2 * H): h_0, then c_0


def _wrong_joins(state: torch.Tensor, k: int, source: str) -> dict[str, torch.Tensor]:
    """Plausible wrong ways to join the directions of source ("h_n" or "c_n")."""
    n, h = state.shape[1], state.shape[2]
    per_layer = state.view(k, 2, n, h)
    return {
        f"{source}.view(num_layers, N, 2 * H): a view reads the rows in memory order, so it glues the states of "
        "different sequences together; split the directions with view(num_layers, 2, N, H), then join them": (
            state.reshape(k, n, 2 * h)
        ),
        "each layer's backward state first: put the forward state (direction 0) first": torch.cat(
            [per_layer[:, 1], per_layer[:, 0]], dim=-1
        ),
        "the two directions added, not joined: that is (num_layers, N, H), for a decoder of hidden_size H": (
            per_layer[:, 0] + per_layer[:, 1]
        ),
        f"{source} split with view(2, num_layers, N, H): the rows go layer by layer (layer 0 forward, layer 0 backward, "
        "layer 1 forward, ...), so that view mixes layers; use view(num_layers, 2, N, H)": torch.cat(
            [state.view(2, k, n, h)[0], state.view(2, k, n, h)[1]], dim=-1
        ),
    }


def _judge_pair(got, r: RNNRun, expected: torch.Tensor) -> str | None:
    k = r.config.num_layers
    h_0, c_0 = expected[0], expected[1]
    if isinstance(got, torch.Tensor):
        if got.shape == h_0.shape and torch.equal(got.detach(), h_0):
            return (
                "That is h_0 alone. An LSTM decoder takes the pair (h_0, c_0): build c_0 from c_n the same way and "
                "return both"
            )
        return f"Your function returned {describe_object(got)}. An LSTM's start state is a pair: return (h_0, c_0)"
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return f"Your function returned {describe_object(got)}. Return the pair (h_0, c_0), two tensors"
    problems = []
    for name, value, want, source in (("h_0", got[0], h_0, r.h_n), ("c_0", got[1], c_0, r.c_n)):
        if not isinstance(value, torch.Tensor):
            problems.append(f"{name} is {describe_object(value)}, not a tensor.")
            continue
        value = value.detach()
        if value.shape == want.shape and torch.equal(value, want):
            continue
        other = c_0 if name == "h_0" else h_0
        if value.shape == other.shape and torch.equal(value, other):
            built = "c_n" if name == "h_0" else "h_n"
            problems.append(f"{name} is built from {built}: h_0 comes from h_n, c_0 from c_n.")
            continue
        if value.shape == source.shape and torch.equal(value, source.detach()):
            what = "h_n" if name == "h_0" else "c_n"
            problems.append(
                f"{name} is {what} as it is, (num_layers * 2, N, H): the decoder has one direction, so it wants "
                f"(num_layers, N, 2 * H), each layer's two directions joined."
            )
            continue
        named = next(
            (
                why
                for why, wrong in _wrong_joins(source.detach(), k, "h_n" if name == "h_0" else "c_n").items()
                if value.shape == wrong.shape and torch.equal(value, wrong)
            ),
            None,
        )
        if named:
            problems.append(f"{name} is {named}.")
        else:
            problems.append(
                f"{name} has shape {tuple(value.shape)} and other numbers than wanted, (num_layers, N, 2 * H) "
                f"= {tuple(want.shape)}: for each layer, its forward row, then its backward row, side by side."
            )
    return " ".join(problems) if problems else None


def check_decoder_state(answer) -> None:
    """Exercise 2: a bidirectional LSTM encoder's (h_n, c_n) as (h_0, c_0) for a one-direction decoder twice as wide."""
    check_function(
        answer,
        name="decoder_state",
        signature="decoder_state(h_n, c_n, num_layers)",
        cases=DECODER_CASES,
        call=lambda fn, r: fn(r.h_n, r.c_n, r.config.num_layers),
        expected=_expected_pair,
        wanted="the pair (h_0, c_0), each (num_layers, N, 2 * H): for each layer, cat(forward, backward) along the "
        "features, from h_n for h_0 and from c_n for c_0 (shown below stacked, h_0 then c_0)",
        section="08, section 3 (Seq2seq: a bidirectional encoder) and 04 (the LSTM's pair)",
        success="each layer's two directions joined, for h and for c: the pair an LSTM decoder with hidden_size "
        "2 * H accepts",
        judge=_judge_pair,
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
