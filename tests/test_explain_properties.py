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
def calls(draw):
    """A random small module, its input (maybe unbatched or packed) and maybe an initial state."""
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
        dtype=dtype,
    )
    if proj_size:
        kwargs["proj_size"] = proj_size
    torch.manual_seed(draw(st.integers(0, 2**16)))
    module = getattr(nn, cell)(**kwargs)
    seq_len, unbatched = draw(st.integers(1, 6)), draw(st.booleans())
    batch_size = 1 if unbatched else draw(st.integers(1, 4))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**16)))
    if unbatched:
        shape = (seq_len, kwargs["input_size"])
    elif kwargs["batch_first"]:
        shape = (batch_size, seq_len, kwargs["input_size"])
    else:
        shape = (seq_len, batch_size, kwargs["input_size"])
    x = torch.randn(shape, generator=generator, dtype=dtype)
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
            assert state.in_output is None and not state.per_sequence and not state.found_in_output
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
    assert report.output.dtype == module.weight_ih_l0.dtype
    if spec.packed:
        assert_own_last_step(module, x, hx, t["lengths"], t["h_n"])
    text = str(report)
    for name in ("output", "h_n", "c_n"):
        if name in t:
            assert str(tuple(t[name].shape)) in text


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
