"""Diagnosis by provenance: real mistakes made with torch get their own story, on many configurations.

Each mistake below is what a learner would type, written with plain indexing on a real run. For every
configuration where it makes sense, diagnose must name its pattern (never the generic one), every claim of the
form "your answer[i] is h_n[j, k]" must be true, and the advice it quotes must give the wanted tensor.
"""

import functools
import re

import pytest
import torch

from helpers import Case, RNNConfig
from helpers.exercises.diagnose import diagnose

CASES = {
    "gru 1-dir batch_first": Case(RNNConfig("gru", 3, 4, num_layers=2, batch_first=True, seed=1), 5, 3),
    "gru 2-dir time-major": Case(RNNConfig("gru", 3, 3, num_layers=2, bidirectional=True, seed=2), 6, 2),
    "lstm 2-dir batch_first packed": Case(
        RNNConfig("lstm", 2, 5, num_layers=3, bidirectional=True, batch_first=True, seed=3), 4, 3, lengths=(4, 2, 3)
    ),
    "lstm 1-dir time-major packed": Case(RNNConfig("lstm", 3, 3, num_layers=2, seed=4), 6, 4, lengths=(6, 3, 5, 2)),
    "lstm 2-dir proj_size": Case(
        RNNConfig("lstm", 3, 4, num_layers=2, bidirectional=True, batch_first=True, proj_size=2, seed=5), 5, 3
    ),
    "rnn 2-dir one layer": Case(RNNConfig("rnn", 2, 3, num_layers=1, bidirectional=True, seed=6), 4, 2),
}


class Run:
    """A run's tensors, detached, with output read as (N, L, D * H_out) whatever batch_first says."""

    def __init__(self, case: Case):
        r = case.run()
        self.run, self.case, self.cfg = r, case, case.config
        self.output, self.h_n = r.output.detach(), r.h_n.detach()
        self.c_n = None if r.c_n is None else r.c_n.detach()
        self.out = self.output if self.cfg.batch_first else self.output.transpose(0, 1)  # (N, L, D * H_out)
        self.H, self.D, self.N, self.L = self.cfg.h_out, self.cfg.num_directions, case.batch_size, case.seq_len
        lengths = case.lengths or (case.seq_len,) * case.batch_size
        self.last = torch.tensor(lengths) - 1  # (N,)

    def summary(self):
        return torch.cat([self.h_n[-2], self.h_n[-1]], -1) if self.D == 2 else self.h_n[-1]

    def last_valid(self):
        return self.out[torch.arange(self.N), self.last]  # (N, D * H_out)


def two_dirs(m):
    return m.D == 2


