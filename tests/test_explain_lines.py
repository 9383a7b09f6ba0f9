"""explain(..., uses=...): the lines real code writes to read the results, each read on the real tensors.

For each line: what the report says it holds (row by row), checked here by plain indexing; the expression it gives
instead, checked here against the states built another way; and the case just outside, where the line is right.
"""

import ast

import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from helpers.explain import explain
from helpers.explain.expression import apply_expression
from helpers.explain.lines import INTENTS, Reading, parse_uses


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


# --- what a line may be: the forms parse_uses accepts, and each refusal's exact words ---------------------------

WHAT = (
    "names of the tensors and sizes, integers, indexing x[...] with slices a:b:c, - + * // between integers, "
    "an integer tensor +/- an integer, x.shape[i], x.size(i), x.view/reshape/permute/transpose/contiguous/"
    "squeeze/unsqueeze/flatten/detach(...), torch.cat/torch.stack((...), dim), torch.arange(n)"
)
EXAMPLE = 'uses must be the line(s) you wrote, e.g. uses="out[:, -1, :]" or uses="out, (h, c) = self.lstm(x); h[-1]"'
LINE_KINDS = (
    "a line may be an expression, an assignment x = ..., or the call that names the results, "
    "e.g. out, (h, c) = self.lstm(x)"
)
CALL_LINE = "the call line names two results, output and the state, e.g. out, hidden = self.rnn(x) or out, (h, c) = self.lstm(x)"
PAD_LINE = "write it as out, lengths = pad_packed_sequence(packed_out, ...)"


@pytest.mark.parametrize(
    "uses, message",
    [
        ("", f"uses='' is not allowed: {EXAMPLE}"),
        ("  ", f"uses='  ' is not allowed: {EXAMPLE}"),
        (3, f"uses=3 is not allowed: {EXAMPLE}"),
        ([1, 2], f"uses=[1, 2] is not allowed: {EXAMPLE}"),
        ("h_n[", "uses='h_n[' is not allowed: it is not valid Python ('[' was never closed)"),
        ("for x in y: pass", f"uses line 'for x in y: pass' is not allowed: {LINE_KINDS}"),
        ("a = b = h_n", f"uses line 'a = b = h_n' is not allowed: {LINE_KINDS}"),
        ("x += 1", f"uses line 'x += 1' is not allowed: {LINE_KINDS}"),
        (
            "out, (h, c) = self.lstm(x)",
            "uses='out, (h, c) = self.lstm(x)' holds no expression to read: add the line that reads the results",
        ),
        ("h_n[0.5]", f"uses line 'h_n[0.5]' is not allowed: '0.5' is not allowed; {WHAT}"),
        ("h_n['a']", f"uses line \"h_n['a']\" is not allowed: \"'a'\" is not allowed; {WHAT}"),
        ("h_n[True]", f"uses line 'h_n[True]' is not allowed: 'True' is not allowed; {WHAT}"),
        # an operator has no text of its own: the refusal names it
        ("h_n % 2", f"uses line 'h_n % 2' is not allowed: 'Mod' is not allowed; {WHAT}"),
        ("h_n / 2", f"uses line 'h_n / 2' is not allowed: 'Div' is not allowed; {WHAT}"),
        ("not h_n", f"uses line 'not h_n' is not allowed: 'Not' is not allowed; {WHAT}"),
        ("h_n.numpy()", f"uses line 'h_n.numpy()' is not allowed: 'h_n.numpy()' calls something not allowed; {WHAT}"),
        (
            "a = h_n.numpy()\na",
            f"uses line 'a = h_n.numpy()' is not allowed: 'h_n.numpy()' calls something not allowed; {WHAT}",
        ),
        # a call looked inside only when it is self.X(...), torch.X(...) or F.X(...) with one plain argument
        (
            "relu(out[:, -1])",
            f"uses line 'relu(out[:, -1])' is not allowed: 'relu(out[:, -1])' calls something not allowed; {WHAT}",
        ),
        ("foo.fc(out)", f"uses line 'foo.fc(out)' is not allowed: 'foo.fc(out)' calls something not allowed; {WHAT}"),
        (
            "self.fc(*out)",
            f"uses line 'self.fc(*out)' is not allowed: 'self.fc(*out)' calls something not allowed; {WHAT}",
        ),
        ("out.x = h_n", "uses line 'out.x = h_n' is not allowed: it assigns to something that is not a name"),
        (
            "a, b.c = self.rnn(x)\na",
            "uses line 'a, b.c = self.rnn(x)' is not allowed: it assigns to something that is not a name",
        ),
        (
            "out = pad_packed_sequence(packed)\nout",
            f"uses line 'out = pad_packed_sequence(packed)' is not allowed: {PAD_LINE}",
        ),
        (
            "out, lengths = pad_packed_sequence()\nout",
            f"uses line 'out, lengths = pad_packed_sequence()' is not allowed: {PAD_LINE}",
        ),
        (
            "out, lengths = pad_packed_sequence(self.lstm(x))\nout",
            f"uses line 'out, lengths = pad_packed_sequence(self.lstm(x))' is not allowed: {PAD_LINE}",
        ),
        (
            "a, b, c = pad_packed_sequence(p)\na",
            f"uses line 'a, b, c = pad_packed_sequence(p)' is not allowed: {PAD_LINE}",
        ),
        ("out, h, c = self.lstm(x)\nh", f"uses line 'out, h, c = self.lstm(x)' is not allowed: {CALL_LINE}"),
        ("(a, b), c = self.lstm(x)\nc", f"uses line '(a, b), c = self.lstm(x)' is not allowed: {CALL_LINE}"),
        ("out, (h, c, d) = self.lstm(x)\nh", f"uses line 'out, (h, c, d) = self.lstm(x)' is not allowed: {CALL_LINE}"),
        (
            "out, ((a, b), c) = self.lstm(x)\nc",
            f"uses line 'out, ((a, b), c) = self.lstm(x)' is not allowed: {CALL_LINE}",
        ),
        ("out, hidden = h_n\nhidden", f"uses line 'out, hidden = h_n' is not allowed: {CALL_LINE}"),
    ],
)
def test_refused_lines_say_which_line_and_what_a_line_may_hold(uses, message):
    with pytest.raises(ValueError) as refused:
        parse_uses(uses)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    "uses, statements",
    [
        (
            ["out, (h, c) = self.lstm(x)", "h[-1]"],  # a list of lines is read as the lines one after the other
            [
                ("call", "out, (h, c) = self.lstm(x)", ("out", ("h", "c")), "self.lstm(x)"),
                ("expr", "h[-1]", None, "h[-1]"),
            ],
        ),
        (
            "out, hidden = self.gru(x); last = hidden[-1]; return self.fc(last)",
            [
                ("call", "out, hidden = self.gru(x)", ("out", "hidden"), "self.gru(x)"),
                ("assign", "last = hidden[-1]", "last", "hidden[-1]"),
                ("expr", "return self.fc(last)", None, "last"),
            ],
        ),
        (
            "packed_out, h = self.rnn(packed)\nout, lengths = nn.utils.rnn.pad_packed_sequence(packed_out, "
            "batch_first=True)\nout",
            [
                ("call", "packed_out, h = self.rnn(packed)", ("packed_out", "h"), "self.rnn(packed)"),
                (
                    "pad",
                    "out, lengths = nn.utils.rnn.pad_packed_sequence(packed_out, batch_first=True)",
                    ("out", "lengths"),
                    "nn.utils.rnn.pad_packed_sequence(packed_out, batch_first=True)",
                ),
                ("expr", "out", None, "out"),
            ],
        ),
        ("h_n[None]", [("expr", "h_n[None]", None, "h_n[None]")]),  # None and ... are indices, not numbers
        ("h_n[..., 0]", [("expr", "h_n[..., 0]", None, "h_n[..., 0]")]),
        ("F.relu(out[:, -1])", [("expr", "F.relu(out[:, -1])", None, "out[:, -1]")]),
        ("torch.tanh(self.fc(out[:, -1]))", [("expr", "torch.tanh(self.fc(out[:, -1]))", None, "out[:, -1]")]),
        # torch.cat/stack are read, never looked inside, even with one argument
        (
            "torch.stack([h_n[0], h_n[1]])",
            [("expr", "torch.stack([h_n[0], h_n[1]])", None, "torch.stack([h_n[0], h_n[1]])")],
        ),
    ],
)
def test_accepted_lines_and_what_each_reads(uses, statements):
    parsed = parse_uses(uses)
    got = [(s.kind, s.source, s.targets, ast.unparse(s.node)) for s in parsed.statements]
    assert got == statements


