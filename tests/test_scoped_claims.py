"""The scoped sentences of notebooks 05, 06 and 08 (issue 23), checked over their scope and just outside it.

Each rule is tested against torch on many configurations: where the sentence says it holds, it holds; at the
edge of its scope (a sequence of one step, no packing, an optimizer step, an LSTM's pair), the test finds the
case that the notebook names as the exception. The last test keeps the broad wordings from coming back.
"""

import re
from pathlib import Path

import nbformat
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from helpers import RNNConfig, run

REPO = Path(__file__).resolve().parent.parent
CELLS = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}


@st.composite
def packed_bidirectional_runs(draw):
    """A packed, batch-first, bidirectional run with random lengths, often with a sequence of one step."""
    cell = draw(st.sampled_from(sorted(CELLS)))
    hidden_size = draw(st.integers(1, 4))
    config = RNNConfig(
        cell=cell,
        input_size=draw(st.integers(1, 3)),
        hidden_size=hidden_size,
        num_layers=draw(st.integers(1, 3)),
        bidirectional=True,
        batch_first=True,
        proj_size=draw(st.integers(0, hidden_size - 1)) if cell == "lstm" else 0,
        seed=draw(st.integers(0, 2**16)),
    )
    seq_len = draw(st.integers(2, 6))
    batch_size = draw(st.integers(1, 4))
    lengths = draw(st.lists(st.integers(1, seq_len), min_size=batch_size, max_size=batch_size))
    return run(config, seq_len=seq_len, batch_size=batch_size, lengths=lengths)


@settings(max_examples=60, deadline=None)
@given(packed_bidirectional_runs())
def test_packed_backward_final_state_is_at_step_0_and_at_the_last_valid_step_only_for_length_1(r):
    h_out = r.config.h_out
    backward = r.h_n[-1]  # (N, H_out): the top layer's backward final state
    assert torch.equal(r.output[:, 0, h_out:], backward)
    for n, length in enumerate(r.lengths.tolist()):
        at_last_valid = r.output[n, length - 1, h_out:]
        assert torch.equal(r.output[n, length - 1, :h_out], r.h_n[-2, n])  # the forward final state is there
        if length == 1:
            assert torch.equal(at_last_valid, backward[n])  # step 0 is the last valid step
        else:
            assert not torch.equal(at_last_valid, backward[n])


@settings(max_examples=40, deadline=None)
@given(
    cell=st.sampled_from(sorted(CELLS)),
    num_layers=st.integers(1, 3),
    lengths=st.lists(st.integers(1, 5), min_size=2, max_size=4).filter(lambda ls: min(ls) < 5),
    seed=st.integers(0, 2**16),
)
def test_output_last_column_is_zeros_only_after_packing(cell, num_layers, lengths, seed):
    """Packed: zeros after each end. Padded, not packed: the state after the padding, h_n[-1], not zeros."""
    torch.manual_seed(seed)
    module = CELLS[cell](input_size=2, hidden_size=3, num_layers=num_layers, batch_first=True)
    x = torch.randn(len(lengths), 5, 2)
    lengths_t = torch.tensor(lengths)
    padding = torch.arange(5)[None, :] >= lengths_t[:, None]  # (N, L)
    x[padding] = 0
    packed_output, _ = module(pack_padded_sequence(x, lengths_t, batch_first=True, enforce_sorted=False))
    output, _ = pad_packed_sequence(packed_output, batch_first=True, total_length=5)
    assert bool((output[padding] == 0).all())
    output_np, state_np = module(x)
    h_n_np = state_np[0] if cell == "lstm" else state_np
    assert torch.equal(output_np[:, -1], h_n_np[-1])
    short = lengths_t < 5
    assert not bool((output_np[short, -1] == 0).all(dim=-1).any())  # not zeros
    at_end = output_np[torch.arange(len(lengths)), lengths_t - 1]
    assert not bool((output_np[short, -1] == at_end[short]).all(dim=-1).any())  # past the true end


@pytest.mark.parametrize("dtype", [torch.int64, torch.int32, torch.int16, torch.float32, torch.float64])
def test_pack_padded_sequence_converts_tensor_lengths_to_int64(dtype):
    torch.manual_seed(0)
    x = torch.randn(3, 6, 2)
    reference = pack_padded_sequence(x, [4, 6, 2], batch_first=True, enforce_sorted=False)
    packed = pack_padded_sequence(x, torch.tensor([4, 6, 2], dtype=dtype), batch_first=True, enforce_sorted=False)
    assert torch.equal(packed.data, reference.data) and torch.equal(packed.batch_sizes, reference.batch_sizes)