# pattern -> [(mistake name, applies to this run?, lambda run -> (got, expected))]
MISTAKES = {
    "extra_dim": [
        ("h_n[-1:] for h_n[-1]", None, lambda m: (m.h_n[-1:], m.h_n[-1])),
        ("out[:, :1] for out[:, 0]", None, lambda m: (m.out[:, :1], m.out[:, 0])),
    ],
    "missing_dim": [("h_n[-1] for h_n[-1:]", None, lambda m: (m.h_n[-1], m.h_n[-1:]))],
    "transposed": [
        ("h_n[-1].T", None, lambda m: (m.h_n[-1].T, m.h_n[-1])),
        ("h_n unchanged for batch first", lambda m: m.h_n.shape[0] != m.N, lambda m: (m.h_n, m.h_n.transpose(0, 1))),
    ],
    "stacked": [
        ("stack for cat", two_dirs, lambda m: (torch.stack([m.h_n[-2], m.h_n[-1]]), m.summary())),
        ("stack dim 1 for cat", two_dirs, lambda m: (torch.stack([m.h_n[-2], m.h_n[-1]], 1), m.summary())),
    ],
    "cat_dim": [("cat along dim 0", two_dirs, lambda m: (torch.cat([m.h_n[-2], m.h_n[-1]]), m.summary()))],
    "flattened": [("flatten()", None, lambda m: (m.h_n[-1].flatten(), m.h_n[-1]))],
    "wrong_layer": [
        ("the layer below", lambda m: m.cfg.num_layers > 1, lambda m: (m.h_n[-1 - m.D], m.h_n[-1])),
        (
            "layer 0's forward next to the top's backward",
            lambda m: two_dirs(m) and m.cfg.num_layers > 1,
            lambda m: (torch.cat([m.h_n[0], m.h_n[-1]], -1), m.summary()),
        ),
    ],
    "wrong_direction": [
        ("h_n[-2] for h_n[-1]", two_dirs, lambda m: (m.h_n[-2], m.h_n[-1])),
        (
            "forward half at the last step for the backward final state",
            two_dirs,
            lambda m: (m.last_valid()[:, : m.H], m.out[:, 0, m.H :]),
        ),
    ],
    "off_by_one": [
        ("step L - 2", lambda m: m.case.lengths is None, lambda m: (m.out[:, -2, : m.H], m.out[:, -1, : m.H])),
        ("step 1 for the backward end", two_dirs, lambda m: (m.out[:, 1, m.H :], m.out[:, 0, m.H :])),
    ],
    "wrong_step": [
        (
            "step 0 for the last step",
            lambda m: m.case.lengths is None,
            lambda m: (m.out[:, 0, : m.H], m.out[:, -1, : m.H]),
        ),
        (
            "last step for the backward end",
            lambda m: two_dirs(m) and m.case.lengths is None,
            lambda m: (m.out[:, -1, m.H :], m.out[:, 0, m.H :]),
        ),
    ],
    "halves_swapped": [("backward first", two_dirs, lambda m: (torch.cat([m.h_n[-1], m.h_n[-2]], -1), m.summary()))],
    "other_sequences": [
        (
            "reshape without a transpose",
            lambda m: m.h_n.shape[0] > 1,
            lambda m: (m.h_n.reshape(m.N, -1, m.H), m.h_n.transpose(0, 1)),
        ),
        (
            "view(N, -1) without a transpose",
            lambda m: m.h_n.shape[0] > 1,
            lambda m: (m.h_n.view(m.N, -1), m.h_n.transpose(0, 1)),
        ),
        ("h_n[-2:].reshape(N, -1)", two_dirs, lambda m: (m.h_n[-2:].reshape(m.N, -1), m.summary())),
    ],
    "view_order": [
        (
            "view(D, num_layers, N, H)",
            lambda m: two_dirs(m) and m.cfg.num_layers > 1,
            lambda m: (torch.cat(list(m.h_n.view(2, m.cfg.num_layers, m.N, m.H)[:, -1]), -1), m.summary()),
        )
    ],
    "padding": [
        (
            "out[:, -1] in a packed batch",
            lambda m: m.case.lengths is not None,
            lambda m: (m.out[:, -1, : m.H], m.h_n[-m.D]),
        )
    ],
    "zeros": [
        (
            "torch.zeros_like where no padding exists",
            lambda m: m.case.lengths is None,
            lambda m: (torch.zeros_like(m.h_n[-1]), m.h_n[-1]),
        )
    ],
    "c_n_for_h_n": [("c_n[-1] for h_n[-1]", lambda m: m.c_n is not None, lambda m: (m.c_n[-1], m.h_n[-1]))],
    "h_n_for_c_n": [("h_n[-1] for c_n[-1]", lambda m: m.c_n is not None, lambda m: (m.h_n[-1], m.c_n[-1]))],
    "partial": [("a slice bound one too small", two_dirs, lambda m: (m.out[:, 0, m.H - 1 :], m.out[:, 0, m.H :]))],
    "too_much": [("both halves of step 0", two_dirs, lambda m: (m.out[:, 0], m.out[:, 0, m.H :]))],
    "too_little": [("h_n[-1] alone", two_dirs, lambda m: (m.h_n[-1], m.summary()))],
    "time_for_batch": [
        ("output[0] read as a step", lambda m: m.N != m.L, lambda m: (m.out[0, :, : m.H], m.last_valid()[:, : m.H]))
    ],
    "nothing": [
        (
            "random numbers",
            None,
            lambda m: (torch.randn(m.summary().shape, generator=torch.Generator().manual_seed(0)), m.summary()),
        )
    ],
    "partly_nothing": [
        (
            "one half random",
            two_dirs,
            lambda m: (torch.cat([m.h_n[-2], torch.full_like(m.h_n[-1], 0.123)], -1), m.summary()),
        )
    ],
}