# --- pad_packed_sequence: the layout asked for, the lengths, and what each padded position holds --------------

PACKED_CALL = "packed_out, (h, c) = self.lstm(x)\n"


def packed_report(lines, lengths=(6, 4, 2), batch_first=True):
    lstm = seeded(nn.LSTM, 4, 5, batch_first=batch_first)
    x = randn(3, 6, 4) if batch_first else randn(6, 3, 4)
    return explain(lstm, x, lengths=list(lengths), uses=PACKED_CALL + lines)


@pytest.mark.parametrize(
    "lines, lengths, rows, facts",
    [
        (  # out[:, -1] after padding: only the longest sequence's last step is its final state
            "out, lengths = pad_packed_sequence(packed_out, batch_first=True)\nout[:, -1]",
            (6, 4, 2),
            [
                ("[0]", "sequence 0: output: top layer forward, step 5 = its final state"),
                ("[1]", "sequence 1: output: top layer forward, step 5 (zeros: sequence 1 ends at step 3)"),
                ("[2]", "sequence 2: output: top layer forward, step 5 (zeros: sequence 2 ends at step 1)"),
            ],
            ("includes zeros after a sequence's end",),
        ),
        (  # each sequence's last real step, by its length: every row is a final state
            "out, lens = pad_packed_sequence(packed_out, True)\nout[torch.arange(3), lens - 1]",
            (6, 4, 2),
            [
                ("[0]", "sequence 0: output: top layer forward, step 5 = its final state"),
                ("[1]", "sequence 1: output: top layer forward, step 3 = its final state"),
                ("[2]", "sequence 2: output: top layer forward, step 1 = its final state"),
            ],
            (),
        ),
        (  # the first padded step of sequence 1 (length 4) is step 4: zeros
            "out, lengths = pad_packed_sequence(packed_out, batch_first=True)\nout[1, 4]",
            (6, 4, 2),
            [("all", "sequence 1: output: top layer forward, step 4 (zeros: sequence 1 ends at step 3)")],
            ("includes zeros after a sequence's end",),
        ),
        (  # its last real step is no zero
            "out, lengths = pad_packed_sequence(packed_out, batch_first=True)\nout[1, 3]",
            (6, 4, 2),
            [("all", "sequence 1: output: top layer forward, step 3 = its final state")],
            (),
        ),
        (  # the longest sequence at its last step: no zeros
            "out, lengths = pad_packed_sequence(packed_out, batch_first=True)\nout[0, -1]",
            (6, 4, 2),
            [("all", "sequence 0: output: top layer forward, step 5 = its final state")],
            (),
        ),
        (  # sequence 0 the shorter one (lengths need not be sorted): its own end, not the batch's
            "out, lengths = pad_packed_sequence(packed_out, batch_first=True)\nout[0, 3]",
            (4, 6, 2),
            [("all", "sequence 0: output: top layer forward, step 3 = its final state")],
            (),
        ),
        (
            "out, lengths = pad_packed_sequence(packed_out, batch_first=True)\nout[0, 4]",
            (4, 6, 2),
            [("all", "sequence 0: output: top layer forward, step 4 (zeros: sequence 0 ends at step 3)")],
            ("includes zeros after a sequence's end",),
        ),
        (  # padded as (L, N, ...): out[-1] is the last step of every sequence
            "out, lens = pad_packed_sequence(packed_out, batch_first=False)\nout[-1]",
            (6, 4, 2),
            [
                ("[0]", "sequence 0: output: top layer forward, step 5 = its final state"),
                ("[1]", "sequence 1: output: top layer forward, step 5 (zeros: sequence 1 ends at step 3)"),
                ("[2]", "sequence 2: output: top layer forward, step 5 (zeros: sequence 2 ends at step 1)"),
            ],
            ("includes zeros after a sequence's end",),
        ),
    ],
)
def test_pad_packed_sequence_lines_read_each_padded_position(lines, lengths, rows, facts):
    report = packed_report(lines, lengths)
    r = reading(report)
    assert r.rows == tuple(rows) and r.facts == facts
    assert r.padding_read is False and r.with_packing == ()  # packed: nothing read padding
    assert report.tensors["lengths"].tolist() == list(lengths)