def test_float_lengths_are_cut_toward_zero_and_non_cpu_or_2d_lengths_are_refused():
    torch.manual_seed(0)
    x = torch.randn(3, 6, 2)
    cut = pack_padded_sequence(x, torch.tensor([4.7, 6.0, 2.9]), batch_first=True, enforce_sorted=False)
    assert torch.equal(cut.data, pack_padded_sequence(x, [4, 6, 2], batch_first=True, enforce_sorted=False).data)
    for bad in (torch.tensor([6, 4, 2], device="meta"), torch.tensor([[6, 4, 2]])):
        with pytest.raises(RuntimeError, match="should be a 1D CPU int64 tensor"):
            pack_padded_sequence(x, bad, batch_first=True)


def _stream_gru():
    torch.manual_seed(0)
    gru, head = nn.GRU(3, 4, batch_first=True), nn.Linear(4, 1)
    return gru, head, torch.optim.SGD([*gru.parameters(), *head.parameters()], lr=0.1)


def test_retain_graph_fails_once_an_optimizer_steps_and_detach_works():
    chunks = torch.randn(2, 30, 3, generator=torch.Generator().manual_seed(1)).split(10, dim=1)
    gru, head, optimizer = _stream_gru()
    h = None
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        for chunk in chunks:
            out, h = gru(chunk, h)
            optimizer.zero_grad()
            head(out).pow(2).mean().backward(retain_graph=True)
            optimizer.step()
    gru, head, optimizer = _stream_gru()
    h = None
    for chunk in chunks:
        out, h = gru(chunk, h)
        optimizer.zero_grad()
        head(out).pow(2).mean().backward()
        optimizer.step()
        h = h.detach()
    assert h.grad_fn is None


def test_an_lstm_state_must_be_detached_in_both_parts():
    chunks = torch.randn(2, 30, 3, generator=torch.Generator().manual_seed(1)).split(10, dim=1)
    torch.manual_seed(0)
    lstm = nn.LSTM(3, 4, batch_first=True)
    state = None
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        for chunk in chunks:
            out, state = lstm(chunk, state)
            out.pow(2).mean().backward()
            state = (state[0].detach(), state[1])  # h only
    state = None
    for chunk in chunks:
        out, state = lstm(chunk, state)
        out.pow(2).mean().backward()
        state = (state[0].detach(), state[1].detach())
    assert all(s.grad_fn is None and not s.requires_grad for s in state)


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_carried_state_does_not_fit_a_smaller_batch(cell):
    torch.manual_seed(0)
    module = CELLS[cell](3, 4, batch_first=True)
    _, state = module(torch.randn(4, 5, 3))
    with pytest.raises(RuntimeError, match=r"Expected hidden(\[0\])? size \(1, 2, 4\), got \[1, 4, 4\]"):
        module(torch.randn(2, 5, 3), state)


@pytest.mark.parametrize("n,length", [(3, 6), (6, 6)])
def test_a_batch_first_x_without_batch_first_leaks_between_sequences(n, length):
    torch.manual_seed(0)
    time_first = nn.GRU(4, 5)
    torch.manual_seed(0)
    batch_first = nn.GRU(4, 5, batch_first=True)
    x = torch.randn(n, length, 4)
    changed = x.clone()
    changed[0] += 1.0
    assert not torch.equal(time_first(changed)[0][2], time_first(x)[0][2])  # sequence 2 moved: a leak
    assert torch.equal(batch_first(changed)[0][2], batch_first(x)[0][2])


@pytest.mark.parametrize("num_layers,bidirectional,mixes", [(1, False, False), (1, True, True), (2, False, True)])
def test_view_mixes_sequences_only_when_h_n_has_more_than_one_row(num_layers, bidirectional, mixes):
    torch.manual_seed(0)
    gru = nn.GRU(4, 2, num_layers=num_layers, bidirectional=bidirectional)
    _, h_n = gru(torch.randn(6, 3, 4))
    assert torch.equal(h_n.view(3, -1), h_n.transpose(0, 1).reshape(3, -1)) is not mixes


BROAD = [
    r"never `output\[n, lengths\[n\] - 1, H_out:\]`",
    r"In a padded batch, `output\[:, -1\]` is zeros",
    r"`retain_graph=True` the error goes away",
    r"int64 tensor on the CPU",
    r"accepted answer",
]


@pytest.mark.parametrize(
    "path",
    [
        *sorted((REPO / "notebooks").glob("0[568]_*.ipynb")),
        *sorted((REPO / "notebooks" / "notes").glob("0[568]_*.md")),
    ],
    ids=lambda p: p.name,
)
def test_the_broad_wordings_are_gone(path):
    if path.suffix == ".ipynb":
        text = "\n".join(cell.source for cell in nbformat.read(path, as_version=4).cells)
    else:
        text = path.read_text()
    found = [pattern for pattern in BROAD if re.search(pattern, text)]
    assert not found, f"{path.name} still says {found}"