EXAMPLES = [
    (pattern, label, case_name)
    for pattern, mistakes in MISTAKES.items()
    for label, applies, _ in mistakes
    for case_name in CASES
    if applies is None or applies(Run(CASES[case_name]))
]


@functools.cache
def make(pattern, label, case_name):
    m = Run(CASES[case_name])
    maker = next(make for name, _, make in MISTAKES[pattern] if name == label)
    got, expected = maker(m)
    assert not (got.shape == expected.shape and torch.equal(got, expected)), "the mistake must be wrong"
    return m, got, expected


@functools.cache
def diagnosed(pattern, label, case_name):
    m, got, expected = make(pattern, label, case_name)
    return diagnose(m.run, got, expected)


def namespace(m, got, expected):
    return {"answer": got, "expected": expected, "output": m.output, "h_n": m.h_n, "c_n": m.c_n, "torch": torch}


def test_every_pattern_is_made_on_several_configurations():
    for pattern in MISTAKES:
        assert len({case for p, _, case in EXAMPLES if p == pattern}) >= 2, pattern
    kinds = {
        (CASES[c].config.cell, CASES[c].config.bidirectional, CASES[c].config.batch_first, CASES[c].lengths is not None)
        for _, _, c in EXAMPLES
    }
    assert {k[0] for k in kinds} >= {"gru", "lstm"} and {k[1] for k in kinds} == {True, False}
    assert {k[2] for k in kinds} == {True, False} and {k[3] for k in kinds} == {True, False}


@pytest.mark.parametrize("pattern,label,case_name", EXAMPLES)
def test_real_mistakes_get_their_pattern(pattern, label, case_name):
    m, got, expected = make(pattern, label, case_name)
    d = diagnosed(pattern, label, case_name)
    assert d.pattern == pattern, d.text
    assert d.text and "differ from the wanted ones" not in d.text


@pytest.mark.parametrize("pattern,label,case_name", EXAMPLES)
def test_advice_gives_the_wanted_tensor(pattern, label, case_name):
    m, got, expected = make(pattern, label, case_name)
    d = diagnosed(pattern, label, case_name)
    if d.advice is None:
        return
    assert d.advice in d.text  # the advice tested is the advice the learner reads
    ns = namespace(m, got, expected)
    assert torch.equal(eval(d.advice, ns), eval("expected" + d.target, ns)), (d.advice, d.target)


CLAIM = re.compile(r"[Yy]our (answer\[[^\]]*\]) is (?:only features (\d+):(\d+) of )?((?:output|h_n|c_n)\[[^\]]*\])")
SHOULD = re.compile(r"[Yy]our (answer\[[^\]]*\]) is [^.]*?\. It should be ((?:output|h_n|c_n)\[[^\]]*\])")


@pytest.mark.parametrize("pattern,label,case_name", EXAMPLES)
def test_every_claim_about_the_answer_is_true(pattern, label, case_name):
    m, got, expected = make(pattern, label, case_name)
    text = diagnosed(pattern, label, case_name).text
    if "Reshaped to" in text:  # the claims are about the answer reshaped to the wanted shape
        got = got.reshape(expected.shape)
    ns = namespace(m, got, expected)
    for where, a, b, name in CLAIM.findall(text):
        named = eval(name, ns)
        assert torch.equal(eval(where, ns), named[int(a) : int(b)] if a else named), (where, name)
    for where, name in SHOULD.findall(text):
        assert torch.equal(eval("expected" + where[len("answer") :], ns), eval(name, ns)), (where, name)


@pytest.mark.parametrize("case_name", CASES)
@pytest.mark.parametrize("wanted", ["summary", "last_valid", "h_n[-1]", "batch first"])
def test_random_numbers_of_the_right_shape_match_nothing(case_name, wanted):
    m = Run(CASES[case_name])
    expected = {
        "summary": m.summary(),
        "last_valid": m.last_valid(),
        "h_n[-1]": m.h_n[-1],
        "batch first": m.h_n.transpose(0, 1),
    }[wanted]
    got = torch.randn(expected.shape, generator=torch.Generator().manual_seed(1))
    d = diagnose(m.run, got, expected)
    assert d.pattern == "nothing"
    assert d.text == (
        "None of your answer's numbers match a vector of this run: not output at any step, not a row of "
        "h_n or c_n, not padding. Check what your code computes, piece by piece."
    )