@pytest.mark.parametrize(
    "batch_first, pad, padded_first",
    [
        (False, "pad_packed_sequence(packed_out)", False),
        (True, "pad_packed_sequence(packed_out)", False),
        (True, "pad_packed_sequence(packed_out, batch_first=True)", True),
        (False, "pad_packed_sequence(packed_out, batch_first=True)", True),
        (True, "pad_packed_sequence(packed_out, batch_first=False)", False),
        (False, "pad_packed_sequence(packed_out, batch_first=False)", False),
        (False, "pad_packed_sequence(packed_out, True)", True),
        (True, "nn.utils.rnn.pad_packed_sequence(packed_out, False)", False),
    ],
)
def test_pad_packed_sequence_gives_the_layout_it_asks_for_whatever_the_module(batch_first, pad, padded_first):
    report = packed_report(f"out, lens = {pad}\nout\nlens", batch_first=batch_first)
    whole, lens = report.readings
    padded = report.output if padded_first == batch_first else report.output.transpose(0, 1)
    assert whole.shape == tuple(padded.shape) == ((3, 6, 5) if padded_first else (6, 3, 5))
    # output, in the student's names: out itself, or out turned back to the module's layout
    renamed = "out" if padded_first == batch_first else "out.transpose(0, 1)"
    assert whole.intent == "tagging" and whole.right == (padded_first == batch_first)
    assert whole.instead == ("" if whole.right else renamed)
    assert whole.check == f"torch.equal({renamed}, {renamed}): True"
    assert lens == Reading("lens", None, (("", "not states: [6, 4, 2]"),), (), "", True, "", True, "", ())


@pytest.mark.parametrize(
    "lines, message",
    [
        (
            "packed_out",
            "uses line 'packed_out': packed_out is a PackedSequence here; pad it first: "
            "out, lengths = pad_packed_sequence(packed_out, batch_first=...)",
        ),
        (
            "out, lengths = pad_packed_sequence(h)\nout",
            "uses line 'out, lengths = pad_packed_sequence(h)': h is not the packed output of the call line",
        ),
        (
            "out, lengths = pad_packed_sequence(packed_out, total_length=6)\nout",
            "uses line 'out, lengths = "
            "pad_packed_sequence(packed_out, total_length=6)': only batch_first= is read here",
        ),
        (
            "out, lengths = pad_packed_sequence(packed_out, 1)\nout",
            "uses line 'out, lengths = pad_packed_sequence(packed_out, 1)': batch_first must be True or False",
        ),
        (
            "out, lengths = pad_packed_sequence(packed_out, batch_first=1)\nout",
            "uses line 'out, lengths = pad_packed_sequence(packed_out, batch_first=1)': batch_first must be True or False",
        ),
        (
            "out, lengths = pad_packed_sequence(packed_out, batch_first=self.batch_first)\nout",
            "uses line 'out, lengths = pad_packed_sequence(packed_out, batch_first=self.batch_first)': "
            "batch_first must be True or False",
        ),
    ],
)
def test_pad_packed_sequence_lines_refused_on_the_real_call(lines, message):
    with pytest.raises(ValueError) as refused:
        packed_report(lines)
    assert str(refused.value) == message


def test_a_line_that_is_not_states_says_its_value():
    report = explain(seeded(nn.LSTM, 4, 5), randn(6, 3, 4), uses="h_n.size(0)\nh_n.shape\nh_n.size()")
    size, shape, sizes = report.readings
    assert size == Reading("h_n.size(0)", None, (("", "not states: 1"),), (), "", True, "", True, "", ())
    assert shape == Reading("h_n.shape", None, (("", "not states: (1, 3, 5)"),), (), "", True, "", True, "", ())
    assert sizes.rows == (("", "not states: (1, 3, 5)"),) and sizes.verdict == ""


# --- what each row holds: labels, sequences, layers, and the facts about the whole result ---------------------


def rows_of(module, x, line, **kwargs):
    return reading(explain(module, x, uses=line, **kwargs))


def layer_rows(n, layer, what="h_n: {} forward final state"):
    return "; ".join(f"seq {k} " + what.format(layer) for k in range(n))


@pytest.mark.parametrize(
    "num_layers, batch, rows, facts",
    [
        (  # two sequences: each row holds both, and says which part is whose
            2,
            2,
            [
                ("[0]", "MIXES sequences 0..1: " + layer_rows(2, "layer 0")),
                ("[1]", "MIXES sequences 0..1: " + layer_rows(2, "top layer")),
            ],
            ("mixes sequences: some rows hold numbers of more than one sequence", "holds several layers: [0, 1]"),
        ),
        (  # three parts in a row: all said
            3,
            3,
            [
                ("[0]", "MIXES sequences 0..2: " + layer_rows(3, "layer 0")),
                ("[1]", "MIXES sequences 0..2: " + layer_rows(3, "layer 1")),
                ("[2]", "MIXES sequences 0..2: " + layer_rows(3, "top layer")),
            ],
            ("mixes sequences: some rows hold numbers of more than one sequence", "holds several layers: [0, 1, 2]"),
        ),
        (  # four parts: the first three, and how many more
            4,
            3,
            [
                ("[0]", "MIXES sequences 0..2: " + layer_rows(3, "layer 0") + "; and 1 more parts"),
                (
                    "[1]",
                    "MIXES sequences 0..2: seq 1 h_n: layer 1 forward final state; seq 2 h_n: layer 1 forward final "
                    "state; seq 0 h_n: layer 2 forward final state; and 1 more parts",
                ),
                (
                    "[2]",
                    "MIXES sequences 0..2: seq 2 h_n: layer 2 forward final state; seq 0 h_n: top layer forward final "
                    "state; seq 1 h_n: top layer forward final state; and 1 more parts",
                ),
            ],
            (
                "mixes sequences: some rows hold numbers of more than one sequence",
                "holds several layers: [0, 1, 2, 3]",
            ),
        ),
    ],
)
def test_hidden_view_batch_size_rows_say_each_sequence_and_layer(num_layers, batch, rows, facts):
    gru = seeded(nn.GRU, 4, 5, num_layers=num_layers)
    r = rows_of(gru, randn(6, batch, 4), "h_n.view(batch_size, -1)")
    assert r.shape == (batch, num_layers * 5) and r.rows == tuple(rows) and r.facts == facts
    flat = r.shape[1]  # the rule behind the rows: h_n.view(N, -1) lays h_n's (layer, sequence) blocks end to end
    assert flat // 5 == num_layers and not r.right and r.instead == "h_n[-1]"


