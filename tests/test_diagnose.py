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
        ("h_n unchanged for batch first", None, lambda m: (m.h_n, m.h_n.transpose(0, 1))),
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
    "halves_swapped": [
        ("backward first", two_dirs, lambda m: (torch.cat([m.h_n[-1], m.h_n[-2]], -1), m.summary())),
        (  # a c_n half is hidden_size wide, wider than H_out with proj_size
            "c_n backward first",
            lambda m: two_dirs(m) and m.c_n is not None,
            lambda m: (torch.cat([m.c_n[-1], m.c_n[-2]], -1), torch.cat([m.c_n[-2], m.c_n[-1]], -1)),
        ),
    ],
    "other_sequences": [
        (
            "reshape without a transpose",  # with N == num_layers * D the reshape moves nothing: a transpose story
            lambda m: m.h_n.shape[0] not in (1, m.N),
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
        ),
        (  # c_n is never padded, packed or not
            "torch.zeros_like for c_n",
            lambda m: m.c_n is not None,
            lambda m: (torch.zeros_like(m.c_n[-1]), m.c_n[-1]),
        ),
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


# --- the stories in the learner's words: every message whole, on the configurations that change its words ----------

from helpers.exercises.diagnose import values  # noqa: E402
from helpers.exercises.diagnose.index import Name, Piece, RunIndex  # noqa: E402
from helpers.exercises.diagnose.names import code, column, words  # noqa: E402
from helpers.exercises.diagnose.names import where as where_in_answer  # noqa: E402

UNBATCHED = {
    "gru 2-dir unbatched": Case(
        RNNConfig("gru", 3, 3, num_layers=2, bidirectional=True, seed=7), seq_len=4, unbatched=True
    ),
    "lstm 1-dir unbatched": Case(RNNConfig("lstm", 2, 3, num_layers=2, seed=9), seq_len=3, unbatched=True),
}
ALL_CASES = {
    **CASES,
    **UNBATCHED,
    "gru batch of one": Case(RNNConfig("gru", 3, 4, seed=12), seq_len=4, batch_size=1),
    "gru 3 layers": Case(RNNConfig("gru", 3, 3, num_layers=3, seed=13), seq_len=3, batch_size=2),
    # N == H_out: h_n[-1] is square, so h_n[-1].T has its shape
    "gru 2-dir square": Case(RNNConfig("gru", 3, 3, num_layers=2, bidirectional=True, seed=2), 5, 3),
    "lstm proj_size square": Case(RNNConfig("lstm", 3, 4, num_layers=1, proj_size=3, seed=2), 5, 3),
    # N == num_layers * D: h_n has the shape of h_n.transpose(0, 1)
    "gru 2 layers 2 sequences": Case(RNNConfig("gru", 3, 3, num_layers=2, seed=2), 5, 2),
    "gru 2 layers 3 sequences": Case(RNNConfig("gru", 3, 3, num_layers=2, seed=2), 5, 3),
}


def tensors(r):
    detach = lambda t: None if t is None else t.detach()  # noqa: E731
    return {"output": detach(r.output), "h_n": detach(r.h_n), "c_n": detach(r.c_n), "torch": torch}


@pytest.mark.parametrize("case_name", ALL_CASES)
def test_every_vector_of_a_run_is_named_by_indexing_that_gives_it(case_name):
    """code() is what the learner can type to get the vector; column() the same vector for every sequence at once;
    the top layer's rows of h_n and c_n are counted from the end (h_n[-1], h_n[-2]), the others from the start."""
    case = ALL_CASES[case_name]
    r = case.run()
    ix, ns = RunIndex(r), tensors(r)
    rows = ix.num_layers * ix.num_directions
    for name, vector in ix.vectors:
        typed = code(name, ix)
        assert torch.equal(eval(typed, ns), vector), (name, typed)
        every = eval(column(name, ix), ns)
        assert torch.equal(every if r.unbatched else every[name.seq], vector), (name, column(name, ix))
        if name.tensor != "output":
            row = int(re.match(r"\w+\[(-?\d+)", typed).group(1))
            assert row == (name.row - rows if name.layer == ix.num_layers - 1 else name.row), typed
            assert column(name, ix) == f"{name.tensor}[{row}]"


@pytest.mark.parametrize("case_name", ALL_CASES)
def test_the_index_holds_every_valid_step_and_every_row_where_each_direction_ended(case_name):
    """output's valid steps (not padding), every row of h_n and c_n; a row's step is where its direction ended:
    the last valid step forward, step 0 backward; the top layer's rows equal output there."""
    case = ALL_CASES[case_name]
    r = case.run()
    ix, cfg = RunIndex(r), case.config
    n = 1 if case.unbatched else case.batch_size
    lengths = list(case.lengths or (case.seq_len,) * n)
    rows = cfg.num_layers * cfg.num_directions
    count = {t: sum(1 for name, _ in ix.vectors if name.tensor == t) for t in ("output", "h_n", "c_n")}
    assert count == {
        "output": sum(lengths) * cfg.num_directions,
        "h_n": rows * n,
        "c_n": rows * n if r.c_n is not None else 0,
    }
    out = r.output.detach().unsqueeze(1) if case.unbatched else r.output.detach()
    out = out.transpose(0, 1) if cfg.batch_first and not case.unbatched else out  # (L, N, D * H_out)
    for name, vector in ix.vectors:
        assert name.layer == (cfg.num_layers - 1 if name.tensor == "output" else name.row // cfg.num_directions)
        if name.tensor == "output":
            assert name.step < lengths[name.seq] and name.row == -1
            continue
        assert name.direction == name.row % cfg.num_directions
        assert name.step == (lengths[name.seq] - 1 if name.direction == 0 else 0)
        if name.tensor == "h_n" and name.layer == cfg.num_layers - 1:
            h = cfg.h_out
            assert torch.equal(out[name.step, name.seq, name.direction * h : (name.direction + 1) * h], vector)
        assert ix.find(vector)[0] == next(nm for nm, v in ix.vectors if torch.equal(v, vector))
        one_ulp_off = torch.nextafter(vector, torch.full_like(vector, float("inf")))
        assert ix.find(one_ulp_off) == ()  # exact equality only: a number one ulp off names nothing
    assert ix.find(torch.zeros(cfg.h_out)) == (Name("zeros"),)
    assert ix.find(torch.full((cfg.h_out,), 0.123)) == ()
    assert ix.widths == sorted({cfg.h_out, cfg.hidden_size} if r.c_n is not None else {cfg.h_out}, reverse=True)


WORDS = [
    (
        "gru 1-dir batch_first",
        Name("output", 2, 1, 0, 4),
        "output[2, 4]",
        "the top layer's output at step 4, sequence 2",
    ),
    ("gru 1-dir batch_first", Name("h_n", 1, 0, 0, 4, 0), "h_n[0, 1]", "final state of layer 0, sequence 1"),
    (
        "gru 1-dir batch_first",
        Name("h_n", 1, 1, 0, 4, 1),
        "h_n[-1, 1]",
        "final state of layer 1 (the top layer), sequence 1",
    ),
    ("gru 1-dir batch_first", Name("zeros"), "zeros", "all its numbers are 0"),
    ("rnn 2-dir one layer", Name("h_n", 1, 0, 1, 0, 1), "h_n[-1, 1]", "final state of layer 0, backward, sequence 1"),
    (
        "rnn 2-dir one layer",
        Name("output", 0, 0, 1, 2),
        "output[2, 0, 3:6]",
        "the top layer's output at step 2, backward, sequence 0",
    ),
    (
        "lstm 2-dir batch_first packed",
        Name("c_n", 2, 2, 1, 0, 5),
        "c_n[-1, 2]",
        "cell state of layer 2 (the top layer), backward, sequence 2",
    ),
    (
        "lstm 2-dir batch_first packed",
        Name("c_n", 2, 1, 0, 2, 2),
        "c_n[2, 2]",
        "cell state of layer 1, forward, sequence 2",
    ),
    ("lstm 2-dir batch_first packed", Name("zeros"), "zeros", "what output holds after a sequence's end (padding)"),
    (
        "lstm 2-dir batch_first packed",
        Name("output", 1, 2, 1, 1),
        "output[1, 1, 5:10]",
        "the top layer's output at step 1, backward, sequence 1",
    ),
    ("gru 2-dir unbatched", Name("h_n", 0, 1, 1, 0, 3), "h_n[-1]", "final state of layer 1 (the top layer), backward"),
    ("gru 2-dir unbatched", Name("output", 0, 1, 0, 2), "output[2, 0:3]", "the top layer's output at step 2, forward"),
    ("gru 2-dir unbatched", Name("h_n", 0, 0, 1, 0, 1), "h_n[1]", "final state of layer 0, backward"),
    ("lstm 1-dir unbatched", Name("c_n", 0, 1, 0, 2, 1), "c_n[-1]", "cell state of layer 1 (the top layer)"),
    ("lstm 1-dir unbatched", Name("output", 0, 1, 0, 1), "output[1]", "the top layer's output at step 1"),
]


@pytest.mark.parametrize("case_name,name,typed,said", WORDS)
def test_a_vector_in_words(case_name, name, typed, said):
    """Layer (and "(the top layer)" only when there are several), direction only when bidirectional, sequence only
    when batched; zeros are padding only in a run that has padding."""
    ix = RunIndex(ALL_CASES[case_name].run())
    assert (code(name, ix), words(name, ix)) == (typed, said)


def test_where_a_piece_sits_in_the_answer():
    names = (Name("zeros"),)
    assert where_in_answer(Piece((), 0, 3, names), 3) == "answer"
    assert where_in_answer(Piece((), 3, 6, names), 6) == "answer[3:6]"
    assert where_in_answer(Piece((1,), 0, 4, names), 4) == "answer[1]"
    assert where_in_answer(Piece((1,), 0, 2, names), 4) == "answer[1, 0:2]"
    assert where_in_answer(Piece((0, 2), 2, 4, names), 4) == "answer[0, 2, 2:4]"


def test_values_shows_the_first_numbers_to_four_decimals():
    assert values(torch.tensor([0.5, -1.25])) == "[0.5000, -1.2500]"
    assert values(torch.arange(6.0).reshape(2, 3)) == "[0.0000, 1.0000, 2.0000, 3.0000, 4.0000, 5.0000]"
    assert values(torch.arange(7.0)) == "[0.0000, 1.0000, 2.0000, 3.0000, 4.0000, 5.0000, ...]"
    assert values(torch.tensor([[1, 2], [3, 4]])) == "[1, 2, 3, 4]"  # integers as integers
    assert values(torch.arange(10), count=3) == "[0, 1, 2, ...]"
    assert values(torch.tensor([1 / 3], requires_grad=True)) == "[0.3333]"
    assert values(torch.zeros(0)) == "[]"


def test_an_empty_answer_says_its_slice_selects_nothing():
    m = Run(CASES["gru 2-dir time-major"])
    d = diagnose(m.run, m.h_n[-1][:, 5:], m.h_n[-1])
    assert (d.pattern, d.advice) == ("empty", None)
    assert d.text == ("Your answer is empty (shape (2, 0)): a slice that starts at or after its end selects nothing.")


def test_answers_up_to_5000_numbers_are_searched():
    m = Run(CASES["gru 2-dir time-major"])
    searched = diagnose(m.run, torch.zeros(5000), m.h_n[-1])
    assert searched.pattern != "too_large" and searched.text.startswith("Your answer holds other states of the run")
    d = diagnose(m.run, torch.zeros(5001), m.h_n[-1])
    assert d.text == "Your answer has 5001 numbers (shape (5001,)); the task wants 6 (shape (2, 3))."


def test_an_answer_in_another_dtype_is_read_by_its_values():
    m = Run(CASES["gru 2-dir time-major"])
    d = diagnose(m.run, m.h_n[-1:].double(), m.h_n[-1])
    assert (d.pattern, d.advice) == ("extra_dim", "answer.squeeze(0)")
    d = diagnose(m.run, m.h_n[-1:], m.h_n[-1].double())
    assert (d.pattern, d.advice) == ("extra_dim", "answer.squeeze(0)")


SHAPE_STORIES = [
    (
        "gru 2-dir time-major",
        "m.h_n[-1, 0, :1].reshape(1, 1)",
        "m.h_n[-1, 0, :1]",
        "extra_dim",  # one number is still the right numbers in the wrong shape
        "Your answer holds the right numbers, with an extra dimension of size 1 at position 0 (shape (1, 1), wanted "
        "(1,)). A slice such as 0:1 keeps a dimension; an integer index such as 0 drops it. Drop it with "
        "answer.squeeze(0).",
    ),
    (
        "gru 2-dir time-major",
        "m.h_n[-1, :1].unsqueeze(0)",
        "m.h_n[-1, 0]",
        "reshaped",  # two extra dimensions: no single squeeze undoes it
        "Your answer holds the right numbers in the right order, but reshaped (shape (1, 1, 3), wanted (3,)): "
        "answer.reshape(3,) gives the wanted shape.",
    ),
    (
        "gru 2-dir time-major",
        "m.h_n[-1, 0].reshape(3, 1)",
        "m.h_n[-1, 0].reshape(1, 3)",
        "transposed",
        "Your answer holds the right numbers, with its dimensions in another order (shape (3, 1), wanted (1, 3)). Put "
        "them in the wanted order with answer.transpose(0, 1).",
    ),
    (
        "gru 2-dir time-major",
        "m.h_n[-1:]",
        "m.h_n[-1]",
        "extra_dim",
        "Your answer holds the right numbers, with an extra dimension of size 1 at position 0 (shape (1, 2, 3), wanted "
        "(2, 3)). A slice such as 0:1 keeps a dimension; an integer index such as 0 drops it. Drop it with "
        "answer.squeeze(0).",
    ),
    (
        "gru 2-dir time-major",
        "m.h_n[-1].unsqueeze(1)",
        "m.h_n[-1]",
        "extra_dim",
        "Your answer holds the right numbers, with an extra dimension of size 1 at position 1 (shape (2, 1, 3), wanted "
        "(2, 3)). A slice such as 0:1 keeps a dimension; an integer index such as 0 drops it. Drop it with "
        "answer.squeeze(1).",
    ),
    (
        "gru 2-dir unbatched",
        "m.h_n[-1:]",
        "m.h_n[-1]",
        "unbatched_batch_axis",
        "Your answer holds the right numbers, with an extra dimension of size 1 at position 0 (shape (1, 3), wanted "
        "(3,)): a batch axis of one. This run is one unbatched sequence (L, H_in): output, h_n and c_n have no batch "
        "axis at all. Drop it with answer.squeeze(0).",
    ),
    (
        "gru 2-dir unbatched",
        "m.h_n[-1].unsqueeze(1)",
        "m.h_n[-1]",
        "unbatched_batch_axis",
        "Your answer holds the right numbers, with an extra dimension of size 1 at position 1 (shape (3, 1), wanted "
        "(3,)): a batch axis of one. This run is one unbatched sequence (L, H_in): output, h_n and c_n have no batch "
        "axis at all. Drop it with answer.squeeze(1).",
    ),
    (
        "gru 2-dir time-major",
        "m.h_n[-1]",
        "m.h_n[-1:]",
        "missing_dim",
        "Your answer holds the right numbers, but a dimension of size 1 is missing at position 0 (shape (2, 3), wanted "
        "(1, 2, 3)). An integer index such as 0 drops a dimension; a slice such as 0:1 keeps it. Add it back with "
        "answer.unsqueeze(0).",
    ),
    (
        "gru 2-dir time-major",
        "m.h_n[-1]",
        "m.h_n[-1].unsqueeze(2)",
        "missing_dim",
        "Your answer holds the right numbers, but a dimension of size 1 is missing at position 2 (shape (2, 3), wanted "
        "(2, 3, 1)). An integer index such as 0 drops a dimension; a slice such as 0:1 keeps it. Add it back with "
        "answer.unsqueeze(2).",
    ),
    (
        "gru 2-dir time-major",
        "m.h_n[-1].T",
        "m.h_n[-1]",
        "transposed",
        "Your answer holds the right numbers, with its dimensions in another order (shape (3, 2), wanted (2, 3)). Put "
        "them in the wanted order with answer.transpose(0, 1).",
    ),
    (
        "gru 2-dir time-major",
        "m.h_n.permute(1, 2, 0)",
        "m.h_n",
        "transposed",
        "Your answer holds the right numbers, with its dimensions in another order (shape (2, 3, 4), wanted (4, 2, 3)). "
        "Put them in the wanted order with answer.permute(2, 0, 1).",
    ),
    (
        "gru 2-dir time-major",
        "torch.stack([m.h_n[-2], m.h_n[-1]])",
        "m.summary()",
        "stacked",
        "Your answer holds the right numbers, stacked on a new dimension 0 (shape (2, 2, 3), wanted (2, 6)): "
        "torch.stack makes a new dimension, torch.cat(..., dim=-1) puts the pieces side by side in each row. Join "
        "them with torch.cat(answer.unbind(0), dim=-1).",
    ),
    (
        "gru 2-dir time-major",
        "torch.stack([m.h_n[-2], m.h_n[-1]], 1)",
        "m.summary()",
        "stacked",
        "Your answer holds the right numbers, stacked on a new dimension 1 (shape (2, 2, 3), wanted (2, 6)): "
        "torch.stack makes a new dimension, torch.cat(..., dim=-1) puts the pieces side by side in each row. Join "
        "them with torch.cat(answer.unbind(1), dim=-1).",
    ),
    (
        "gru 2-dir time-major",
        "torch.cat([m.h_n[-2], m.h_n[-1]])",
        "m.summary()",
        "cat_dim",
        "Your answer holds the right numbers, joined along dimension 0 (shape (4, 3), wanted (2, 6)): "
        "torch.cat(..., dim=0) puts the pieces one under the other. The task wants them side by side in each row: "
        "torch.cat(..., dim=-1). From your answer: torch.cat(answer.chunk(2, 0), dim=-1).",
    ),
    (
        "gru 2-dir time-major",
        "m.h_n[-1].flatten()",
        "m.h_n[-1]",
        "flattened",
        "Your answer holds the right numbers in the right order, but flattened into one dimension (shape (6,), wanted "
        "(2, 3)). Keep the dimensions: leave out flatten() or view(-1) (answer.reshape(2, 3) undoes it).",
    ),
    (
        "gru 2-dir time-major",
        "m.h_n[-1].reshape(3, 2)",
        "m.h_n[-1]",
        "reshaped",
        "Your answer holds the right numbers in the right order, but reshaped (shape (3, 2), wanted (2, 3)): "
        "answer.reshape(2, 3) gives the wanted shape.",
    ),
]


# h_n[0].T where h_n[-1] is wanted, in either configuration: told the same way, square or not
H_N0_T_INTERLEAVED = (
    "Your answer's rows take one number at a time from different vectors of the run: your answer[0, 0:1] is number 0 "
    "of h_n[0, 0]; your answer[0, 1:2] is number 0 of h_n[0, 1]. That is what moving the features axis (the last one) "
    "with transpose or permute does, with or without a reshape after: the numbers of different rows end up "
    "alternating. Keep the features last when you move axes."
)
SAME_SIZE = "Your answer holds the right numbers, with its dimensions in another order: its shape, "
# the features (the wanted tensor's last dimension) moved to dimension {}: the story names where they run
FEATURES_AT = (
    "Your answer holds the right numbers, with its dimensions in another order (its features run along dimension {}, "
    "not the last): its shape, "
)
SHAPE_STORIES += [
    (  # N == H_out: the transposed answer has the wanted shape; it is a transpose, not a permute and a reshape
        "gru 2-dir square",
        "m.h_n[-1].T",
        "m.h_n[-1]",
        "transposed",
        FEATURES_AT.format(0)
        + "(3, 3), is the wanted one only because the swapped dimensions have the same size, 3. Put them in "
        "the wanted order with answer.transpose(0, 1).",
    ),
    (  # one layer, one direction: h_n[-1].T is also h_n.permute(0, 2, 1).reshape(3, 3), told as the transpose it is
        "lstm proj_size square",
        "m.h_n[-1].T",
        "m.h_n[-1]",
        "transposed",
        FEATURES_AT.format(0)
        + "(3, 3), is the wanted one only because the swapped dimensions have the same size, 3. Put them in "
        "the wanted order with answer.transpose(0, 1).",
    ),
    (  # N == H_out again, on output's last two dimensions (time-major: (L, N, H_out))
        "lstm proj_size square",
        "m.output.transpose(1, 2)",
        "m.output",
        "transposed",
        FEATURES_AT.format(1)
        + "(5, 3, 3), is the wanted one only because the swapped dimensions have the same size, 3. Put "
        "them in the wanted order with answer.permute(0, 2, 1).",
    ),
    (  # N == num_layers * D: h_n itself where h_n.transpose(0, 1) is wanted. A forgotten transpose, or a reshape
        # to (N, num_layers * D, H_out) that moved no axis: the same numbers, so the story blames neither
        "gru 2 layers 2 sequences",
        "m.h_n",
        "m.h_n.transpose(0, 1)",
        "transposed",
        SAME_SIZE + "(2, 2, 3), is the wanted one only because the swapped dimensions have the same size, 2. Put "
        "them in the wanted order with answer.permute(1, 0, 2).",
    ),
    (  # just outside: with three sequences h_n.reshape(3, 2, 3) has the wanted shape but mixes the rows; no order
        # of dimensions gives the wanted tensor, so it keeps the provenance story
        "gru 2 layers 3 sequences",
        "m.h_n.reshape(3, 2, 3)",
        "m.h_n.transpose(0, 1)",
        "other_sequences",
        None,
    ),
    (  # just outside: c_n is hidden_size = 4 wide, so its transpose has another shape
        "lstm proj_size square",
        "m.c_n[-1].T",
        "m.c_n[-1]",
        "transposed",
        "Your answer holds the right numbers, with its dimensions in another order (shape (4, 3), wanted (3, 4)). Put "
        "them in the wanted order with answer.transpose(0, 1).",
    ),
]


@pytest.mark.parametrize("case_name,got,expected,pattern,text", SHAPE_STORIES)
def test_the_right_numbers_in_the_wrong_shape_in_words(case_name, got, expected, pattern, text):
    m = Run(ALL_CASES[case_name])
    got, expected = eval(got), eval(expected)
    d = diagnose(m.run, got, expected)
    if text is None:  # a story told elsewhere: only its pattern here
        assert d.pattern == pattern
        return
    assert (d.pattern, d.text) == (pattern, text)
    assert d.advice in text and torch.equal(eval(d.advice, namespace(m, got, expected)), expected)


# (configuration, tensor, permute order, prefer, its name, the axes after the permute, the features, the axis whose
# entries sit side by side in each row: the last axis after the permute, as reshape reads memory in that order)
FEATURES_MOVED = [
    ("gru 2-dir time-major", "m.h_n", (0, 2, 1), "", "h_n", "(num_layers * D, H_out, N)", "H_out", "N"),
    ("gru 2-dir time-major", "m.h_n", (1, 2, 0), "", "h_n", "(N, H_out, num_layers * D)", "H_out", "num_layers * D"),
    ("gru 1-dir batch_first", "m.output", (2, 0, 1), "", "output", "(H_out, N, L)", "H_out", "L"),
    ("gru 1-dir batch_first", "m.output", (1, 2, 0), "", "output", "(L, H_out, N)", "H_out", "N"),
    ("gru 2-dir time-major", "m.output", (0, 2, 1), "h_n", "output", "(L, D * H_out, N)", "D * H_out", "N"),
    (
        "lstm 2-dir batch_first packed",
        "m.c_n",
        (0, 2, 1),
        "",
        "c_n",
        "(num_layers * D, hidden_size, N)",
        "hidden_size",
        "N",
    ),
    ("gru 2-dir unbatched", "m.output", (1, 0), "", "output", "(D * H_out, L)", "D * H_out", "L"),
]


@pytest.mark.parametrize("case_name,tensor,perm,prefer,name,order,features,side_by_side", FEATURES_MOVED)
def test_features_moved_off_the_last_axis_are_named_with_the_axes_letters(
    case_name, tensor, perm, prefer, name, order, features, side_by_side
):
    """The message names the axis whose entries are neighbours in each row: the last one after the permute (not the
    first axis of the tensor, which the message used to name)."""
    m = Run(ALL_CASES[case_name])
    t = eval(tensor)
    got = t.permute(perm).reshape(t.shape)
    d = diagnose(m.run, got, t, prefer)
    assert (d.pattern, d.advice) == ("features_moved", None)
    assert d.text == (
        f"Your answer is {name}.permute{perm}, reshaped to {tuple(t.shape)}: permute{perm} puts {name}'s axes in the "
        f"order {order}, so the features ({features}) are no longer last: neighbouring numbers in each row of your "
        f"answer belong to different {side_by_side} entries. Keep the features axis last when you move the others."
    )
    # the claim, checked with torch: tag each number with its entry along each axis of t, move the tags as the
    # answer was moved; neighbours in a row differ in the named axis always, and in every other axis not always
    named = perm[[a.strip() for a in order.strip("()").split(", ")].index(side_by_side)]
    for axis in range(t.dim()):
        shape = [1] * t.dim()
        shape[axis] = t.shape[axis]
        tags = torch.arange(t.shape[axis]).reshape(shape).expand(t.shape).permute(perm).reshape(t.shape)
        differ = tags[..., 1:] != tags[..., :-1]  # neighbours in each row of the answer
        assert bool(differ.all()) == (axis == named), (axis, named)


# (configuration, the learner's answer, the wanted tensor, prefer, pattern, the whole message, advice, target)
STORIES = [
    (  # output wanted at a middle step, a lower layer's row given: the hint still points to h_n's last rows
        "gru 1-dir batch_first",
        "m.h_n[0]",
        "m.out[:, 2]",
        "",
        "wrong_layer",
        "Your answer[0] is h_n[0, 0]: final state of layer 0, sequence 0. It should be output[0, 2]: the top layer's "
        "output at step 2, sequence 0. That is the wrong layer: the last rows of h_n hold the top layer, the one "
        "output shows. (2 more pieces of your answer differ too.)",
        "output[0, 2]",
        "[0]",
    ),
    (  # one direction, three layers: a lower row is the wrong layer, never a view with directions first
        "gru 3 layers",
        "m.h_n[1]",
        "m.h_n[2]",
        "",
        "wrong_layer",
        "Your answer[0] is h_n[1, 0]: final state of layer 1, sequence 0. It should be h_n[-1, 0]: final state of layer "
        "2 (the top layer), sequence 0. That is the wrong layer: the last rows of h_n hold the top layer, the one "
        "output shows. (1 more piece of your answer differs too.)",
        "h_n[-1, 0]",
        "[0]",
    ),
    (  # layer 0 backward read from a (D, num_layers, N, H_out) view: row 1 * num_layers + 0
        "gru 2-dir time-major",
        "m.h_n.view(2, 2, m.N, m.H)[1, 0]",
        "m.h_n[1]",
        "",
        "view_order",
        "Your answer[0] is h_n[-2, 0]: final state of layer 1 (the top layer), forward, sequence 0. It should be h_n[1, "
        "0]: final state of layer 0, backward, sequence 0. That is the row a view with the directions before the "
        "layers would pick. h_n's rows go layer by layer, forward then backward inside each layer: view it as "
        "(num_layers, D, N, H_out), not (D, num_layers, N, H_out). (1 more piece of your answer differs too.)",
        "h_n[1, 0]",
        "[0]",
    ),
    (  # a whole row that matches nothing, the other rows right
        "gru 2-dir time-major",
        "torch.cat([torch.full((1, 6), 0.123), m.summary()[1:]])",
        "m.summary()",
        "",
        "partly_nothing",
        "Your answer[0, 0:3] matches no vector of this run. It should be h_n[-2, 0]: final state of layer 1 (the top "
        "layer), forward, sequence 0. (1 more piece of your answer differs too.)",
        "h_n[-2, 0]",
        "[0, 0:3]",
    ),
    (  # the forward half second, but layer 0 first: not the two halves swapped either
        "gru 2-dir time-major",
        "torch.cat([m.h_n[0], m.h_n[-2]], -1)",
        "m.summary()",
        "",
        "wrong_layer",
        "Your answer[0, 0:3] is h_n[0, 0]: final state of layer 0, forward, sequence 0. It should be h_n[-2, 0]: final "
        "state of layer 1 (the top layer), forward, sequence 0. That is the wrong layer: the last rows of h_n hold the "
        "top layer, the one output shows. (3 more pieces of your answer differ too.)",
        "h_n[-2, 0]",
        "[0, 0:3]",
    ),
    (  # the backward half first, but layer 0 second: not the two halves swapped
        "gru 2-dir time-major",
        "torch.cat([m.h_n[-1], m.h_n[0]], -1)",
        "m.summary()",
        "",
        "wrong_direction",
        "Your answer[0, 0:3] is h_n[-1, 0]: final state of layer 1 (the top layer), backward, sequence 0. It should be "
        "h_n[-2, 0]: final state of layer 1 (the top layer), forward, sequence 0. That is the backward direction; the "
        "task wants the forward one. The forward direction ends at the last valid step, the backward direction at "
        "step 0. (3 more pieces of your answer differ too.)",
        "h_n[-2, 0]",
        "[0, 0:3]",
    ),
    (  # two steps of one sequence are already time read as batch
        "gru 1-dir batch_first",
        "m.out[0, :2]",
        "m.out[:, -1]",
        "",
        "time_for_batch",
        "The rows of your answer are the steps of one sequence: your answer[0] is output[0, 0] (the top layer's output "
        "at step 0, sequence 0); your answer[1] is output[0, 1] (the top layer's output at step 1, sequence 0). The "
        "task wants one row per sequence. Here output is (N, L, ...): check which dimension is time and which is the "
        "batch.",
        None,
        "",
    ),
    (  # two cut vectors side by side: cut slices, not numbers taken one at a time
        "gru 2-dir time-major",
        "torch.cat([m.h_n[-2][:, :2], m.h_n[-1][:, :2]], -1)",
        "m.summary()",
        "h_n",
        "partial",
        "Your answer[0, 0:2] is only features 0:2 of h_n[-2, 0] (final state of layer 1 (the top layer), forward, "
        "sequence 0), which has 3 features. A slice bound written as a number cuts a vector in the middle once the "
        "sizes change: compute it from the shape, for example H_out = h_n.shape[-1].",
        None,
        "",
    ),
    (  # the wanted row sits at a different place in each answer row: no one span of features to keep
        "gru 2-dir time-major",
        "torch.stack([torch.cat([m.h_n[-1, 0], m.h_n[-2, 0]]), torch.cat([m.h_n[-2, 1], m.h_n[-1, 1]])])",
        "m.h_n[-1]",
        "",
        "too_much",
        "Your answer holds what the task wants, and more besides: your answer[0, 0:3] is h_n[-1, 0] (final state of "
        "layer 1 (the top layer), backward, sequence 0); your answer[0, 3:6] is h_n[-2, 0] (final state of layer 1 "
        "(the top layer), forward, sequence 0), and more. Keep only that.",
        None,
        "",
    ),
    (  # the wrong numbers in a transposed shape are no transpose of the wanted tensor
        "gru 2-dir time-major",
        "m.h_n[0].T",
        "m.h_n[-1]",
        "",
        "interleaved",
        H_N0_T_INTERLEAVED,
        None,
        "",
    ),
    (  # just outside the square story: h_n[0].T has the wanted shape but other numbers, so it is no transpose
        "gru 2-dir square",
        "m.h_n[0].T",
        "m.h_n[-1]",
        "",
        "interleaved",
        H_N0_T_INTERLEAVED,
        None,
        "",
    ),
    (  # a cut of a vector that is both output's last step and h_n[-1]: named from the tensor the learner used
        "gru 1-dir batch_first",
        "m.out[:, -1, 1:]",
        "m.out[:, -1]",
        "output",
        "partial",
        "Your answer[0] is only features 1:4 of output[0, 4] (the top layer's output at step 4, sequence 0), which has "
        "4 features. A slice bound written as a number cuts a vector in the middle once the sizes change: compute it "
        "from the shape, for example H_out = output.shape[-1].",
        None,
        "",
    ),
    (
        "gru 1-dir batch_first",
        "m.h_n[-1][:, 1:]",
        "m.h_n[-1]",
        "h_n",
        "partial",
        "Your answer[0] is only features 1:4 of h_n[-1, 0] (final state of layer 1 (the top layer), sequence 0), which "
        "has 4 features. A slice bound written as a number cuts a vector in the middle once the sizes change: compute "
        "it from the shape, for example H_out = h_n.shape[-1].",
        None,
        "",
    ),
    (
        "lstm 2-dir batch_first packed",
        "m.c_n[-1][:, 1:]",
        "m.c_n[-1]",
        "c_n",
        "partial",
        "Your answer[0] is only features 1:5 of c_n[-1, 0] (cell state of layer 2 (the top layer), backward, sequence "
        "0), which has 5 features. A slice bound written as a number cuts a vector in the middle once the sizes "
        "change: compute it from the shape, for example H_cell = c_n.shape[-1].",
        None,
        "",
    ),
    (  # time-major: the rows are output[t, 0] for t = 0, 1, ...
        "gru 2-dir time-major",
        "m.out[0, :, : m.H]",
        "m.last_valid()[:, : m.H]",
        "",
        "time_for_batch",
        "The rows of your answer are the steps of one sequence: your answer[0] is output[0, 0, 0:3] (the top layer's "
        "output at step 0, forward, sequence 0); your answer[1] is output[1, 0, 0:3] (the top layer's output at step "
        "1, forward, sequence 0), and more. The task wants one row per sequence. Here output is (L, N, ...): check "
        "which dimension is time and which is the batch.",
        None,
        "",
    ),
    (  # a batch of one sequence: steps of that sequence are not time read as batch
        "gru batch of one",
        "m.out[0, :-1]",
        "m.out[:, -1]",
        "",
        "mixed",
        "Your answer holds other states of the run: your answer[0] is output[0, 0] (the top layer's output at step 0, "
        "sequence 0); your answer[1] is output[1, 0] (the top layer's output at step 1, sequence 0), and more.",
        None,
        "",
    ),
    (  # h_n[-1] of a 1-direction run is also output's last step: as many h_n names as output names, h_n wins
        "gru 1-dir batch_first",
        "m.h_n[-1]",
        "m.h_n[0]",
        "",
        "wrong_layer",
        "Your answer[0] is h_n[-1, 0]: final state of layer 1 (the top layer), sequence 0. It should be h_n[0, 0]: final "
        "state of layer 0, sequence 0. That is the wrong layer: the last rows of h_n hold the top layer, the one output "
        "shows. (2 more pieces of your answer differ too.)",
        "h_n[0, 0]",
        "[0]",
    ),
    (  # the halves swapped in one row only: not "each row swapped", the first wrong piece tells the story
        "gru 2-dir time-major",
        "torch.cat([torch.cat([m.h_n[-1, :1], m.h_n[-2, :1]], -1), m.summary()[1:]])",
        "m.summary()",
        "",
        "wrong_direction",
        "Your answer[0, 0:3] is h_n[-1, 0]: final state of layer 1 (the top layer), backward, sequence 0. It should be "
        "h_n[-2, 0]: final state of layer 1 (the top layer), forward, sequence 0. That is the backward direction; the "
        "task wants the forward one. The forward direction ends at the last valid step, the backward direction at "
        "step 0. (1 more piece of your answer differs too.)",
        "h_n[-2, 0]",
        "[0, 0:3]",
    ),
    (  # more than wanted, but the wanted row is two pieces: no one span to keep
        "gru 2-dir time-major",
        "torch.cat([m.h_n[-2], m.h_n[-1], m.h_n[0]], -1)",
        "m.summary()",
        "",
        "too_much",
        "Your answer holds what the task wants, and more besides: your answer[0, 0:3] is h_n[-2, 0] (final state of "
        "layer 1 (the top layer), forward, sequence 0); your answer[0, 3:6] is h_n[-1, 0] (final state of layer 1 (the "
        "top layer), backward, sequence 0), and more. Keep only that.",
        None,
        "",
    ),
    (  # the rows moved but the features stayed last: not "features_moved", the rows' provenance tells the story
        "gru 2-dir time-major",
        "m.h_n.permute(1, 0, 2).reshape(m.h_n.shape)",
        "m.h_n",
        "",
        "other_sequences",
        "Your answer[0, 1] is h_n[1, 0]: final state of layer 0, backward, sequence 0. It should be h_n[0, 1]: final "
        "state of layer 0, forward, sequence 1. That row belongs to another sequence. Rows that belong to other "
        "sequences are the sign of a reshape (or view) without a transpose: reshape regroups the numbers in memory "
        "order and moves no axis. Move the batch axis with .transpose(0, 1) (or .permute) instead. (5 more pieces of "
        "your answer differ too.)",
        "h_n[0, 1]",
        "[0, 1]",
    ),
    (
        "gru 2-dir time-major",
        "torch.cat([m.out[:, -1, m.H :], m.out[:, -1, : m.H]], -1)",
        "m.out[:, -1]",
        "",
        "halves_swapped",
        "Your answer has the two halves of each row swapped: its first half is the backward direction (output[5, 0, 3:6]). output puts the forward direction first, then the backward one: put output[5, :, 0:3] first.",
        "output[5, :, 0:3]",
        "[..., 0:3]",
    ),
    (
        "lstm 2-dir batch_first packed",
        "torch.cat([m.out[:, 0, m.H :], m.out[:, 0, : m.H]], -1)",
        "m.out[:, 0]",
        "output",
        "halves_swapped",
        "Your answer has the two halves of each row swapped: its first half is the backward direction (output[0, 0, 5:10]). output puts the forward direction first, then the backward one: put output[:, 0, 0:5] first.",
        "output[:, 0, 0:5]",
        "[..., 0:5]",
    ),
    (
        "lstm 2-dir batch_first packed",
        "torch.cat([m.c_n[-1], m.c_n[-2]], -1)",
        "torch.cat([m.c_n[-2], m.c_n[-1]], -1)",
        "",
        "halves_swapped",
        "Your answer has the two halves of each row swapped: its first half is the backward direction (c_n[-1, 0]). output puts the forward direction first, then the backward one: put c_n[-2] first.",
        "c_n[-2]",
        "[..., 0:5]",
    ),
    (  # with proj_size: c_n's halves are hidden_size = 4 wide
        "lstm 2-dir proj_size",
        "torch.cat([m.c_n[-1], m.c_n[-2]], -1)",
        "torch.cat([m.c_n[-2], m.c_n[-1]], -1)",
        "",
        "halves_swapped",
        "Your answer has the two halves of each row swapped: its first half is the backward direction (c_n[-1, 0]). output puts the forward direction first, then the backward one: put c_n[-2] first.",
        "c_n[-2]",
        "[..., 0:4]",
    ),
    (  # and h_n's proj_size = 2 wide
        "lstm 2-dir proj_size",
        "torch.cat([m.h_n[-1], m.h_n[-2]], -1)",
        "m.summary()",
        "h_n",
        "halves_swapped",
        "Your answer has the two halves of each row swapped: its first half is the backward direction (h_n[-1, 0]). output puts the forward direction first, then the backward one: put h_n[-2] first.",
        "h_n[-2]",
        "[..., 0:2]",
    ),
    (  # a lower layer's c_n rows with proj_size
        "lstm 2-dir proj_size",
        "torch.cat([m.c_n[1], m.c_n[0]], -1)",
        "torch.cat([m.c_n[0], m.c_n[1]], -1)",
        "c_n",
        "halves_swapped",
        "Your answer has the two halves of each row swapped: its first half is the backward direction (c_n[1, 0]). output puts the forward direction first, then the backward one: put c_n[0] first.",
        "c_n[0]",
        "[..., 0:4]",
    ),
    (  # just outside: the wanted halves swapped in one row only is not "each row swapped"
        "lstm 2-dir proj_size",
        "torch.cat([torch.cat([m.c_n[-1, :1], m.c_n[-2, :1]], -1), torch.cat([m.c_n[-2], m.c_n[-1]], -1)[1:]])",
        "torch.cat([m.c_n[-2], m.c_n[-1]], -1)",
        "",
        "wrong_direction",
        "Your answer[0, 0:4] is c_n[-1, 0]: cell state of layer 1 (the top layer), backward, sequence 0. It should be c_n[-2, 0]: cell state of layer 1 (the top layer), forward, sequence 0. That is the backward direction; the task wants the forward one. The forward direction ends at the last valid step, the backward direction at step 0. (1 more piece of your answer differs too.)",
        "c_n[-2, 0]",
        "[0, 0:4]",
    ),
    (
        "gru 2-dir time-major",
        "torch.cat([m.h_n[1], m.h_n[0]], -1)",
        "torch.cat([m.h_n[0], m.h_n[1]], -1)",
        "",
        "halves_swapped",
        "Your answer has the two halves of each row swapped: its first half is the backward direction (h_n[1, 0]). output puts the forward direction first, then the backward one: put h_n[0] first.",
        "h_n[0]",
        "[..., 0:3]",
    ),
    (
        "gru 2-dir unbatched",
        "torch.cat([m.output[-1, 3:], m.output[-1, :3]])",
        "m.output[-1]",
        "",
        "halves_swapped",
        "Your answer has the two halves of each row swapped: its first half is the backward direction (output[3, 3:6]). output puts the forward direction first, then the backward one: put output[3, 0:3] first.",
        "output[3, 0:3]",
        "[..., 0:3]",
    ),
    (
        "lstm 2-dir batch_first packed",
        "m.c_n[-3]",
        "m.c_n[-1]",
        "",
        "wrong_layer",
        "Your answer[0] is c_n[3, 0]: cell state of layer 1, backward, sequence 0. It should be c_n[-1, 0]: cell state of layer 2 (the top layer), backward, sequence 0. That is the wrong layer: the last rows of c_n hold the top layer (output never shows c_n). (2 more pieces of your answer differ too.)",
        "c_n[-1, 0]",
        "[0]",
    ),
    (
        "gru 2-dir unbatched",
        "m.output[-2]",
        "m.output[-1]",
        "",
        "off_by_one",
        "Your answer[0:3] is output[2, 0:3]: the top layer's output at step 2, forward. It should be output[3, 0:3]: the top layer's output at step 3, forward. That is one step off: step 2 instead of step 3. Steps run from 0 to L - 1. (1 more piece of your answer differs too.)",
        "output[3, 0:3]",
        "[0:3]",
    ),
    (
        "gru 1-dir batch_first",
        "m.out[:, 0]",
        "m.out[:, -1]",
        "",
        "wrong_step",
        "Your answer[0] is output[0, 0]: the top layer's output at step 0, sequence 0. It should be output[0, 4]: the top layer's output at step 4, sequence 0. That is the wrong step: step 0 instead of step 4, where the final state is. (2 more pieces of your answer differ too.)",
        "output[0, 4]",
        "[0]",
    ),
    (
        "gru 2-dir time-major",
        "m.out[:, -1, m.H :]",
        "m.out[:, 0, m.H :]",
        "",
        "wrong_step",
        "Your answer[0] is output[5, 0, 3:6]: the top layer's output at step 5, backward, sequence 0. It should be output[0, 0, 3:6]: the top layer's output at step 0, backward, sequence 0. That is the wrong step. The forward direction ends at the last valid step; the backward direction reads the sequence from the end, so it ends at step 0. Here: step 5 instead of step 0. (1 more piece of your answer differs too.)",
        "output[0, 0, 3:6]",
        "[0]",
    ),
    (
        "lstm 2-dir batch_first packed",
        "m.c_n[-2]",
        "m.c_n[-1]",
        "",
        "wrong_direction",
        "Your answer[0] is c_n[-2, 0]: cell state of layer 2 (the top layer), forward, sequence 0. It should be c_n[-1, 0]: cell state of layer 2 (the top layer), backward, sequence 0. That is the forward direction; the task wants the backward one. The forward direction ends at the last valid step, the backward direction at step 0. (2 more pieces of your answer differ too.)",
        "c_n[-1, 0]",
        "[0]",
    ),
    (
        "lstm 2-dir batch_first packed",
        "m.c_n[-2]",
        "m.out[:, 0, : m.H]",
        "",
        "c_n_for_h_n",
        "Your answer[0] is c_n[-2, 0]: cell state of layer 2 (the top layer), forward, sequence 0. It should be output[0, 0, 0:5]: the top layer's output at step 0, forward, sequence 0. That is c_n, the LSTM's cell state; the task wants h_n, the hidden state (the one output shows). (2 more pieces of your answer differ too.)",
        "output[0, 0, 0:5]",
        "[0]",
    ),
    (
        "lstm 2-dir proj_size",
        "m.c_n[-1]",
        "m.h_n[-1]",
        "",
        "c_n_for_h_n",
        "Your answer[0] is c_n[-1, 0]: cell state of layer 1 (the top layer), backward, sequence 0. It should be h_n[-1, 0]: final state of layer 1 (the top layer), backward, sequence 0. That is c_n, the LSTM's cell state; the task wants h_n, the hidden state (the one output shows). With proj_size set, h_n is proj_size wide and c_n hidden_size wide.",
        "h_n[-1, 0]",
        "[0]",
    ),
    (
        "lstm 2-dir proj_size",
        "m.h_n[-1]",
        "m.c_n[-1]",
        "",
        "h_n_for_c_n",
        "Your answer[0] is h_n[-1, 0]: final state of layer 1 (the top layer), backward, sequence 0. It should be c_n[-1, 0]: cell state of layer 1 (the top layer), backward, sequence 0. That is the hidden state (h_n, or output); the task wants c_n, the LSTM's cell state, which output never shows. With proj_size set, h_n is proj_size wide and c_n hidden_size wide.",
        "c_n[-1, 0]",
        "[0]",
    ),
    (  # sequence 0 is as long as the batch's steps: output holds no padding for it, so its zeros are no padding
        "lstm 1-dir time-major packed",
        "torch.zeros_like(m.h_n[-1])",
        "m.h_n[-1]",
        "",
        "zeros",
        "Your answer[0] is zeros: all its numbers are 0. It should be output[5, 0]: the top layer's output at step 5, sequence 0. This run is padded only in output, after each sequence's end; sequence 0 has all 6 steps valid, so output holds no padding for it. Zeros are no state of it: read the run's own tensors rather than making new ones (torch.zeros). (3 more pieces of your answer differ too.)",
        "output[5, 0]",
        "[0]",
    ),
    (
        "gru 1-dir batch_first",
        "torch.zeros_like(m.h_n[-1])",
        "m.h_n[-1]",
        "h_n",
        "zeros",
        "Your answer[0] is zeros: all its numbers are 0. It should be h_n[-1, 0]: final state of layer 1 (the top layer), sequence 0. This run has no padding, so zeros are no state of it: read the run's own tensors rather than making new ones (torch.zeros). (2 more pieces of your answer differ too.)",
        "h_n[-1, 0]",
        "[0]",
    ),
    (
        # N == num_layers * D = 2: this reshape moves nothing, so the answer is h_n itself, as if the transpose had
        # been forgotten; the story names the swapped dimensions, not a reshape the learner may not have written
        "rnn 2-dir one layer",
        "m.h_n.reshape(m.N, -1, m.H)",
        "m.h_n.transpose(0, 1)",
        "",
        "transposed",
        SAME_SIZE + "(2, 2, 3), is the wanted one only because the swapped dimensions have the same size, 2. Put them "
        "in the wanted order with answer.permute(1, 0, 2).",
        "answer.permute(1, 0, 2)",
        "",
    ),
    (
        "gru 1-dir batch_first",
        "m.h_n.view(m.N, -1)",
        "m.h_n.transpose(0, 1)",
        "",
        "other_sequences",
        "Your answer has shape (3, 8), not (3, 2, 4), and its rows mix sequences. Reshaped to (3, 2, 4): your answer[0, 1] is h_n[0, 1]: final state of layer 0, sequence 1. It should be h_n[-1, 0]: final state of layer 1 (the top layer), sequence 0. That row belongs to another sequence. Rows that belong to other sequences are the sign of a reshape (or view) without a transpose: reshape regroups the numbers in memory order and moves no axis. Move the batch axis with .transpose(0, 1) (or .permute) instead. (3 more pieces of your answer differ too.)",
        "h_n[-1, 0]",
        "[0, 1]",
    ),
    (
        "lstm 2-dir batch_first packed",
        "torch.cat(list(m.h_n.view(2, 3, m.N, m.H)[:, -1]), -1)",
        "m.summary()",
        "",
        "view_order",
        "Your answer[0, 0:5] is h_n[2, 0]: final state of layer 1, forward, sequence 0. It should be h_n[-2, 0]: final state of layer 2 (the top layer), forward, sequence 0. That is the row a view with the directions before the layers would pick. h_n's rows go layer by layer, forward then backward inside each layer: view it as (num_layers, D, N, H_out), not (D, num_layers, N, H_out). (2 more pieces of your answer differ too.)",
        "h_n[-2, 0]",
        "[0, 0:5]",
    ),
    (
        "gru 2-dir time-major",
        "m.h_n[-1][:, 1:]",
        "m.h_n[-1]",
        "h_n",
        "partial",
        "Your answer[0] is only features 1:3 of h_n[-1, 0] (final state of layer 1 (the top layer), backward, sequence 0), which has 3 features. A slice bound written as a number cuts a vector in the middle once the sizes change: compute it from the shape, for example H_out = h_n.shape[-1].",
        None,
        "",
    ),
    (
        "gru 1-dir batch_first",
        "m.out[:, -1, :3]",
        "m.out[:, -1]",
        "output",
        "partial",
        "Your answer[0] is only features 0:3 of output[0, 4] (the top layer's output at step 4, sequence 0), which has 4 features. A slice bound written as a number cuts a vector in the middle once the sizes change: compute it from the shape, for example H_out = output.shape[-1].",
        None,
        "",
    ),
    (
        "rnn 2-dir one layer",
        "m.out[:, 0, m.H - 1 :]",
        "m.out[:, 0, m.H :]",
        "",
        "partial",
        "Your answer[0, 0:1] is only features 2:3 of output[0, 0, 0:3] (the top layer's output at step 0, forward, sequence 0), which has 3 features. A slice bound written as a number cuts a vector in the middle once the sizes change: compute it from the shape, for example H_out = output.shape[-1] // 2.",
        None,
        "",
    ),
    (
        "gru 2-dir time-major",
        "m.h_n[-2:].permute(1, 2, 0).reshape(m.N, -1)",
        "m.summary()",
        "",
        "interleaved",
        "Your answer's rows take one number at a time from different vectors of the run: your answer[0, 0:1] is number 0 of h_n[-2, 0]; your answer[0, 1:2] is number 0 of h_n[-1, 0]. That is what moving the features axis (the last one) with transpose or permute does, with or without a reshape after: the numbers of different rows end up alternating. Keep the features last when you move axes.",
        None,
        "",
    ),
    (
        "gru 2-dir time-major",
        "m.out[:, 0]",
        "m.out[:, 0, m.H :]",
        "",
        "too_much",
        "Your answer holds what the task wants, and more besides: your answer[0, 0:3] is output[0, 0, 0:3] (the top layer's output at step 0, forward, sequence 0); your answer[0, 3:6] is output[0, 0, 3:6] (the top layer's output at step 0, backward, sequence 0), and more. Keep only features 3:6 of each row: answer[..., 3:6].",
        "answer[..., 3:6]",
        "",
    ),
    (
        "gru 2-dir time-major",
        "m.h_n[-2:]",
        "m.h_n[-1:]",
        "",
        "too_much",
        "Your answer holds what the task wants, and more besides: your answer[0, 0] is h_n[-2, 0] (final state of layer 1 (the top layer), forward, sequence 0); your answer[0, 1] is h_n[-2, 1] (final state of layer 1 (the top layer), forward, sequence 1), and more. Keep only that.",
        None,
        "",
    ),
    (
        "rnn 2-dir one layer",
        "m.h_n[-1]",
        "m.summary()",
        "",
        "too_little",
        "Your answer holds only part of what the task wants: your answer[0] is h_n[-1, 0] (final state of layer 0, backward, sequence 0); your answer[1] is h_n[-1, 1] (final state of layer 0, backward, sequence 1). It lacks h_n[-2, 0] (final state of layer 0, forward, sequence 0), among others.",
        "h_n[-2, 0]",
        "[0, 0:3]",
    ),
    (
        "gru 1-dir batch_first",
        "m.out[0, :, : m.H]",
        "m.last_valid()[:, : m.H]",
        "",
        "time_for_batch",
        "The rows of your answer are the steps of one sequence: your answer[0] is output[0, 0] (the top layer's output at step 0, sequence 0); your answer[1] is output[0, 1] (the top layer's output at step 1, sequence 0), and more. The task wants one row per sequence. Here output is (N, L, ...): check which dimension is time and which is the batch.",
        None,
        "",
    ),
    (
        "gru 2-dir time-major",
        "m.h_n[0:2].transpose(0, 1).reshape(m.N, -1)[:, :3]",
        "m.summary()",
        "",
        "mixed",
        "Your answer holds other states of the run: your answer[0] is h_n[0, 0] (final state of layer 0, forward, sequence 0); your answer[1] is h_n[0, 1] (final state of layer 0, forward, sequence 1).",
        None,
        "",
    ),
    (
        "gru 2-dir time-major",
        "torch.cat([m.h_n[-2], torch.full_like(m.h_n[-1], 0.123)], -1)",
        "m.summary()",
        "",
        "partly_nothing",
        "Your answer[0, 3:6] matches no vector of this run. It should be h_n[-1, 0]: final state of layer 1 (the top layer), backward, sequence 0. (1 more piece of your answer differs too.)",
        "h_n[-1, 0]",
        "[0, 3:6]",
    ),
    (
        "lstm 1-dir time-major packed",
        "m.c_n[-1]",
        "m.c_n[0]",
        "h_n",
        "wrong_layer",
        "Your answer[0] is c_n[-1, 0]: cell state of layer 1 (the top layer), sequence 0. It should be c_n[0, 0]: cell state of layer 0, sequence 0. That is the wrong layer: the last rows of c_n hold the top layer (output never shows c_n). (3 more pieces of your answer differ too.)",
        "c_n[0, 0]",
        "[0]",
    ),
]


@pytest.mark.parametrize("case_name,got,expected,prefer,pattern,text,advice,target", STORIES)
def test_each_story_in_the_learners_words(case_name, got, expected, prefer, pattern, text, advice, target):
    m = Run(ALL_CASES[case_name])
    got, expected = eval(got), eval(expected)
    d = diagnose(m.run, got, expected, prefer)
    assert (d.pattern, d.text, d.advice, d.target) == (pattern, text, advice, target)
    if advice is not None:
        ns = namespace(m, got, expected)
        assert torch.equal(eval(advice, ns), eval("expected" + target, ns))


def test_wanted_numbers_computed_from_the_run_next_to_an_answer_row_that_matches_nothing():
    m = Run(CASES["gru 2-dir time-major"])
    got = m.h_n[-1].clone()
    got[0] = torch.tensor([0.1, 0.2, 0.3])  # row 0 is no vector of the run; row 1 is h_n[-1, 1]
    d = diagnose(m.run, got, m.h_n[-1] * 2)
    assert (d.pattern, d.advice) == ("mixed", None)
    assert d.text == (
        "Your answer[0] matches no vector of this run. The task wants other numbers there, computed from the run "
        "rather than read from it."
    )


ZEROS_CASES = {
    "lstm 1-dir packed full length": Case(RNNConfig("lstm", 3, 3, num_layers=2, seed=4), 4, 3, lengths=(4, 4, 4)),
    "lstm proj_size packed": Case(
        RNNConfig("lstm", 3, 4, num_layers=1, bidirectional=True, proj_size=2, seed=5), 4, 3, lengths=(4, 2, 3)
    ),
}
PADDED_ONLY_IN_OUTPUT = "This run is padded only in output, after each sequence's end; "
NOT_A_STATE = " Zeros are no state of it: read the run's own tensors rather than making new ones (torch.zeros)."
NO_PADDING = "This run has no padding, so zeros are no state of it: read the run's own tensors rather than making new ones (torch.zeros)."

# (configuration, the learner's answer, the wanted tensor, prefer, pattern, the whole message, advice)
ZEROS = [
    (  # c_n is never padded, even in a packed run
        "lstm 1-dir time-major packed",
        "torch.zeros_like(m.c_n[-1])",
        "m.c_n[-1]",
        "",
        "zeros",
        "Your answer[0] is zeros: all its numbers are 0. It should be c_n[-1, 0]: cell state of layer 1 (the top layer), sequence 0. "
        + PADDED_ONLY_IN_OUTPUT
        + "c_n is never padded."
        + NOT_A_STATE
        + " (3 more pieces of your answer differ too.)",
        "c_n[-1, 0]",
    ),
    (
        "lstm 2-dir batch_first packed",
        "torch.zeros_like(m.c_n[-1])",
        "m.c_n[-1]",
        "c_n",
        "zeros",
        "Your answer[0] is zeros: all its numbers are 0. It should be c_n[-1, 0]: cell state of layer 2 (the top layer), backward, sequence 0. "
        + PADDED_ONLY_IN_OUTPUT
        + "c_n is never padded."
        + NOT_A_STATE
        + " (2 more pieces of your answer differ too.)",
        "c_n[-1, 0]",
    ),
    (  # with proj_size a c_n row (hidden_size wide) is wider than the zeros cut at H_out: still one row of zeros
        "lstm proj_size packed",
        "torch.zeros_like(m.c_n[-1])",
        "m.c_n[-1]",
        "",
        "zeros",
        "Your answer[0] is zeros: all its numbers are 0. It should be c_n[-1, 0]: cell state of layer 0, backward, sequence 0. "
        + PADDED_ONLY_IN_OUTPUT
        + "c_n is never padded."
        + NOT_A_STATE
        + " (2 more pieces of your answer differ too.)",
        "c_n[-1, 0]",
    ),
    (  # just outside: the same mistake in a run with no padding at all says so
        "lstm 2-dir proj_size",
        "torch.zeros_like(m.c_n[-1])",
        "m.c_n[-1]",
        "",
        "zeros",
        "Your answer[0] is zeros: all its numbers are 0. It should be c_n[-1, 0]: cell state of layer 1 (the top layer), backward, sequence 0. "
        + NO_PADDING
        + " (2 more pieces of your answer differ too.)",
        "c_n[-1, 0]",
    ),
    (  # packed, but every sequence as long as the batch's steps: no padding anywhere
        "lstm 1-dir packed full length",
        "torch.zeros_like(m.c_n[-1])",
        "m.c_n[-1]",
        "",
        "zeros",
        "Your answer[0] is zeros: all its numbers are 0. It should be c_n[-1, 0]: cell state of layer 1 (the top layer), sequence 0. "
        + NO_PADDING
        + " (2 more pieces of your answer differ too.)",
        "c_n[-1, 0]",
    ),
    (
        "lstm 1-dir packed full length",
        "torch.zeros_like(m.h_n[-1])",
        "m.h_n[-1]",
        "",
        "zeros",
        "Your answer[0] is zeros: all its numbers are 0. It should be output[3, 0]: the top layer's output at step 3, sequence 0. "
        + NO_PADDING
        + " (2 more pieces of your answer differ too.)",
        "output[3, 0]",
    ),
    (  # a lower layer's final state: output never shows it, h_n is never padded
        "lstm 2-dir batch_first packed",
        "torch.zeros_like(m.h_n[0])",
        "m.h_n[0]",
        "",
        "zeros",
        "Your answer[0] is zeros: all its numbers are 0. It should be h_n[0, 0]: final state of layer 0, forward, sequence 0. "
        + PADDED_ONLY_IN_OUTPUT
        + "h_n is never padded, and output shows only the top layer."
        + NOT_A_STATE
        + " (2 more pieces of your answer differ too.)",
        "h_n[0, 0]",
    ),
    (  # output's padding read where the top layer's backward final state is wanted: it ends at step 0
        "lstm 2-dir batch_first packed",
        "m.out[1:, -1, m.H :]",
        "m.h_n[-1, 1:]",
        "h_n",
        "padding",
        "Your answer[0] is zeros: what output holds after a sequence's end (padding). It should be h_n[-1, 1]: final state of layer 2 (the top layer), backward, sequence 1. That is padding: sequence 1 has only 2 valid steps, and output holds zeros after them. Its backward direction ends at step 0, which is never padding. (1 more piece of your answer differs too.)",
        "h_n[-1, 1]",
    ),
    (  # output's padding read where a valid step before the last is wanted
        "lstm 2-dir batch_first packed",
        "m.out[2:, 3, : m.H]",
        "m.out[2:, 1, : m.H]",
        "",
        "padding",
        "Your answer[0] is zeros: what output holds after a sequence's end (padding). It should be output[2, 1, 0:5]: the top layer's output at step 1, forward, sequence 2. That is padding: sequence 2 has only 3 valid steps, and output holds zeros after them. Step 1 is one of them.",
        "output[2, 1, 0:5]",
    ),
    (  # with proj_size too, output's padding is H_out wide
        "lstm proj_size packed",
        "m.out[1:, -1, : m.H]",
        "m.h_n[-2, 1:]",
        "h_n",
        "padding",
        "Your answer[0] is zeros: what output holds after a sequence's end (padding). It should be h_n[-2, 1]: final state of layer 0, forward, sequence 1. That is padding: sequence 1 has only 2 valid steps, and output holds zeros after them. Its final state is at its own last valid step, lengths[1] - 1 = 1. (1 more piece of your answer differs too.)",
        "h_n[-2, 1]",
    ),
]


@pytest.mark.parametrize("case_name,got,expected,prefer,pattern,text,advice", ZEROS)
def test_zeros_are_called_padding_only_where_output_is_padded(case_name, got, expected, prefer, pattern, text, advice):
    """Only output is padded, after a sequence's end: zeros where c_n, a lower layer's h_n row or a sequence without
    padding is wanted are zeros made by hand, and the message never says "no padding" for a run that has some."""
    m = Run({**ALL_CASES, **ZEROS_CASES}[case_name])
    got, expected = eval(got), eval(expected)
    d = diagnose(m.run, got, expected, prefer)
    assert (d.pattern, d.text, d.advice, d.target) == (pattern, text, advice, "[0]")
    assert torch.equal(eval(advice, namespace(m, got, expected)), expected[0])
    padded = m.case.lengths is not None and min(m.case.lengths) < m.L
    assert ("no padding" in d.text) == (not padded)  # "no padding" only for a run that has none
    assert ("(padding)" in d.text) == (pattern == "padding")


CUT = "A slice bound written as a number cuts a vector in the middle once the sizes change: compute it from the shape, "
PROJ_C_N = "(c_n is hidden_size = 4 wide, h_n proj_size = 2)"
PROJ_H_N = "(H_out = proj_size = 2 here, c_n is hidden_size = 4 wide)"

# (configuration, the learner's answer, the wanted tensor, prefer, the whole message)
CUT_ROWS = [
    (  # with proj_size, c_n is hidden_size wide (4 here), h_n and each half of output proj_size wide (2)
        "lstm 2-dir proj_size",
        "m.c_n[-1][:, :3]",
        "m.c_n[-1]",
        "c_n",
        "Your answer[0] is only features 0:3 of c_n[-1, 0] (cell state of layer 1 (the top layer), backward, sequence "
        f"0), which has 4 features. {CUT}for example H_cell = c_n.shape[-1] {PROJ_C_N}.",
    ),
    (  # the width is the cut vector's, whichever tensor the learner was given
        "lstm 2-dir proj_size",
        "m.c_n[-1][:, :3]",
        "m.c_n[-1]",
        "output",
        "Your answer[0] is only features 0:3 of c_n[-1, 0] (cell state of layer 1 (the top layer), backward, sequence "
        f"0), which has 4 features. {CUT}for example H_cell = c_n.shape[-1] {PROJ_C_N}.",
    ),
    (
        "lstm 2-dir proj_size",
        "m.h_n[-1][:, 1:]",
        "m.h_n[-1]",
        "h_n",
        "Your answer[0] is only features 1:2 of h_n[-1, 0] (final state of layer 1 (the top layer), backward, sequence "
        f"0), which has 2 features. {CUT}for example H_out = h_n.shape[-1] {PROJ_H_N}.",
    ),
    (
        "lstm 2-dir proj_size",
        "m.out[:, 0, m.H - 1 :]",
        "m.out[:, 0, m.H :]",
        "output",
        "Your answer[0, 0:1] is only features 1:2 of output[0, 0, 0:2] (the top layer's output at step 0, forward, "
        f"sequence 0), which has 2 features. {CUT}for example H_out = output.shape[-1] // 2 {PROJ_H_N}.",
    ),
    (  # just outside: without proj_size one width for all, and c_n's is still called H_cell, c_n's own
        "lstm 2-dir batch_first packed",
        "m.c_n[-1][:, 1:]",
        "m.c_n[-1]",
        "h_n",
        "Your answer[0] is only features 1:5 of c_n[-1, 0] (cell state of layer 2 (the top layer), backward, sequence "
        f"0), which has 5 features. {CUT}for example H_cell = c_n.shape[-1].",
    ),
    (
        "lstm 2-dir batch_first packed",
        "m.h_n[-1][:, 1:]",
        "m.h_n[-1]",
        "h_n",
        "Your answer[0] is only features 1:5 of h_n[-1, 0] (final state of layer 2 (the top layer), backward, sequence "
        f"0), which has 5 features. {CUT}for example H_out = h_n.shape[-1].",
    ),
    (
        "lstm 1-dir unbatched",
        "m.c_n[-1][1:]",
        "m.c_n[-1]",
        "",
        "Your answer is only features 1:3 of c_n[-1] (cell state of layer 1 (the top layer)), which has 3 features. "
        f"{CUT}for example H_cell = c_n.shape[-1].",
    ),
]


@pytest.mark.parametrize("case_name,got,expected,prefer,text", CUT_ROWS)
def test_a_cut_row_is_measured_against_its_own_tensor_s_width(case_name, got, expected, prefer, text):
    """The size hint names the width of the tensor the cut vector came from, and computes it: c_n's rows are H_cell =
    hidden_size wide, h_n's and each half of output's H_out, which is proj_size when it is set."""
    m = Run(ALL_CASES[case_name])
    got, expected = eval(got), eval(expected)
    d = diagnose(m.run, got, expected, prefer)
    assert (d.pattern, d.text, d.advice) == ("partial", text, None)
    width, name, code = re.search(
        r"which has (\d+) features\..* for example (\w+) = ([^(]+?)(?: \(|\.$)", d.text
    ).groups()
    assert eval(code, namespace(m, got, expected)) == int(width)  # the hint computes the cut vector's width
    sizes = {"H_cell": m.cfg.hidden_size, "H_out": m.cfg.h_out}
    assert sizes[name] == int(width)
    for said, size in re.findall(r"(hidden_size|proj_size) = (\d+)", d.text):
        assert getattr(m.cfg, said) == int(size)


def test_same_shape_swaps_of_dimensions_of_several_sizes():
    """Two swaps, of size-2 and of size-3 dimensions, keep the shape: each swapped dimension has the size of the one
    it replaces. Swapping only the first two, with the features kept last, is a transpose too."""
    from helpers.exercises.diagnose.shapes import rearranged

    want = torch.arange(36.0).reshape(2, 2, 3, 3)
    got = want.permute(1, 0, 3, 2)
    d = rearranged(got, want)
    assert (d.pattern, d.advice) == ("transposed", "answer.permute(1, 0, 3, 2)")
    assert d.text == (
        "Your answer holds the right numbers, with its dimensions in another order (its features run along dimension "
        "2, not the last): its shape, (2, 2, 3, 3), is the wanted one only because the swapped dimensions each have the size of the one they replace. Put them in the "
        "wanted order with answer.permute(1, 0, 3, 2)."
    )
    assert torch.equal(got.permute(1, 0, 3, 2), want)
    d = rearranged(want.permute(1, 0, 2, 3), want)
    assert (d.pattern, d.advice) == ("transposed", "answer.permute(1, 0, 2, 3)")
    assert rearranged(want, want) is None
    assert rearranged(want.flip(0), want) is None  # the same shape, but no order of the dimensions gives want


# --- rules the mutation run showed untested (issue 30) --------------------------------------------------------------


def test_a_hidden_state_where_c_n_is_wanted_is_named_from_h_n_whatever_the_learner_was_given():
    """c_n's rows line up with h_n's, so the hidden state in the answer is named by h_n (h_n[-1, 0]), not output,
    even for a learner who worked from output."""
    m = Run(CASES["lstm 1-dir time-major packed"])
    for prefer in ("output", "h_n", ""):
        d = diagnose(m.run, m.h_n[-1], m.c_n[-1], prefer)
        assert (d.pattern, d.advice, d.target) == ("h_n_for_c_n", "c_n[-1, 0]", "[0]"), prefer
        assert d.text == (
            "Your answer[0] is h_n[-1, 0]: final state of layer 1 (the top layer), sequence 0. It should be c_n[-1, 0]: "
            "cell state of layer 1 (the top layer), sequence 0. That is the hidden state (h_n, or output); the task "
            "wants c_n, the LSTM's cell state, which output never shows. (3 more pieces of your answer differ too.)"
        ), prefer


def test_the_likeliest_story_differs_in_the_fewest_fields_then_stays_in_the_tensor_s_family():
    """best_pair: the (wanted, got) names with the fewest differing fields (kind, layer, direction, sequence, step)
    win, whatever their tensors; among those, a pair in one family (c_n counts as h_n's, its rows line up with
    h_n's) beats a pair across tensors; then the tensor the learner was given (prefer). A got piece can carry names
    of unrelated vectors when numbers repeat (a saturated unit is exactly 1.0 in many places)."""
    from helpers.exercises.diagnose.names import best_pair

    out_2 = Name("output", 0, 1, 0, 2)  # top layer (1), forward, sequence 0, step 2
    h_below_2 = Name("h_n", 0, 0, 0, 2, 0)  # layer 0: one field differs (the layer), across tensors
    out_back_3 = Name("output", 0, 1, 1, 3)  # two fields differ (direction and step), same tensor
    for prefer in ("output", "h_n"):
        assert best_pair((out_2,), (h_below_2, out_back_3), prefer) == (out_2, h_below_2), prefer
        assert best_pair((out_2,), (out_back_3, h_below_2), prefer) == (out_2, h_below_2), prefer
    c_top, h_top, out_top = Name("c_n", 0, 1, 0, 4, 2), Name("h_n", 0, 1, 0, 4, 2), Name("output", 0, 1, 0, 4)
    for prefer in ("output", "h_n"):  # fields tie (the kind): c_n's story is told with h_n, even from output
        assert best_pair((c_top,), (out_top, h_top), prefer) == (c_top, h_top), prefer
        assert best_pair((out_top, h_top), (c_top,), prefer) == (h_top, c_top), prefer
    out_3, h_3 = Name("output", 0, 1, 0, 3), Name("h_n", 0, 1, 0, 3, 2)
    assert best_pair((out_top, h_top), (out_3, h_3), "h_n") == (h_top, h_3)  # fields and family tie: prefer
    assert best_pair((out_top, h_top), (out_3, h_3), "output") == (out_top, out_3)


def test_time_read_as_batch_needs_several_wanted_rows():
    """Two sequences of two steps (N == L == 2, batch_first): output[0] is sequence 0's steps where the last step of
    each sequence is wanted, told as time read as the batch. Just outside: one wanted row (1-D, both sequences side
    by side) has no rows to confuse, so it gets the step story of its first piece."""
    case = Case(RNNConfig("gru", 3, 4, batch_first=True, seed=8), seq_len=2, batch_size=2)
    m = Run(case)
    d = diagnose(m.run, m.output[0], m.out[:, -1], prefer="output")
    assert (d.pattern, d.advice) == ("time_for_batch", None)
    assert d.text == (
        "The rows of your answer are the steps of one sequence: your answer[0] is output[0, 0]; your answer[1] is "
        "output[0, 1]. The task wants one row per sequence. Here output is (N, L, ...): check which dimension is time "
        "and which is the batch."
    )
    m = Run(CASES["gru 1-dir batch_first"])
    got, wanted = torch.cat([m.out[0, 0], m.out[0, 1]]), torch.cat([m.out[0, -1], m.out[1, -1]])
    d = diagnose(m.run, got, wanted, prefer="output")
    assert (d.pattern, d.advice, d.target) == ("wrong_step", "output[0, 4]", "[0:4]")
    assert d.text.startswith("Your answer[0:4] is output[0, 0]: the top layer's output at step 0, sequence 0. ")


def test_padding_read_for_a_sequence_of_one_step():
    """A sequence of length 1 ends at step 0, forward: its final state is at lengths[n] - 1 = 0, not 'the backward
    direction ends at step 0' (there is no backward direction here)."""
    case = Case(RNNConfig("gru", 3, 3, num_layers=1, seed=4), 4, 3, lengths=(4, 1, 3))
    m = Run(case)
    d = diagnose(m.run, m.out[:, -1], m.h_n[-1], prefer="output")
    assert (d.pattern, d.advice, d.target) == ("padding", "output[0, 1]", "[1]")
    assert d.text.startswith(
        "Your answer[1] is zeros: what output holds after a sequence's end (padding). It should be output[0, 1]: the "
        "top layer's output at step 0, sequence 1. That is padding: sequence 1 has only 1 valid step"
    )
    assert d.text.endswith(
        "and output holds zeros after it. Its final state is at its own last valid step, lengths[1] - 1 = 0. "
        "(1 more piece of your answer differs too.)"
    )
    assert "1 valid step," in d.text and "1 valid steps" not in d.text  # one step, said in the singular
    assert "backward" not in d.text
    assert torch.equal(m.output[0, 1], m.h_n[-1, 1])


def test_zeros_over_a_c_n_row_wider_than_h_out():
    """With proj_size, a c_n row (hidden_size = 4 wide) is wider than the zeros cut at H_out = 2: zeros over all of
    it are one zeros piece, also when it is the second half of a row (answer[0, 4:8]). A row of c_n's width that is
    only partly zeros (the rest numbers of no vector) is never called zeros."""
    m = Run(CASES["lstm 2-dir proj_size"])
    both = torch.cat([m.c_n[-2], m.c_n[-1]], -1)  # (N, 8)
    d = diagnose(m.run, torch.cat([m.c_n[-2], torch.zeros_like(m.c_n[-1])], -1), both)
    assert (d.pattern, d.advice, d.target) == ("zeros", "c_n[-1, 0]", "[0, 4:8]")
    assert d.text == (
        "Your answer[0, 4:8] is zeros: all its numbers are 0. It should be c_n[-1, 0]: cell state of layer 1 (the top "
        "layer), backward, sequence 0. " + NO_PADDING + " (2 more pieces of your answer differ too.)"
    )
    half = m.c_n[-1].clone()
    half[:, :2] = 0
    half[:, 2:] = torch.tensor([0.1234, 0.5678])  # numbers of no vector of the run
    d = diagnose(m.run, half, m.c_n[-1])
    assert (d.pattern, d.advice, d.target) == ("partly_nothing", "c_n[-1, 0]", "[0]")
    assert d.text == (
        "Your answer[0] matches no vector of this run. It should be c_n[-1, 0]: cell state of layer 1 (the top "
        "layer), backward, sequence 0. (2 more pieces of your answer differ too.)"
    )


def test_a_same_shape_swap_is_told_for_answers_of_two_to_five_dimensions_and_never_for_the_wanted_tensor():
    """rearranged: the wanted tensor itself is no shape story (None); a swap of two same-size dimensions of a 5-D
    tensor is found like a 2-D one."""
    from helpers.exercises.diagnose.shapes import rearranged

    for shape in [(3, 3), (2, 3, 3), (2, 2, 2, 3), (2, 1, 2, 3, 3)]:
        want = torch.arange(float(torch.Size(shape).numel())).reshape(shape) + 1
        assert rearranged(want, want) is None, shape
        assert rearranged(want.clone(), want) is None, shape
    want = torch.arange(1.0, 25.0).reshape(1, 2, 3, 2, 2)
    got = want.transpose(3, 4)
    d = rearranged(got, want)
    assert (d.pattern, d.advice) == ("transposed", "answer.permute(0, 1, 2, 4, 3)")
    assert d.text.endswith(
        "the swapped dimensions have the same size, 2. Put them in the wanted order with answer.permute(0, 1, 2, 4, 3)."
    )
    assert torch.equal(got.permute(0, 1, 2, 4, 3), want)


def saturated_run():
    """A one-layer RNN whose units saturate: tanh of a large input is exactly 1.0 in float32, so 1.0 is feature 0
    of output[0, 0] and feature 1 of output[1, 0] (= h_n[0, 0]), and nowhere else."""
    from helpers.models import RNNRun

    cfg = RNNConfig("rnn", 2, 2)
    module = torch.nn.RNN(2, 2)
    with torch.no_grad():
        for p in module.parameters():
            p.zero_()
        module.weight_ih_l0.copy_(torch.diag(torch.tensor([100.0, 1.0])))
    x = torch.tensor([[[1.0, 0.3]], [[-0.002, 50.0]]])  # (L, N, H_in) = (2, 1, 2)
    output, h_n = module(x)
    assert output[0, 0, 0] == 1.0 and output[1, 0, 1] == 1.0 and output[1, 0, 0] != 1.0 and output[0, 0, 1] != 1.0
    return RNNRun(cfg, module, x, None, output.detach(), h_n.detach(), None)


@pytest.mark.parametrize("prefer", ["output", "h_n"])
def test_a_number_found_at_several_places_is_named_where_it_really_is(prefer):
    """A piece of one number that several vectors hold, at different features: the message names a vector that
    holds it at the features it says (output[0, 0]'s 0:1), never another vector's features at that place."""
    r = saturated_run()
    ns = tensors(r)
    got = torch.tensor([1.0])
    d = diagnose(r, got, r.h_n.detach()[0, 0, :1], prefer)
    assert d.pattern == "partial"
    a, b, name = re.search(r"is only features (\d+):(\d+) of ((?:output|h_n|c_n)\[[^\]]*\])", d.text).groups()
    assert torch.equal(eval(name, ns)[int(a) : int(b)], got), d.text
    assert d.text.startswith("Your answer is only features 0:1 of output[0, 0] (the top layer's output at step 0")


def test_steps_of_one_sequence_are_told_as_time_for_batch_only_where_sequences_are_wanted():
    """Just outside the time-for-batch story: the wanted rows are steps of one sequence too (output[0, 3:5]), so
    the answer's steps 0 and 1 of that sequence are told as the wrong steps, not as time read as the batch."""
    m = Run(CASES["gru 1-dir batch_first"])
    d = diagnose(m.run, m.out[0, 0:2], m.out[0, 3:5], prefer="output")
    assert (d.pattern, d.advice, d.target) == ("wrong_step", "output[0, 3]", "[0]")
    assert d.text.startswith("Your answer[0] is output[0, 0]: the top layer's output at step 0, sequence 0. ")


def test_numbers_computed_from_the_run_next_to_a_misaligned_answer_are_named_by_the_wanted_place():
    """The wanted half is maths on the run (h_n[-2] * 2); the answer's first three numbers are two unknown numbers
    and a zero, cut differently from the wanted piece: the message names the wanted place, answer[0, 0:3]."""
    m = Run(CASES["gru 2-dir time-major"])
    got = torch.cat([torch.tensor([[0.5, 0.6, 0.0]] * m.N), m.h_n[-1]], -1)
    d = diagnose(m.run, got, torch.cat([m.h_n[-2] * 2, m.h_n[-1]], -1))
    assert (d.pattern, d.advice, d.target) == ("mixed", None, "")
    assert d.text == (
        "Your answer[0, 0:3] matches no vector of this run. The task wants other numbers there, computed from the run "
        "rather than read from it."
    )


def test_halves_are_swapped_only_when_each_row_is_the_two_wanted_halves_of_one_width_in_the_other_order():
    """Not the halves story: a row that holds the wanted first half shifted by one place (three pieces, not two),
    and, with proj_size, h_n[-1] (2 wide) and c_n[-1] (4 wide) in the other order (not two halves of one width)."""
    m = Run(CASES["gru 2-dir time-major"])
    got = torch.cat([torch.zeros(m.N, 1), m.h_n[-2], torch.tensor([[0.7, 0.8]] * m.N)], -1)
    d = diagnose(m.run, got, torch.cat([m.h_n[-2], torch.zeros_like(m.h_n[-1])], -1))
    assert (d.pattern, d.advice, d.target) == ("partly_nothing", "h_n[-2, 0]", "[0, 0:3]")
    assert d.text.startswith(
        "Your answer[0, 0:3] matches no vector of this run. It should be h_n[-2, 0]: final state of layer 1 (the top "
        "layer), forward, sequence 0."
    )
    m = Run(CASES["lstm 2-dir proj_size"])
    got, wanted = torch.cat([m.c_n[-1], m.h_n[-1]], -1), torch.cat([m.h_n[-1], m.c_n[-1]], -1)  # (N, 6) both
    d = diagnose(m.run, got, wanted)
    assert d.pattern != "halves_swapped" and "swapped" not in d.text, d.text
    ns = namespace(m, got, wanted)
    for where, name in SHOULD.findall(d.text):
        assert torch.equal(eval("expected" + where[len("answer") :], ns), eval(name, ns)), (where, name)
    assert d.advice is not None and d.advice in d.text  # what it should be, at the place it names
    assert torch.equal(eval(d.advice, ns), eval("expected" + d.target, ns)), (d.advice, d.target)


def test_a_missing_wanted_row_is_pointed_at_as_that_row():
    """too_little: the answer holds only the first two rows of h_n[-1]; the part it lacks is a whole row of the
    wanted tensor, named as that row (expected[2]), which the advice gives."""
    m = Run(CASES["gru 1-dir batch_first"])
    got = m.h_n[-1, :2]
    d = diagnose(m.run, got, m.h_n[-1])
    assert (d.pattern, d.advice, d.target) == ("too_little", "h_n[-1, 2]", "[2]")
    assert d.text.startswith(
        "Your answer holds only part of what the task wants: your answer[0] is h_n[-1, 0] (final state of layer 1 "
        "(the top layer), sequence 0); your answer[1] is h_n[-1, 1] (final state of layer 1 (the top layer), sequence "
        "1). It lacks h_n[-1, 2] (final state of layer 1 (the top layer), sequence 2)"
    )
    ns = namespace(m, got, m.h_n[-1])
    assert torch.equal(eval(d.advice, ns), eval("expected" + d.target, ns))


def test_a_single_number_is_read_as_a_one_number_row():
    """A 0-D answer (h_n[-1, 0, 1], an integer index too many) is one number of a vector: named with its place in
    that vector, and the claim is true. Where the one-element slice is wanted, it is the missing dimension."""
    m = Run(CASES["gru 2-dir time-major"])
    got = m.h_n[-1, 0, 1]
    d = diagnose(m.run, got, m.h_n[-1, 0])
    assert (d.pattern, d.advice) == ("partial", None)
    assert d.text.startswith(
        "Your answer is only features 1:2 of h_n[-1, 0] (final state of layer 1 (the top layer), backward, sequence "
        "0), which has 3 features."
    )
    assert torch.equal(m.h_n[-1, 0][1:2], got.reshape(1))
    d = diagnose(m.run, got, m.h_n[-1, 0, 1:2])
    assert (d.pattern, d.advice) == ("missing_dim", "answer.unsqueeze(0)")
    assert "(shape (), wanted (1,))" in d.text


def test_dimensions_in_another_order_are_found_up_to_five_dimensions():
    """rearranged: the transposed story searches every order of up to 5 dimensions."""
    from helpers.exercises.diagnose.shapes import rearranged

    want = torch.arange(1.0, 121.0).reshape(1, 2, 3, 4, 5)
    d = rearranged(want.permute(0, 1, 2, 4, 3), want)
    assert (d.pattern, d.advice) == ("transposed", "answer.permute(0, 1, 2, 4, 3)")
    assert d.text == (
        "Your answer holds the right numbers, with its dimensions in another order (shape (1, 2, 3, 5, 4), wanted "
        "(1, 2, 3, 4, 5)). Put them in the wanted order with answer.permute(0, 1, 2, 4, 3)."
    )


def test_a_state_where_output_s_padding_is_wanted_is_told_so_for_a_gru_too():
    """output[-1] of a padded run holds zeros for the shorter sequences. An answer with a state there is told that
    the task wants output as it is, padding included; never that the task wants c_n (a GRU has none), and never the
    padding story of an answer that holds zeros."""
    case = Case(RNNConfig("gru", 3, 3, num_layers=1, seed=4), 4, 3, lengths=(4, 2, 3))
    m = Run(case)
    d = diagnose(m.run, m.h_n[-1], m.output[-1], prefer="output")
    assert d.pattern == "padding_wanted"
    assert d.text == (
        "Your answer[1] is output[1, 1]: the top layer's output at step 1, sequence 1. It should be zeros: what "
        "output holds after a sequence's end (padding). The task wants output as it is, padding included: your "
        "answer has a state of the run where output holds zeros. (1 more piece of your answer differs too.)"
    )
    assert torch.equal(m.output[-1, 1], torch.zeros(3)) and torch.equal(m.h_n[-1, 1], m.output[1, 1])
    # just outside: an LSTM's hidden state where its c_n is wanted is still the c_n story
    lstm = Run(CASES["lstm 1-dir time-major packed"])
    assert diagnose(lstm.run, lstm.h_n[-1], lstm.c_n[-1]).pattern == "h_n_for_c_n"


def test_the_part_an_answer_lacks_says_among_others_only_when_more_is_missing():
    """too_little names one missing piece; 'among others' only when another wanted piece is missing too."""
    m = Run(CASES["gru 1-dir batch_first"])
    n = m.h_n.shape[1]
    one_short = diagnose(m.run, m.h_n[-1, : n - 1], m.h_n[-1])
    assert one_short.pattern == "too_little" and one_short.text.endswith(
        f"It lacks h_n[-1, {n - 1}] (final state of layer 1 (the top layer), sequence {n - 1})."
    )
    two_short = diagnose(m.run, m.h_n[-1, : n - 2], m.h_n[-1])
    assert two_short.pattern == "too_little" and two_short.text.endswith(
        f"It lacks h_n[-1, {n - 2}] (final state of layer 1 (the top layer), sequence {n - 2}), among others."
    )