def test_the_issue_example_wrong_layer_in_words():
    m = Run(CASES["gru 2-dir time-major"])
    d = diagnose(m.run, torch.cat([m.h_n[0], m.h_n[-1]], -1), m.summary())
    assert d.text == (
        "Your answer[0, 0:3] is h_n[0, 0]: final state of layer 0, forward, sequence 0. It should be h_n[-2, 0]: "
        "final state of layer 1 (the top layer), forward, sequence 0. That is the wrong layer: the last rows of h_n "
        "hold the top layer, the one output shows. (1 more piece of your answer differs too.)"
    )


def test_halves_swapped_advice_puts_the_forward_state_first():
    m = Run(CASES["lstm 2-dir batch_first packed"])
    d = diagnose(m.run, torch.cat([m.h_n[-1], m.h_n[-2]], -1), m.summary(), prefer="h_n")
    assert d.text == (
        "Your answer has the two halves of each row swapped: its first half is the backward direction "
        "(h_n[-1, 0]). output puts the forward direction first, then the backward one: put h_n[-2] "
        "first."
    )
    assert (d.advice, d.target) == ("h_n[-2]", "[..., 0:5]")
    assert torch.equal(m.summary()[..., 0:5], m.h_n[-2])


def test_padding_in_words():
    m = Run(CASES["lstm 1-dir time-major packed"])
    d = diagnose(m.run, m.out[:, -1], m.h_n[-1], prefer="output")
    assert d.text == (
        "Your answer[1] is zeros: what output holds after a sequence's end (padding). It should be output[2, 1]: the "
        "top layer's output at step 2, sequence 1. That is padding: sequence 1 has only 3 valid steps, and output "
        "holds zeros after them. Its final state is at its own last valid step, lengths[1] - 1 = 2. "
        "(2 more pieces of your answer differ too.)"
    )
    assert torch.equal(m.output[2, 1], m.h_n[-1, 1])  # the advice is right: sequence 1's last valid step


def test_c_n_in_words():
    m = Run(CASES["lstm 1-dir time-major packed"])
    d = diagnose(m.run, m.c_n[-1], m.h_n[-1])
    assert d.text == (
        "Your answer[0] is c_n[-1, 0]: cell state of layer 1 (the top layer), sequence 0. It should be h_n[-1, 0]: "
        "final state of layer 1 (the top layer), sequence 0. That is c_n, the LSTM's cell state; the task wants h_n, "
        "the hidden state (the one output shows). (3 more pieces of your answer differ too.)"
    )


def test_unbatched_runs_are_named_without_a_sequence():
    case = Case(RNNConfig("gru", 3, 3, num_layers=2, bidirectional=True, seed=7), seq_len=4, unbatched=True)
    r = case.run()
    h_n = r.h_n.detach()  # (num_layers * 2, H_out)
    d = diagnose(r, torch.cat([h_n[0], h_n[-1]]), torch.cat([h_n[-2], h_n[-1]]))
    assert d.pattern == "wrong_layer"
    assert d.text.startswith("Your answer[0:3] is h_n[0]: final state of layer 0, forward. It should be h_n[-2]: ")


def test_a_huge_answer_is_not_searched():
    m = Run(CASES["gru 1-dir batch_first"])
    d = diagnose(m.run, torch.zeros(100, 100), m.h_n[-1])
    assert d.pattern == "too_large"
    assert d.text == "Your answer has 10000 numbers (shape (100, 100)); the task wants 12 (shape (3, 4))."