@pytest.mark.parametrize(
    "line, shape, rows, facts, intent, right",
    [
        (
            "h_n",
            (2, 3, 5),
            [
                (f"[{k}, {n}]", f"sequence {n}: h_n: {'top layer' if k else 'layer 0'} forward final state")
                for k in range(2)
                for n in range(3)
            ],
            ("holds several layers: [0, 1]",),
            "decoder",
            True,
        ),
        (
            "h_n[-1]",
            (3, 5),
            [(f"[{n}]", f"sequence {n}: h_n: top layer forward final state") for n in range(3)],
            (),
            "summary",
            True,
        ),
        (  # one number: the first of h_n
            "h_n[0, 0, 0]",
            (),
            [("all", "sequence 0: h_n: layer 0 forward final state, feature 0 of 5")],
            ("not the top layer (layer 1)",),
            "summary",
            False,
        ),
        (  # the first number of output
            "output[0, 0, :1]",
            (1,),
            [("all", "sequence 0: output: top layer forward, feature 0 of 5, step 0")],
            (),
            "summary",
            False,
        ),
        (
            "output[-1]",
            (3, 5),
            [(f"[{n}]", f"sequence {n}: output: top layer forward, step 5 = its final state") for n in range(3)],
            (),
            "summary",
            True,
        ),
        (  # output's last step and h_n's top row side by side: one layer, one sequence per row
            "torch.cat((output[-1], h_n[-1]), dim=-1)",
            (3, 10),
            [
                (
                    f"[{n}]",
                    f"sequence {n}: output: top layer forward, step 5 = its final state; h_n: top layer forward "
                    "final state",
                )
                for n in range(3)
            ],
            (),
            "summary",
            False,
        ),
        (
            "output[1:3, 0]",
            (2, 5),
            [
                ("[0]", "sequence 0: output: top layer forward, step 1"),
                ("[1]", "sequence 0: output: top layer forward, step 2"),
            ],
            (),
            "summary",
            False,
        ),
    ],
)
def test_rows_and_facts_of_a_two_layer_gru(line, shape, rows, facts, intent, right):
    r = rows_of(seeded(nn.GRU, 4, 5, num_layers=2), randn(6, 3, 4), line)
    assert r.shape == shape and r.rows == tuple(rows) and r.facts == facts
    assert r.intent == intent and r.right == right and r.instead == ("" if right else "h_n[-1]")
    assert r.padding_read is False and r.with_packing == ()


@pytest.mark.parametrize(
    "steps, rows",
    [
        (
            7,
            [(f"[{t}, 0]", f"sequence 0: output: top layer forward, step {t}") for t in range(6)]
            + [("[6, 0]", "sequence 0: output: top layer forward, step 6 = its final state")],
        ),
        (
            8,
            [(f"[{t}, 0]", f"sequence 0: output: top layer forward, step {t}") for t in range(6)]
            + [("...", "2 more rows")],
        ),
        (
            9,
            [(f"[{t}, 0]", f"sequence 0: output: top layer forward, step {t}") for t in range(6)]
            + [("...", "3 more rows")],
        ),
    ],
)
def test_up_to_seven_rows_are_shown_then_six_and_how_many_more(steps, rows):
    r = rows_of(seeded(nn.GRU, 4, 5), randn(steps, 1, 4), "output")
    assert r.shape == (steps, 1, 5) and r.rows == tuple(rows)


@pytest.mark.parametrize(
    "uses, shape, rows, facts, right, instead",
    [
        (
            "c",
            (2, 3, 5),
            [
                (f"[{k}, {n}]", f"sequence {n}: c_n: {'top layer' if k else 'layer 0'} forward cell state")
                for k in range(2)
                for n in range(3)
            ],
            (
                "names read as: c = c_n (write the call line to name them yourself)",
                "holds cell states (c_n), not hidden states",
            ),
            True,  # every layer's cell state: what a decoder's c_0 takes
            "",
        ),
        (
            "c[0]",
            (3, 5),
            [(f"[{n}]", f"sequence {n}: c_n: layer 0 forward cell state") for n in range(3)],
            (
                "names read as: c = c_n (write the call line to name them yourself)",
                "not the top layer (layer 1)",
                "holds cell states (c_n), not hidden states",
            ),
            False,
            "h_n[-1]",
        ),
        (
            "out, (h, c) = self.lstm(x)\nc[-1]",
            (3, 5),
            [(f"[{n}]", f"sequence {n}: c_n: top layer forward cell state") for n in range(3)],
            ("holds cell states (c_n), not hidden states",),
            False,
            "h[-1]",
        ),
        (
            "out, (h, c) = self.lstm(x)\nh[-1]",
            (3, 5),
            [(f"[{n}]", f"sequence {n}: h_n: top layer forward final state") for n in range(3)],
            (),
            True,
            "",
        ),
    ],
)
def test_cell_state_lines_say_they_hold_c_n(uses, shape, rows, facts, right, instead):
    r = rows_of(seeded(nn.LSTM, 4, 5, num_layers=2), randn(6, 3, 4), uses)
    assert r.shape == shape and r.rows == tuple(rows) and r.facts == facts
    assert r.right == right and r.instead == instead


def test_a_line_mixing_h_n_and_c_n_reads_as_a_decoders_state():
    r = rows_of(seeded(nn.LSTM, 4, 5, num_layers=2), randn(6, 3, 4), "out, (h, c) = self.lstm(x)\ntorch.cat((h, c), 2)")
    assert r.shape == (2, 3, 10) and r.intent == "decoder" and not r.right and r.instead == "h"
    assert r.rows[0] == ("[0, 0]", "sequence 0: h_n: layer 0 forward final state; c_n: layer 0 forward cell state")
    assert r.facts == ("holds several layers: [0, 1]", "holds cell states (c_n), not hidden states")


# --- names: the student's own (from the call line), or read from the usual names, and said so ----------------


