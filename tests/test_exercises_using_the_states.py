"""Notebook 08's checkers: the reference solutions pass, each plausible mistake gets its own diagnosis, and an
answer that raises gets a message, never a traceback."""

import pytest
import torch

from helpers import check_decoder_state, check_padded_run, check_seq2seq_shapes
from helpers.exercises.solutions import using_the_states as solutions
from helpers.exercises.using_the_states import padded_run_facts


def test_reference_solutions_pass(capsys):
    check_padded_run(solutions.padded_run)
    check_decoder_state(solutions.decoder_state)
    check_seq2seq_shapes(solutions.seq2seq_shapes)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and all(line.startswith("Correct:") for line in lines)


@pytest.mark.parametrize("check", [check_padded_run, check_decoder_state, check_seq2seq_shapes])
def test_none_is_not_answered_yet(check, capsys):
    check(None)
    assert capsys.readouterr().out.startswith("Not answered yet")


def test_padded_run_facts_come_from_torch_and_leave_the_random_state():
    torch.manual_seed(3)
    state = torch.random.get_rng_state()
    facts = padded_run_facts()
    assert torch.equal(torch.random.get_rng_state(), state)
    assert facts == solutions.padded_run


ROW = "h_n[-1, n] equals output[lengths[n] - 1, n]"
PACKED = "h_n_packed[-1, n] equals h_n[-1, n]"
LAST = "h_n[-1] equals output[-1]"


@pytest.mark.parametrize(
    "change,says",
    [
        ({ROW: [True, True, True]}, "the GRU is never told the lengths"),
        ({ROW: [False, False, False]}, "Sequence 1 has all 6 steps"),
        ({ROW: [True, False, True]}, "The other way round"),
        ({PACKED: [True, True, True]}, "Packed, each sequence stops at its own end"),
        ({PACKED: [False, False, False]}, "Sequence 1 has no padding"),
        ({LAST: False}, "that is where h_n[-1] is taken"),
        ({PACKED: [False, False, True]}, "does packing change which steps the GRU reads"),
    ],
)
def test_padded_run_mistakes_are_named(change, says):
    with pytest.raises(AssertionError, match="Not yet") as caught:
        check_padded_run({**solutions.padded_run, **change})
    text = str(caught.value)
    assert says in text and "you predicted" in text and "torch gives" in text


def joined(state, k):
    per_layer = state.view(k, 2, *state.shape[1:])
    return torch.cat([per_layer[:, 0], per_layer[:, 1]], dim=-1)


@pytest.mark.parametrize(
    "wrong,says",
    [
        (lambda h, c, k: joined(h, k), "That is h_0 alone"),
        (lambda h, c, k: (joined(h, k), joined(h, k)), "c_0 is built from h_n"),
        (lambda h, c, k: (joined(h, k), c), "c_0 is c_n as it is"),
        (lambda h, c, k: (h.reshape(k, h.shape[1], -1), joined(c, k)), "glues the states of different sequences"),
        (
            lambda h, c, k: (
                torch.cat([h.view(k, 2, *h.shape[1:])[:, 1], h.view(k, 2, *h.shape[1:])[:, 0]], -1),
                joined(c, k),
            ),
            "backward state first",
        ),
        (
            lambda h, c, k: (
                torch.cat([h.view(2, k, *h.shape[1:])[0], h.view(2, k, *h.shape[1:])[1]], -1),
                joined(c, k),
            ),
            "view(2, num_layers, N, H)",
        ),
        (lambda h, c, k: (joined(h, k), joined(c, k) + 1), "other numbers than wanted"),
        (lambda h, c, k: {"h": h}, "Return the pair (h_0, c_0)"),
    ],
)
def test_decoder_state_mistakes_are_named(wrong, says):
    with pytest.raises(AssertionError, match="Not yet") as caught:
        check_decoder_state(wrong)
    text = str(caught.value)
    assert says in text and "08, section 3" in text
    assert "equations" not in text  # nothing points at equations this notebook does not have


def test_decoder_state_answers_that_raise_get_a_message():
    with pytest.raises(AssertionError, match="Your function raised IndexError"):
        check_decoder_state(lambda h, c, k: (h[k * 2], c))
    with pytest.raises(AssertionError, match="The checker calls decoder_state"):
        check_decoder_state(lambda h, k: h)
