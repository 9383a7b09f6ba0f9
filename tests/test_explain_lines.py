"""explain(..., uses=...): the lines real code writes to read the results, each read on the real tensors.

For each line: what the report says it holds (row by row), checked here by plain indexing; the expression it gives
instead, checked here against the states built another way; and the case just outside, where the line is right.
"""

import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from helpers.explain import explain
from helpers.explain.expression import apply_expression
from helpers.explain.lines import parse_uses


def seeded(cls, *args, **kwargs):
    torch.manual_seed(0)
    return cls(*args, **kwargs)


def randn(*shape):
    return torch.randn(shape, generator=torch.Generator().manual_seed(1))


def reading(report):
    (one,) = report.readings
    return one


def top_states(report):
    """The top layer's final states, both directions side by side, from h_n by PyTorch's documented layout."""
    spec = report.spec
    view = report.h_n.view(spec.num_layers, spec.num_directions, spec.batch_size, spec.h_out)
    return torch.cat(list(view[-1]), dim=-1)  # (N, D * H_out)


def instead_value(report, r, **names):
    """The replacement the report gives, applied to the tensors under the student's names."""
    return apply_expression(r.instead, {**report.tensors, **names})


class Classifier(nn.Module):
    """The sentiment-tutorial shape: embedding, a 2-layer bidirectional LSTM, a head on out[:, -1, :]."""

    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(30, 8)
        self.lstm = nn.LSTM(8, 6, num_layers=2, bidirectional=True, batch_first=True)
        self.fc = nn.Linear(12, 2)

    def forward(self, text):
        out, (hidden, cell) = self.lstm(self.embedding(text))
        return self.fc(out[:, -1, :])


def test_out_last_step_on_a_bidirectional_module():
    torch.manual_seed(0)
    model = Classifier()
    text = torch.randint(1, 30, (3, 7), generator=torch.Generator().manual_seed(2))
    report = explain(model, text, uses="self.fc(out[:, -1, :])")
    r = reading(report)
    assert r.line == "self.fc(out[:, -1, :])" and r.shape == (3, 12)
    for n, (label, holds) in enumerate(r.rows):  # each row: the forward final state, the backward half at the end
        assert label == f"[{n}]" and holds.startswith(f"sequence {n}: ")
        assert "forward, step 6 = its final state" in holds
        assert "backward, step 6 (not its final state, which is at step 0)" in holds
    assert torch.equal(report.output[:, -1, :6], report.h_n[-2])  # the forward half is right ...
    assert not torch.equal(report.output[:, -1, 6:], report.h_n[-1])  # ... the backward half is not
    assert r.intent == "summary" and not r.right
    assert r.instead == "torch.cat([h_n[-2], h_n[-1]], dim=-1)" and r.instead_holds
    assert torch.equal(instead_value(report, r), top_states(report))
    assert "write torch.cat([h_n[-2], h_n[-1]], dim=-1)" in str(report)
    # just outside: one direction, the same line is the summary
    one_way = explain(seeded(nn.LSTM, 8, 6, batch_first=True), randn(3, 7, 8), uses="out[:, -1, :]")
    assert reading(one_way).right


@pytest.mark.parametrize("num_layers, bidirectional", [(2, False), (1, True)])
def test_hidden_view_batch_size_without_a_permute(num_layers, bidirectional):
    gru = seeded(nn.GRU, 4, 5, num_layers=num_layers, bidirectional=bidirectional, batch_first=True)
    report = explain(gru, randn(3, 6, 4), uses="hidden.view(batch_size, -1)")
    r = reading(report)
    assert r.shape == (3, 10)
    wrong = report.h_n.view(3, -1)
    assert any(not torch.equal(wrong[n], report.h_n.permute(1, 0, 2).reshape(3, -1)[n]) for n in range(3))
    assert "mixes sequences: some rows hold numbers of more than one sequence" in r.facts
    assert any(holds.startswith("MIXES sequences") for _, holds in r.rows)
    assert not r.right and r.instead_holds
    assert torch.equal(instead_value(report, r, hidden=report.h_n), top_states(report))
    # just outside: one layer, one direction, h_n has one row and the view is right
    one = explain(seeded(nn.GRU, 4, 5, batch_first=True), randn(3, 6, 4), uses="hidden.view(batch_size, -1)")
    assert reading(one).right and not any("MIXES" in holds for _, holds in reading(one).rows)


def test_output_last_feature_instead_of_last_step():
    lstm = seeded(nn.LSTM, 4, 5, batch_first=True)
    report = explain(lstm, randn(3, 6, 4), uses="output[:, :, -1]")
    r = reading(report)
    assert r.shape == (3, 6)  # (N, L): one feature at every step, not one step
    assert torch.equal(report.output[:, :, -1], report.output[:, :, 4])
    for n, (label, holds) in enumerate(r.rows):
        assert label == f"[{n}]" and holds == f"sequence {n}: output: top layer forward, feature 4 of 5, step 0..5"
    assert r.intent == "summary" and not r.right and r.instead == "h_n[-1]" and r.instead_holds
    assert torch.equal(instead_value(report, r), report.output[:, -1])