@pytest.mark.parametrize(
    "cell, uses, said, rows",
    [
        ("LSTM", "hidden[0][-1]", ["hidden = (h_n, c_n)"], "h_n: top layer forward final state"),
        ("LSTM", "h = hidden[0]\nh[-1]", ["hidden = (h_n, c_n)"], "h_n: top layer forward final state"),
        ("LSTM", "h[-1]", ["h = h_n"], "h_n: top layer forward final state"),
        ("LSTM", "c[-1]", ["c = c_n"], "c_n: top layer forward cell state"),
        ("LSTM", "enc_out[-1]", ["enc_out = output"], "output: top layer forward, step 5 = its final state"),
        ("GRU", "hidden[-1]", ["hidden = h_n"], "h_n: top layer forward final state"),
        ("GRU", "state[-1]", ["state = h_n"], "h_n: top layer forward final state"),  # a GRU's state is h_n
    ],
)
def test_usual_names_are_read_and_the_report_says_how(cell, uses, said, rows):
    module = seeded(getattr(nn, cell), 4, 5)
    report = explain(module, randn(6, 3, 4), uses=uses)
    r = report.readings[-1]
    assert r.rows == tuple((f"[{n}]", f"sequence {n}: {rows}") for n in range(3))
    names = "names read as: " + ", ".join(said) + " (write the call line to name them yourself)"
    assert r.facts[0] == names and all(names == one.facts[0] for one in report.readings)


def test_a_gru_has_no_cell_state_to_read():
    with pytest.raises(ValueError, match=r"'c' is not one of the names known here \['B', 'D', 'H', 'H_cell'"):
        explain(seeded(nn.GRU, 4, 5), randn(6, 3, 4), uses="c[-1]")


@pytest.mark.parametrize(
    "module, x, line, shape, row",
    [
        (  # proj_size: h_n's width; H_cell: c_n's width
            seeded(nn.LSTM, 4, 5, proj_size=3, num_layers=2),
            randn(6, 3, 4),
            "h_n.view(num_layers, D, N, proj_size)[-1, 0]",
            (3, 3),
            "h_n: top layer forward final state",
        ),
        (
            seeded(nn.LSTM, 4, 5, proj_size=3, num_layers=2),
            randn(6, 3, 4),
            "c_n.view(num_layers, D, N, H_cell)[-1, 0]",
            (3, 5),
            "c_n: top layer forward cell state",
        ),
        (  # c_n's rows are hidden_size wide, h_n's proj_size: each read whole
            seeded(nn.LSTM, 4, 5, proj_size=3),
            randn(6, 3, 4),
            "c_n[-1]",
            (3, 5),
            "c_n: top layer forward cell state",
        ),
        (
            seeded(nn.LSTM, 4, 5, proj_size=3),
            randn(6, 3, 4),
            "h_n[-1]",
            (3, 3),
            "h_n: top layer forward final state",
        ),
        (
            seeded(nn.LSTM, 4, 5, proj_size=3),
            randn(6, 3, 4),
            "c_n[-1, :, 1:4]",
            (3, 3),
            "c_n: top layer forward cell state, feature 1..3 of 5",
        ),
        (
            seeded(nn.GRU, 4, 5, num_layers=2),
            randn(6, 3, 4),
            "h_n.view(num_layers, N, hidden_size)[-1]",
            (3, 5),
            "h_n: top layer forward final state",
        ),
        (  # L: the steps, wherever the layout puts them
            seeded(nn.GRU, 4, 5),
            randn(6, 3, 4),
            "output[L - 1]",
            (3, 5),
            "output: top layer forward, step 5 = its final state",
        ),
        (
            seeded(nn.GRU, 4, 5, batch_first=True),
            randn(3, 6, 4),
            "output[:, L - 1]",
            (3, 5),
            "output: top layer forward, step 5 = its final state",
        ),
    ],
)
def test_size_names_read_as_the_course_symbols(module, x, line, shape, row):
    r = rows_of(module, x, line)
    assert r.shape == shape and r.rows == tuple((f"[{n}]", f"sequence {n}: {row}") for n in range(3))


HIDDEN_NAMES = ("hidden_size", "hidden_dim", "hid_dim", "hidden_units", "n_hidden", "H", "H_cell", "enc_hid_dim")
PROJECTED = {  # an LSTM(4, 5, num_layers=2, proj_size=3), proj_size given both ways torch takes it
    "keyword": lambda: seeded(nn.LSTM, 4, 5, num_layers=2, proj_size=3),
    "positional": lambda: seeded(nn.LSTM, 4, 5, 2, True, False, 0.0, False, 3),
}
NOT_PROJECTED = {  # just outside: no projection, so H_out is hidden_size
    "no proj_size": lambda: seeded(nn.LSTM, 4, 5, num_layers=2),
    "proj_size=0": lambda: seeded(nn.LSTM, 4, 5, num_layers=2, proj_size=0),
    "positional 0": lambda: seeded(nn.LSTM, 4, 5, 2, True, False, 0.0, False, 0),
}


def said_value(module, name):
    """What explain reads a size name as: a line that is only the name is read as that number."""
    return rows_of(module, randn(6, 3, 4), name).rows


@pytest.mark.parametrize("made", PROJECTED)
def test_with_proj_size_the_hidden_size_names_are_c_n_s_width_and_h_out_is_proj_size(made):
    """With proj_size, the hidden size a student names (hidden_size, self.hidden_size, hidden_dim, ...) is the
    module's hidden_size: c_n's width. h_n and output are proj_size wide (H_out), as torch returns them."""
    module = PROJECTED[made]()
    assert module.proj_size == 3 and module.hidden_size == 5
    with torch.no_grad():
        _, (h_n, c_n) = module(randn(6, 3, 4))
    assert h_n.shape[-1] == module.proj_size and c_n.shape[-1] == module.hidden_size  # torch's widths
    for name in (*HIDDEN_NAMES, "self.hidden_size", "config.hidden_dim"):
        assert said_value(module, name) == (("", "not states: 5"),), name
    for name in ("H_out", "proj_size", "self.proj_size"):
        assert said_value(module, name) == (("", "not states: 3"),), name
    for name in ("hidden_size", "hidden_dim", "self.hidden_size"):  # c_n's rows are hidden_size wide: read whole
        r = rows_of(module, randn(6, 3, 4), f"c_n.view(num_layers, N, {name})[-1]")
        assert r.shape == (3, 5) and r.rows == tuple(
            (f"[{n}]", f"sequence {n}: c_n: top layer forward cell state") for n in range(3)
        )
    r = rows_of(module, randn(6, 3, 4), "h_n.view(num_layers, N, H_out)[-1]")
    assert r.shape == (3, 3) and r.rows[0] == ("[0]", "sequence 0: h_n: top layer forward final state")
    # h_n viewed hidden_size wide fails in torch, so the line is refused, saying which tensor is how wide
    with pytest.raises(RuntimeError, match="invalid for input of size 18"):
        h_n.view(2, 3, module.hidden_size)
    for name, read in (("hidden_size", ""), ("hidden_dim", " (hidden_dim read as hidden_size)")):
        line = f"h_n.view(num_layers, N, {name})[-1]"
        with pytest.raises(ValueError) as refused:
            rows_of(module, randn(6, 3, 4), line)
        assert str(refused.value).startswith(f"expression={line!r}: ")
        assert str(refused.value).endswith(
            "invalid for input of size 18; with proj_size=3, h_n is H_out = proj_size = 3 wide and output "
            f"D * H_out = 3 wide: only c_n is hidden_size = 5 wide{read}"
        )


