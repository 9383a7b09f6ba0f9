"""Property test: over random modules and inputs, every expression in explain()'s report names its state.

Each expression is applied by parsing it (helpers.explain.apply_expression, tested against plain
indexing in test_explain.py); the state it should name is written here with plain indexing on h_n,
as PyTorch documents its layout: h_n.view(num_layers, D, N, H_out)[layer, direction].
"""

import warnings

import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

from helpers import explain
from helpers.explain import apply_expression


@st.composite
def modules(draw):
    """A random small nn.RNN (tanh or ReLU), nn.GRU or nn.LSTM, with or without bias, float32 or float64."""
    cell = draw(st.sampled_from(["RNN", "GRU", "LSTM"]))
    hidden_size = draw(st.integers(1, 5))
    proj_size = draw(st.integers(0, hidden_size - 1)) if cell == "LSTM" else 0
    dtype = draw(st.sampled_from([torch.float32, torch.float64]))
    kwargs = dict(
        input_size=draw(st.integers(1, 4)),
        hidden_size=hidden_size,
        num_layers=draw(st.integers(1, 3)),
        bidirectional=draw(st.booleans()),
        batch_first=draw(st.booleans()),
        bias=draw(st.booleans()),
        dtype=dtype,
    )
    if cell == "RNN":
        kwargs["nonlinearity"] = draw(st.sampled_from(["tanh", "relu"]))
    if proj_size:
        kwargs["proj_size"] = proj_size
    torch.manual_seed(draw(st.integers(0, 2**16)))
    module = getattr(nn, cell)(**kwargs)
    return module, kwargs, cell, proj_size, hidden_size, dtype


@st.composite
def calls(draw):
    """A random small module, its input (maybe unbatched or packed) and maybe an initial state."""
    module, kwargs, cell, proj_size, hidden_size, dtype = draw(modules())
    seq_len, unbatched = draw(st.integers(1, 6)), draw(st.booleans())
    batch_size = 1 if unbatched else draw(st.integers(1, 4))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**16)))
    if unbatched:
        shape = (seq_len, kwargs["input_size"])
    elif kwargs["batch_first"]:
        shape = (batch_size, seq_len, kwargs["input_size"])
    else:
        shape = (seq_len, batch_size, kwargs["input_size"])
    zero = draw(st.booleans()) and draw(st.booleans())  # zero input: with bias=False every state is 0
    x = torch.zeros(shape, dtype=dtype) if zero else torch.randn(shape, generator=generator, dtype=dtype)
    lengths = None
    packing = "no" if unbatched else draw(st.sampled_from(["no", "lengths", "PackedSequence"]))
    if packing != "no":
        lengths = draw(st.lists(st.integers(1, seq_len), min_size=batch_size, max_size=batch_size))
    if packing == "PackedSequence":
        x = pack_padded_sequence(x, lengths, batch_first=kwargs["batch_first"], enforce_sorted=False)
        lengths = None
    hx = None
    if draw(st.booleans()):
        rows = kwargs["num_layers"] * (2 if kwargs["bidirectional"] else 1)
        batch = () if unbatched else (batch_size,)
        h_0 = torch.randn((rows, *batch, proj_size or hidden_size), generator=generator, dtype=dtype)
        hx = (
            (h_0, torch.randn((rows, *batch, hidden_size), generator=generator, dtype=dtype)) if cell == "LSTM" else h_0
        )
    return module, x, hx, lengths


@settings(max_examples=80, deadline=None)
@given(calls())
def test_every_expression_names_its_state(call):
    module, x, hx, lengths = call
    report = explain(module, x, hx=hx, lengths=lengths)
    assert_names_its_states(report, module)
    if report.spec.packed:
        assert_own_last_step(module, x, hx, report.tensors["lengths"], report.tensors["h_n"])


def assert_names_its_states(report, module):
    """Every expression of the report names the state PyTorch's documented layout puts there."""
    t, spec = report.tensors, report.spec
    d = 2 if module.bidirectional else 1
    h_out = module.proj_size if getattr(module, "proj_size", 0) else module.hidden_size
    batch = () if spec.unbatched else (spec.batch_size,)
    h_view = t["h_n"].view(module.num_layers, d, *batch, h_out)  # PyTorch's documented layout
    seen = set()
    for state in report.states:
        expected = h_view[state.layer, state.direction]  # (N, H_out) or (H_out,) unbatched
        for expression in (state.h_n, state.view.left):
            assert torch.equal(apply_expression(expression, t), expected), expression
        if state.c_n is not None:
            c_view = t["c_n"].view(module.num_layers, d, *batch, module.hidden_size)
            assert torch.equal(apply_expression(state.c_n, t), c_view[state.layer, state.direction])
        if state.layer < module.num_layers - 1:
            assert state.in_output is None and not state.per_sequence
            # a lower layer equal to a slice of output is a coincidence of equal numbers (a dead ReLU unit,
            # zero input without bias): the report says so and never counts it as a failed check
            assert state.found_in_output == _appears(expected, report)
            continue
        assert torch.equal(apply_expression(state.in_output.left, t), expected), state.in_output.left
        assert len(state.per_sequence) == (spec.batch_size if spec.packed else 0)
        for n, one in enumerate(state.per_sequence):
            assert torch.equal(apply_expression(one.left, t), expected[n]), one.left
            assert torch.equal(apply_expression(one.right, t), expected[n]), one.right
        seen.add(state.direction)
    assert seen == set(range(d))  # the top layer's every direction is located in output
    top = [h_view[-1, direction] for direction in range(d)]
    summary = apply_expression(report.summary.expression, t)
    assert torch.equal(summary, torch.cat(top, dim=-1))
    assert torch.equal(apply_expression(report.summary.from_output.left, t), summary)
    assert report.all_hold
    assert "False" not in [row[-1] for row in report.sections()[2].rows]  # no false "checked False"
    assert report.output.dtype == module.weight_ih_l0.dtype
    text = str(report)
    for name in ("output", "h_n", "c_n"):
        if name in t:
            assert str(tuple(t[name].shape)) in text
    assert max(len(line) for line in text.splitlines()) <= 100
    if getattr(module, "nonlinearity", "tanh") == "relu":
        assert "nonlinearity='relu'" in text