@pytest.mark.parametrize("batch_first", [True, False])
def test_time_read_as_batch_when_the_shapes_happen_to_agree(batch_first):
    case = Case(RNNConfig("gru", 3, 4, batch_first=batch_first, seed=8), seq_len=3, batch_size=3)  # N == L
    m = Run(case)
    wrong = m.output[0]  # batch_first=False: step 0 of every sequence; True: every step of sequence 0
    d = diagnose(m.run, wrong, m.out[:, -1], prefer="output")
    if batch_first:
        assert d.pattern == "time_for_batch"
        assert d.text == (
            "The rows of your answer are the steps of one sequence: your answer[0] is output[0, 0]; "
            "your answer[1] is output[0, 1], and more. The task wants one row per sequence. Here "
            "output is (N, L, ...): check which dimension is time and which is the batch."
        )
    else:
        assert d.pattern == "wrong_step"  # output[0] is step 0 of each sequence when time comes first
    ns = namespace(m, wrong, m.out[:, -1])
    for where, a, b, name in CLAIM.findall(d.text):
        named = eval(name, ns)
        assert torch.equal(eval(where, ns), named[int(a) : int(b)] if a else named)


def test_wrong_layer_also_says_when_the_direction_differs():
    m = Run(CASES["gru 2-dir time-major"])
    d = diagnose(m.run, m.h_n[0], m.h_n[-1])
    assert d.pattern == "wrong_layer"
    assert d.text == (
        "Your answer[0] is h_n[0, 0]: final state of layer 0, forward, sequence 0. It should be h_n[-1, 0]: final "
        "state of layer 1 (the top layer), backward, sequence 0. That is the wrong layer: the last rows of h_n hold "
        "the top layer, the one output shows. It is also the other direction. (1 more piece of your answer differs "
        "too.)"
    )


def test_wanted_numbers_computed_from_the_run_are_not_named():
    m = Run(CASES["gru 2-dir time-major"])
    wanted = m.h_n[-1] * 2  # maths on the run: no vector of it
    d = diagnose(m.run, m.h_n[-1], wanted)
    assert d.pattern == "mixed"
    assert d.text == (
        "Your answer[0] is h_n[-1, 0]: final state of layer 1 (the top layer), backward, sequence 0. "
        "The task wants other numbers there, computed from the run rather than read from it."
    )


# --- diagnose never trips, whatever the two tensors hold -----------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@st.composite
def tensors_made_of_the_run(draw, m):
    """A tensor whose rows are drawn from the run's vectors, zeros and random numbers, in a random shape."""
    vectors = [m.h_n.reshape(-1, m.H), m.output.reshape(-1, m.H)]
    if m.c_n is not None:
        vectors.append(m.c_n.reshape(-1, m.c_n.shape[-1])[:, : m.H])
    pool = torch.cat(vectors + [torch.zeros(1, m.H), torch.randn(2, m.H, generator=torch.Generator().manual_seed(3))])
    rows = draw(st.lists(st.integers(0, pool.shape[0] - 1), min_size=1, max_size=12))
    picked = pool[rows]  # (k, H)
    cut = draw(st.integers(0, m.H - 1))
    flat = picked.reshape(-1)[cut:] if draw(st.booleans()) else picked.reshape(-1)
    shape = draw(st.sampled_from([(-1,), (1, -1), (-1, 1), (flat.numel(),)]))
    return flat.reshape(shape)


@pytest.mark.parametrize("case_name", CASES)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_diagnose_never_trips(case_name, data):
    m = Run(CASES[case_name])
    got = data.draw(tensors_made_of_the_run(m))
    expected = data.draw(tensors_made_of_the_run(m))
    d = diagnose(m.run, got, expected)
    assert d.pattern and d.text


def test_a_wanted_tensor_outside_the_run_gets_a_message_not_an_index_error():
    """A lower layer's output is in no returned tensor: the diagnosis still says what the answer holds."""
    from helpers import RNNConfig, run
    from helpers.exercises.diagnose import diagnose

    r = run(RNNConfig("gru", 3, 4, 2), seq_len=4, batch_size=2)
    want = torch.randn(4, 2, 4, generator=torch.Generator().manual_seed(0))  # numbers no returned tensor holds
    result = diagnose(r, r.output, want)
    assert result.text == (
        "Your answer[0, 0] is output[0, 0]: the top layer's output at step 0, sequence 0. "
        "The task wants other numbers there, computed from the run rather than read from it."
    )