def test_with_proj_size_a_bidirectional_output_is_d_times_proj_size_wide_in_the_refusal():
    module = seeded(nn.LSTM, 4, 5, bidirectional=True, proj_size=2)
    with torch.no_grad():
        output, _ = module(randn(6, 3, 4))
    assert output.shape[-1] == 4
    with pytest.raises(ValueError, match=r"output D \* H_out = 4 wide: only c_n is hidden_size = 5 wide$"):
        rows_of(module, randn(6, 3, 4), "output.view(L, N, D, hidden_size)")


@pytest.mark.parametrize("made", NOT_PROJECTED)
def test_without_proj_size_every_hidden_size_name_and_h_out_are_hidden_size(made):
    module = NOT_PROJECTED[made]()
    assert module.proj_size == 0
    with torch.no_grad():
        _, (h_n, c_n) = module(randn(6, 3, 4))
    assert h_n.shape[-1] == c_n.shape[-1] == module.hidden_size == 5
    for name in (*HIDDEN_NAMES, "H_out", "self.hidden_size"):
        assert said_value(module, name) == (("", "not states: 5"),), name
    assert said_value(module, "proj_size") == (("", "not states: 0"),)
    r = rows_of(module, randn(6, 3, 4), "h_n.view(num_layers, N, hidden_size)[-1]")
    assert r.shape == (3, 5) and r.rows[0] == ("[0]", "sequence 0: h_n: top layer forward final state")
    with pytest.raises(ValueError) as refused:  # a view that fails says torch's error, and no proj_size sentence
        rows_of(module, randn(6, 3, 4), "h_n.view(num_layers, N, hidden_size + 1)")
    assert str(refused.value).endswith("invalid for input of size 30")


def test_a_gru_s_hidden_size_names_are_h_out():
    module = seeded(nn.GRU, 4, 5)
    for name in (*HIDDEN_NAMES, "H_out"):
        assert said_value(module, name) == (("", "not states: 5"),), name
    assert said_value(module, "proj_size") == (("", "not states: 0"),)


# --- one sequence alone (unbatched): no sequence to name, the same reading ---------------------------------------


@pytest.mark.parametrize(
    "module, line, shape, rows, facts, intent, right, instead",
    [
        (
            seeded(nn.GRU, 4, 5),
            "output[L - 1]",
            (5,),
            [("all", "output: top layer forward, step 5 = its final state")],
            (),
            "summary",
            True,
            "",
        ),
        (
            seeded(nn.GRU, 4, 5),
            "output",
            (6, 5),
            [(f"[{t}]", f"output: top layer forward, step {t}") for t in range(5)]
            + [("[5]", "output: top layer forward, step 5 = its final state")],
            (),
            "tagging",
            True,
            "",
        ),
        (
            seeded(nn.GRU, 4, 5),
            "output[-1:]",
            (1, 5),
            [("[0]", "output: top layer forward, step 5 = its final state")],
            (),
            "summary",
            False,
            "h_n[-1]",
        ),
        (
            seeded(nn.GRU, 4, 5, num_layers=2),
            "h_n",
            (2, 5),
            [("[0]", "h_n: layer 0 forward final state"), ("[1]", "h_n: top layer forward final state")],
            ("holds several layers: [0, 1]",),
            "decoder",
            True,
            "",
        ),
        (
            seeded(nn.GRU, 4, 5, num_layers=2),
            "h_n[0]",
            (5,),
            [("all", "h_n: layer 0 forward final state")],
            ("not the top layer (layer 1)",),
            "summary",
            False,
            "h_n[-1]",
        ),
        (  # the backward direction ends at step 0
            seeded(nn.GRU, 4, 5, bidirectional=True),
            "torch.cat((output[-1, :5], output[0, 5:]))",
            (10,),
            [
                (
                    "all",
                    "output: top layer forward, step 5 = its final state; output: top layer backward, step 0 = its "
                    "final state",
                )
            ],
            (),
            "summary",
            True,
            "",
        ),
        (  # two layers, two directions: every layer's pair side by side, in one row per layer
            seeded(nn.GRU, 4, 5, num_layers=2, bidirectional=True),
            "h_n[::2]",
            (2, 5),
            [("[0]", "h_n: layer 0 forward final state"), ("[1]", "h_n: top layer forward final state")],
            ("holds several layers: [0, 1]",),
            "decoder",
            False,
            "h_n.view(2, 2 * 5)",
        ),
    ],
)
def test_unbatched_lines(module, line, shape, rows, facts, intent, right, instead):
    report = explain(module, randn(6, 4), uses=line)
    r = reading(report)
    assert report.spec.unbatched and r.shape == shape and r.rows == tuple(rows) and r.facts == facts
    assert r.intent == intent and r.right == right and r.instead == instead and r.instead_holds
    if intent == "summary" and instead:
        assert torch.equal(instead_value(report, r), report.output[-1])
    if intent == "decoder" and instead:  # each layer's forward and backward final states side by side
        wanted = torch.stack([torch.cat([report.h_n[2 * k], report.h_n[2 * k + 1]]) for k in range(2)])
        assert torch.equal(instead_value(report, r), wanted)


# --- what the line is for (intent), read from its shape and layout, and what to write instead --------------------