def test_reading_c_n_as_the_summary():
    lstm = seeded(nn.LSTM, 4, 5, num_layers=2, batch_first=True)
    report = explain(lstm, randn(3, 6, 4), uses="output, (h, c) = self.lstm(x)\nself.fc(c[-1])")
    r = reading(report)
    assert "holds cell states (c_n), not hidden states" in r.facts
    assert all("c_n: top layer forward cell state" in holds for _, holds in r.rows)
    assert not r.right and r.instead == "h[-1]" and r.instead_holds  # in the student's own names
    assert torch.equal(instead_value(report, r, h=report.h_n), report.output[:, -1])
    assert not torch.equal(report.c_n[-1], report.output[:, -1])
    # the same line with the LSTM's pair named hidden: hidden[1] is c_n
    pair = explain(lstm, randn(3, 6, 4), uses="out, hidden = self.lstm(x); hidden[1][-1]")
    assert reading(pair).instead == "hidden[0][-1]"


def test_hidden_0_with_several_layers():
    gru = seeded(nn.GRU, 4, 5, num_layers=3)
    report = explain(gru, randn(6, 2, 4), uses="hidden[0]")
    r = reading(report)
    assert "not the top layer (layer 2)" in r.facts
    assert all("h_n: layer 0 forward final state" in holds for _, holds in r.rows)
    assert not r.right and r.instead == "hidden[-1]"
    assert torch.equal(instead_value(report, r, hidden=report.h_n), report.output[-1])
    # just outside: one layer, hidden[0] is the top layer
    assert reading(explain(seeded(nn.GRU, 4, 5), randn(6, 2, 4), uses="hidden[0]")).right


def padded_batch():
    x = randn(3, 7, 4)
    x[1, 4:] = 0  # sequence 1: 4 steps, then padding
    x[2, 2:] = 0  # sequence 2: 2 steps
    return x


def test_cat_of_both_directions_on_padded_unpacked_input():
    gru = seeded(nn.GRU, 4, 5, bidirectional=True, batch_first=True)
    x = padded_batch()
    report = explain(gru, x, uses="torch.cat((h[-2], h[-1]), 1)")
    r = reading(report)
    assert r.right and r.padding_read  # the right states, but they have read the padding
    assert "picks the right states, but they have read the padding" in r.verdict
    assert any("after reading 3 padding steps" in holds for _, holds in r.rows)
    assert r.with_packing[0].startswith("lengths = [7, 4, 2]")
    with torch.no_grad():  # packing with those lengths, by hand
        _, packed_h = gru(pack_padded_sequence(x, [7, 4, 2], batch_first=True, enforce_sorted=False))
    for n, close in enumerate([True, False, False]):  # a packed run rounds differently: closeness, not equality
        assert torch.allclose(packed_h[:, n], report.h_n[:, n]) == close
        if not close:
            assert any(f"sequence {n} " in line and "is False" in line for line in r.with_packing)
    assert report.padding is not None and report.padding.lengths == (7, 4, 2)
    assert torch.equal(report.padding.h_n, packed_h)
    # just outside: the same x packed with its lengths reads no padding
    packed = explain(gru, x, lengths=[7, 4, 2], uses="torch.cat((h[-2], h[-1]), 1)")
    assert reading(packed).right and not reading(packed).padding_read and packed.padding is None


def test_bidirectional_encoder_state_reshaped_for_a_one_direction_decoder():
    gru = seeded(nn.GRU, 4, 5, num_layers=2, bidirectional=True)
    report = explain(gru, randn(6, 3, 4), uses="hidden = hidden.view(num_layers, batch_size, -1)")
    r = reading(report)
    assert r.shape == (2, 3, 10) and r.intent == "decoder" and not r.right
    assert "mixes sequences: some rows hold numbers of more than one sequence" in r.facts
    expected = torch.stack([torch.cat([report.h_n[2 * k], report.h_n[2 * k + 1]], dim=-1) for k in range(2)])
    assert r.instead == "hidden.view(2, 2, 3, 5).transpose(1, 2).reshape(2, 3, 10)" and r.instead_holds
    assert torch.equal(instead_value(report, r, hidden=report.h_n), expected)
    # the line from the seq2seq tutorials that does it right: every other row, joined
    right = explain(gru, randn(6, 3, 4), uses="torch.cat((hidden[0:hidden.size(0):2], hidden[1:hidden.size(0):2]), 2)")
    assert reading(right).right


def test_lines_are_parsed_never_run_and_bad_lines_are_refused_before_the_run():
    gru = seeded(nn.GRU, 4, 5)
    calls = []
    gru.register_forward_pre_hook(lambda *args: calls.append(args))
    for line in ["__import__('os').system('true')", "h_n.numpy()", "lambda: h_n", "del h_n", "(" * 300 + "h_n"]:
        with pytest.raises(ValueError, match="not allowed|not valid Python"):
            explain(gru, randn(6, 2, 4), uses=line)
    with pytest.raises(ValueError, match="not allowed"):
        parse_uses("import os")
    assert not calls  # refused before the module ran
    with pytest.raises(ValueError, match="does arithmetic on something that is not an integer"):
        explain(gru, randn(6, 2, 4), uses="h_n[0] * 2")  # known a tensor only once the names are bound


@pytest.mark.parametrize(
    "line",
    ["(" * 150 + "h_n" + ")" * 150 + "[" + "-" * 1500 + "1]", "-" * 1900 + "1", "h_n" + "[0]" * 60, "x" * 3000],
)
def test_deep_or_long_lines_are_refused_with_a_value_error_never_a_recursion_error(line):
    with pytest.raises(ValueError, match="nested|characters|not allowed"):
        explain(seeded(nn.GRU, 4, 5), randn(6, 2, 4), uses=line)