def _appears(state, report):
    """Does this (N, H_out) state equal some step of output, in some half, for some sequence? By plain loops."""
    spec, out = report.spec, report.output
    steps = out.unsqueeze(1) if spec.unbatched else (out.transpose(0, 1) if spec.batch_first else out)
    state = state.unsqueeze(0) if spec.unbatched else state
    h = spec.h_out
    return any(
        torch.equal(steps[t, n, k * h : (k + 1) * h], state[n])
        for t in range(steps.shape[0])
        for n in range(steps.shape[1])
        for k in range(spec.num_directions)
    )


class Tagger(nn.Module):
    """A whole model: an embedding, a recurrent submodule (fed packed when lengths are given), a head."""

    def __init__(self, rnn, vocab=7):
        super().__init__()
        self.embedding = nn.Embedding(vocab, rnn.input_size, dtype=rnn.weight_ih_l0.dtype)
        self.body = nn.ModuleDict({"rnn": rnn})
        d = 2 if rnn.bidirectional else 1
        self.head = nn.Linear(d * (getattr(rnn, "proj_size", 0) or rnn.hidden_size), 2, dtype=rnn.weight_ih_l0.dtype)

    def forward(self, tokens, lengths=None):
        rnn = self.body["rnn"]
        x = self.embedding(tokens)
        if lengths is not None:
            x = pack_padded_sequence(x, lengths, batch_first=rnn.batch_first, enforce_sorted=False)
        out, _ = rnn(x)
        if lengths is not None:
            out, _ = pad_packed_sequence(out, batch_first=rnn.batch_first)
        return self.head(out)


@settings(max_examples=40, deadline=None)
@given(modules(), st.integers(1, 5), st.integers(1, 3), st.booleans(), st.data())
def test_whole_models_report_what_their_recurrent_submodule_got_and_returned(drawn, seq_len, n, packed, data):
    module, kwargs, cell, proj_size, hidden_size, dtype = drawn
    torch.manual_seed(data.draw(st.integers(0, 2**16)))
    model = Tagger(module)
    shape = (n, seq_len) if module.batch_first else (seq_len, n)
    tokens = torch.randint(0, 7, shape, generator=torch.Generator().manual_seed(data.draw(st.integers(0, 99))))
    lengths = data.draw(st.lists(st.integers(1, seq_len), min_size=n, max_size=n)) if packed else None
    batch = (tokens, lengths) if packed else tokens
    report = explain(model, batch)
    assert report.spec.qualified == "body.rnn" and report.spec.access == "model.body['rnn']"
    with torch.no_grad(), warnings.catch_warnings():  # the same call by hand
        warnings.filterwarnings("ignore", message="LSTM with projections is not supported with oneDNN")
        x = model.embedding(tokens)
        given = pack_padded_sequence(x, lengths, batch_first=module.batch_first, enforce_sorted=False) if packed else x
        out, state = module(given)
    if packed:
        out, _ = pad_packed_sequence(out, batch_first=module.batch_first)
    h_n = state[0] if isinstance(state, tuple) else state
    assert torch.equal(report.output, out) and torch.equal(report.h_n, h_n)
    assert report.spec.packed == packed and report.spec.given_packed == packed
    assert_names_its_states(report, module)


def assert_own_last_step(module, x, hx, lengths, h_n):
    """Packed: h_n[:, n] is what the module gives for sequence n run alone, cut to its own length."""
    if isinstance(x, PackedSequence):
        x, _ = pad_packed_sequence(x, batch_first=module.batch_first)
    h_0 = hx[0] if isinstance(hx, tuple) else hx
    for n, length in enumerate(lengths.tolist()):
        alone = (x[n] if module.batch_first else x[:, n])[:length]  # (length, H_in), unbatched
        state = None if hx is None else ((hx[0][:, n], hx[1][:, n]) if isinstance(hx, tuple) else h_0[:, n])
        with torch.no_grad(), warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="LSTM with projections is not supported with oneDNN")
            _, final = module(alone, state)
        final_h = final[0] if isinstance(final, tuple) else final  # (num_layers * D, H_out)
        torch.testing.assert_close(h_n[:, n], final_h)