@pytest.mark.parametrize(
    "batch_first, line, shape, intent, right, instead, check",
    [
        (True, "output", (3, 6, 5), "tagging", True, "", "torch.equal(output, output): True"),
        (True, "output[:, -2:]", (3, 2, 5), "tagging", False, "output", "torch.equal(output, output): True"),
        (True, "output[:, -1:]", (3, 1, 5), "summary", False, "h_n[-1]", "torch.equal(h_n[-1], output[:, -1]): True"),
        (True, "output[:, :, :2]", (3, 6, 2), "summary", False, "h_n[-1]", "torch.equal(h_n[-1], output[:, -1]): True"),
        (False, "output", (6, 3, 5), "tagging", True, "", "torch.equal(output, output): True"),
        (False, "output[-2:]", (2, 3, 5), "tagging", False, "output", "torch.equal(output, output): True"),
        (False, "output[-1:]", (1, 3, 5), "summary", False, "h_n[-1]", "torch.equal(h_n[-1], output[-1]): True"),
    ],
)
def test_intent_follows_the_steps_axis_of_the_layout(batch_first, line, shape, intent, right, instead, check):
    gru = seeded(nn.GRU, 4, 5, batch_first=batch_first)
    report = explain(gru, randn(3, 6, 4) if batch_first else randn(6, 3, 4), uses=line)
    r = reading(report)
    assert (r.shape, r.intent, r.right, r.instead, r.instead_holds, r.check) == (
        shape,
        intent,
        right,
        instead,
        True,
        check,
    )
    verdict = "your line holds exactly that" if right else f"your line does not hold it; write {instead}"
    assert r.verdict == f"read as {INTENTS[intent]}: {verdict}"


@pytest.mark.parametrize(
    "module, line, intent, right, instead, check",
    [
        (  # both directions side by side at every step: still one vector per step
            seeded(nn.GRU, 4, 5, bidirectional=True),
            "output",
            "tagging",
            True,
            "",
            "torch.equal(output, output): True",
        ),
        (  # one direction: every layer's final state, and the same stacked by hand
            seeded(nn.GRU, 4, 5, num_layers=2),
            "h_n[::1]",
            "decoder",
            True,
            "",
            "torch.equal(h_n, torch.stack([h_n[0], h_n[1]])): True",
        ),
        (  # the top layer's final states: in output at the last step, in h_n at the last row
            seeded(nn.GRU, 4, 5, num_layers=2),
            "output[-1]",
            "summary",
            True,
            "",
            "torch.equal(h_n[-1], output[-1]): True",
        ),
        (  # two layers, two directions: forward ends at the last step, backward at step 0
            seeded(nn.GRU, 4, 5, num_layers=2, bidirectional=True),
            "torch.cat((output[-1, :, :5], output[0, :, 5:]), -1)",
            "summary",
            True,
            "",
            "torch.equal(torch.cat([h_n[-2], h_n[-1]], dim=-1), torch.cat([output[-1, :, :5], output[0, :, 5:]], "
            "dim=-1)): True",
        ),
        (
            seeded(nn.GRU, 4, 5, num_layers=2, bidirectional=True),
            "output[-1]",
            "summary",
            False,
            "torch.cat([h_n[-2], h_n[-1]], dim=-1)",
            "torch.equal(torch.cat([h_n[-2], h_n[-1]], dim=-1), torch.cat([output[-1, :, :5], output[0, :, 5:]], "
            "dim=-1)): True",
        ),
        (  # a decoder wanting both directions: each layer's forward and backward side by side, c_n hidden_size wide
            seeded(nn.LSTM, 4, 5, num_layers=2, bidirectional=True, proj_size=3),
            "out, (h, c) = self.lstm(x)\nc[::2]",
            "decoder",
            False,
            "c.view(2, 2, 3, 5).transpose(1, 2).reshape(2, 3, 10)",
            "torch.equal(c.view(2, 2, 3, 5).transpose(1, 2).reshape(2, 3, 10), torch.stack([torch.cat([c[0], c[1]], "
            "dim=-1), torch.cat([c[2], c[3]], dim=-1)])): True",
        ),
        (  # ... and h_n proj_size wide
            seeded(nn.LSTM, 4, 5, num_layers=2, bidirectional=True, proj_size=3),
            "out, (h, c) = self.lstm(x)\nh[::2]",
            "decoder",
            False,
            "h.view(2, 2, 3, 3).transpose(1, 2).reshape(2, 3, 6)",
            "torch.equal(h.view(2, 2, 3, 3).transpose(1, 2).reshape(2, 3, 6), torch.stack([torch.cat([h[0], h[1]], "
            "dim=-1), torch.cat([h[2], h[3]], dim=-1)])): True",
        ),
    ],
)
def test_what_to_write_instead_and_its_check(module, line, intent, right, instead, check):
    report = explain(module, randn(6, 3, 4), uses=line)
    r = reading(report)
    assert (r.intent, r.right, r.instead, r.instead_holds, r.check) == (intent, right, instead, True, check)
    if intent == "decoder" and instead:  # checked here too: each layer's two directions, joined
        state = report.c_n if "c[" in line else report.h_n
        wanted = torch.stack([torch.cat([state[2 * k], state[2 * k + 1]], dim=-1) for k in range(2)])
        assert torch.equal(instead_value(report, r, c=report.c_n, h=report.h_n), wanted)


@pytest.mark.parametrize(
    "hidden, line, part",
    [
        (5, "output[-1, :, 2:]", "feature 2..4 of 5"),
        (5, "output[-1, :, ::2]", "feature 0, 2, 4 of 5"),
        (8, "output[-1, :, ::2]", "feature 0, 2, 4, 6 of 8"),
        (10, "output[-1, :, ::2]", "feature 0, 2, 4, 6, ... of 10"),
        (12, "output[-1, :, ::2]", "feature 0, 2, 4, 6, ... of 12"),
    ],
)
def test_part_of_the_features_is_named_by_its_span(hidden, line, part):
    r = rows_of(seeded(nn.GRU, 4, hidden), randn(6, 3, 4), line)
    assert r.rows == tuple(
        (f"[{n}]", f"sequence {n}: output: top layer forward, {part}, step 5 = its final state") for n in range(3)
    )


# --- x padded with zeros and not packed: which numbers have read the padding -----------------------------------


def padded_short_first():
    x = randn(3, 7, 4)
    x[0, 5:] = 0  # sequence 0: 5 steps, then padding
    x[2, 2:] = 0  # sequence 2: 2 steps; sequence 1 has all 7
    return x


@pytest.mark.parametrize(
    "bidirectional, line, row, padding_read",
    [
        (False, "h_n[-1, 0]", "sequence 0: h_n: top layer forward final state (after reading 2 padding steps)", True),
        (False, "h_n[-1, 1]", "sequence 1: h_n: top layer forward final state", False),
        (False, "h_n[-1, 2]", "sequence 2: h_n: top layer forward final state (after reading 5 padding steps)", True),
        (False, "out[0, 4]", "sequence 0: output: top layer forward, step 4", False),
        (False, "out[0, 5]", "sequence 0: output: top layer forward, step 5 (has read padding)", True),
        (False, "out[2, 0]", "sequence 2: output: top layer forward, step 0", False),
        (False, "out[2, 1]", "sequence 2: output: top layer forward, step 1", False),
        (False, "out[2, 2]", "sequence 2: output: top layer forward, step 2 (has read padding)", True),
        (False, "out[1, -1]", "sequence 1: output: top layer forward, step 6 = its final state", False),
        # the backward direction starts at the end: at a short sequence, it has read the padding at every step
        (True, "out[1, 0, 5:]", "sequence 1: output: top layer backward, step 0 = its final state", False),
        (
            True,
            "out[0, 0, 5:]",
            "sequence 0: output: top layer backward, step 0 = its final state (has read padding)",
            True,
        ),
        (
            True,
            "out[2, 0, 5:]",
            "sequence 2: output: top layer backward, step 0 = its final state (has read padding)",
            True,
        ),
        (True, "out[2, 1, :5]", "sequence 2: output: top layer forward, step 1", False),
        (True, "out[2, 3, :5]", "sequence 2: output: top layer forward, step 3 (has read padding)", True),
    ],
)
def test_padded_unpacked_input_says_which_numbers_read_padding(bidirectional, line, row, padding_read):
    gru = seeded(nn.GRU, 4, 5, bidirectional=bidirectional, batch_first=True)
    report = explain(gru, padded_short_first(), uses=line)
    r = reading(report)
    assert r.rows == (("all", row),) and r.padding_read is padding_read
    assert ("has read padding: x was padded and not packed" in r.facts) is padding_read
    assert report.padding.lengths == (5, 7, 2)
    # a summary line on a padded batch is shown how to pack it, in the student's name for h_n
    assert r.with_packing[:2] == (
        "lengths = [5, 7, 2]  # each sequence's steps before its trailing zero steps",
        "packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)",
    )
    assert r.with_packing[3].startswith("sequence 0 (5 of 7 steps): torch.allclose(packed h_n[:, 0], h_n[:, 0]) is ")


def test_packing_lines_use_the_students_name_and_not_for_a_tagging_line_that_read_no_padding():
    gru = seeded(nn.GRU, 4, 5, batch_first=True)
    named = reading(explain(gru, padded_short_first(), uses="out, hidden = self.gru(x)\nhidden[-1, 1]"))
    assert named.padding_read is False
    assert named.with_packing[3].startswith("sequence 0 (5 of 7 steps): torch.allclose(packed h_n[:, 0], hidden[:, 0])")
    tagging = reading(
        explain(gru, padded_short_first(), uses="out, hidden = self.gru(x)\nout[1:2]")
    )  # sequence 1: 7 steps
    assert tagging.intent == "tagging" and tagging.padding_read is False and tagging.with_packing == ()
    read = reading(explain(gru, padded_short_first(), uses="out, hidden = self.gru(x)\nout[:1]"))  # sequence 0: 5 of 7
    assert read.intent == "tagging" and read.padding_read is True and len(read.with_packing) == 5


@pytest.mark.parametrize(
    "pad, out",
    [
        ("out, lens = pad_packed_sequence(packed_out, batch_first=True)", "out"),
        ("out, lens = pad_packed_sequence(packed_out, batch_first=False)", "out.transpose(0, 1)"),
        ("padded, lens = pad_packed_sequence(packed_out, True)", "padded"),
    ],
)
def test_after_pad_packed_sequence_the_advice_is_in_the_students_names(pad, out):
    name = pad.split(",")[0]
    r = reading(packed_report(f"{pad}\n{name}[-1]"))
    assert not r.right and r.instead == "h[-1]" and r.instead_holds
    assert r.check == f"torch.equal(h[-1], {out}[torch.arange(3), lens - 1]): True"


def test_without_a_call_line_the_packed_lengths_are_read_by_their_own_name():
    lstm = seeded(nn.LSTM, 4, 5, batch_first=True)
    report = explain(lstm, randn(3, 6, 4), lengths=[6, 4, 2], uses="lengths\noutput[torch.arange(3), lengths - 1]")
    lengths, last = report.readings
    assert lengths == Reading("lengths", None, (("", "not states: [6, 4, 2]"),), (), "", True, "", True, "", ())
    assert last.right and last.rows[1] == ("[1]", "sequence 1: output: top layer forward, step 3 = its final state")


def test_every_name_read_without_a_call_line_is_listed_in_order():
    r = rows_of(seeded(nn.LSTM, 4, 5), randn(6, 3, 4), "torch.cat((h[-1], c[-1]), 1)")
    assert r.facts[0] == "names read as: c = c_n, h = h_n (write the call line to name them yourself)"
    assert r.rows[0] == ("[0]", "sequence 0: h_n: top layer forward final state; c_n: top layer forward cell state")


@pytest.mark.parametrize(
    "lengths, uses, check",
    [
        ([6, 4, 2], "output[:, -1]", "torch.equal(h_n[-1], output[torch.arange(3), lengths - 1]): True"),
        (None, "out, (h, c) = self.lstm(x)\nc[-1]", "torch.equal(h[-1], out[:, -1]): True"),
        (None, "out, hidden = self.lstm(x)\nhidden[1][-1]", "torch.equal(hidden[0][-1], out[:, -1]): True"),
    ],
)
def test_the_check_is_written_in_the_names_the_student_used(lengths, uses, check):
    lstm = seeded(nn.LSTM, 4, 5, batch_first=True)
    assert rows_of(lstm, randn(3, 6, 4), uses, lengths=lengths).check == check
