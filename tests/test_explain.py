"""helpers.explain: right answers checked by plain indexing, the module left as found, bad input refused."""

import html
import re

import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from helpers import explain, rules
from helpers.explain import apply_expression


def seeded(cls, *args, **kwargs):
    torch.manual_seed(0)
    return cls(*args, **kwargs)


def randn(*shape, dtype=torch.float32):
    return torch.randn(shape, generator=torch.Generator().manual_seed(1), dtype=dtype)


# --- applying expressions by parsing them -------------------------------------------------------


def test_apply_expression_matches_plain_indexing():
    output, h_n = randn(4, 6, 10), randn(6, 4, 5)
    lengths = torch.tensor([6, 2, 3, 1])
    t = {"output": output, "h_n": h_n, "lengths": lengths}
    assert torch.equal(apply_expression("output[:, -1, :5]", t), output[:, -1, :5])
    assert torch.equal(apply_expression("output[2, 0, 5:]", t), output[2, 0, 5:])
    assert torch.equal(apply_expression("output[-1]", t), output[-1])
    assert torch.equal(apply_expression("h_n[4, 2]", t), h_n[4, 2])
    assert torch.equal(apply_expression("h_n.view(3, 2, 4, 5)[2, 1]", t), h_n.view(3, 2, 4, 5)[2, 1])
    assert torch.equal(
        apply_expression("output[torch.arange(4), lengths - 1, :5]", t), output[torch.arange(4), lengths - 1, :5]
    )
    assert torch.equal(
        apply_expression("torch.cat([h_n[-2], h_n[-1]], dim=-1)", t), torch.cat([h_n[-2], h_n[-1]], dim=-1)
    )
    # what real code writes: tuples, a positional dim, step slices, sizes, reshapes
    assert torch.equal(apply_expression("torch.cat((h_n[-2], h_n[-1]), 1)", t), torch.cat((h_n[-2], h_n[-1]), 1))
    assert torch.equal(apply_expression("h_n[0:h_n.size(0):2]", t), h_n[0:6:2])
    assert torch.equal(apply_expression("h_n.permute(1, 0, 2).reshape(4, -1)", t), h_n.permute(1, 0, 2).reshape(4, -1))
    assert torch.equal(
        apply_expression("h_n.view(3, 2, 4, 5).transpose(1, 2).contiguous().view(3, 4, 2 * 5)", t),
        h_n.view(3, 2, 4, 5).transpose(1, 2).contiguous().view(3, 4, 10),
    )
    assert torch.equal(apply_expression("output[:, -1].unsqueeze(0).squeeze(0)", t), output[:, -1])
    assert apply_expression("h_n.shape[1]", t) == 4


@pytest.mark.parametrize(
    "expression",
    [
        "__import__('os').system('true')",
        "output.numpy()",
        "output[::0]",
        "output[::-1]",
        "h_n[0] + h_n[1]",
        "h_n.view(-2, 4)",
        "x[0]",
        "torch.zeros(3)",
        "h_n[0] * 2",
        "lambda: 0",
        "output[1.5]",
        "1 +",
    ],
)
def test_apply_expression_refuses_everything_else(expression):
    with pytest.raises(ValueError, match="is not allowed"):
        apply_expression(expression, {"output": randn(2, 3), "h_n": randn(2, 3)})


# --- right answers ------------------------------------------------------------------------------


def test_bidirectional_batch_first_lstm_as_in_the_question():
    lstm = seeded(nn.LSTM, 8, 50, num_layers=3, bidirectional=True, batch_first=True)
    x = randn(4, 112, 8)
    report = explain(lstm, x)
    with torch.no_grad():
        output, (h_n, c_n) = lstm(x)
    assert torch.equal(report.output, output) and torch.equal(report.h_n, h_n) and torch.equal(report.c_n, c_n)
    top = {(s.layer, s.direction): s for s in report.states}
    assert top[(2, 0)].in_output.left == "output[:, -1, :50]" and top[(2, 0)].h_n == "h_n[4]"
    assert top[(2, 1)].in_output.left == "output[:, 0, 50:]" and top[(2, 1)].h_n == "h_n[5]"
    assert torch.equal(output[:, -1, :50], h_n.view(3, 2, 4, 50)[2, 0])  # the expressions, written by hand
    assert torch.equal(output[:, 0, 50:], h_n.view(3, 2, 4, 50)[2, 1])
    assert all(s.in_output is None for s in report.states if s.layer < 2)
    assert report.summary.expression == "torch.cat([h_n[-2], h_n[-1]], dim=-1)"
    assert report.summary.last_step.left == "output[:, -1]" and not report.summary.last_step.holds
    assert report.all_hold
    text = str(report)
    assert "(4, 112, 100)" in text and "(N, L, D * H_out)" in text and "(num_layers * D, N, H_out)" in text


def test_packed_from_lengths_gives_each_sequence_its_own_last_step():
    gru = seeded(nn.GRU, 3, 4, num_layers=2)
    x, lengths = randn(6, 3, 3), [6, 2, 4]
    report = explain(gru, x, lengths=lengths)
    forward = report.states[1]  # layer 1, forward
    assert forward.in_output.left == "output[lengths - 1, torch.arange(3)]"
    assert [c.left for c in forward.per_sequence] == ["output[5, 0]", "output[1, 1]", "output[3, 2]"]
    assert [c.right for c in forward.per_sequence] == ["h_n[1, 0]", "h_n[1, 1]", "h_n[1, 2]"]
    h_n = report.h_n
    for n, length in enumerate(lengths):
        assert torch.equal(report.output[length - 1, n], h_n[1, n])
    assert not report.summary.last_step.holds  # output[-1] is padding for the shorter sequences
    assert report.all_hold


def test_lengths_as_a_numpy_array():
    import numpy as np

    report = explain(seeded(nn.GRU, 3, 4), randn(6, 2, 3), lengths=np.array([6, 2]))
    assert report.tensors["lengths"].tolist() == [6, 2] and report.all_hold


def test_packed_sequence_given_and_unbatched():
    rnn = seeded(nn.RNN, 3, 4, bidirectional=True, batch_first=True)
    packed = pack_padded_sequence(randn(2, 5, 3), [3, 5], batch_first=True, enforce_sorted=False)
    report = explain(rnn, packed)
    assert report.spec.given_packed and report.tensors["lengths"].tolist() == [3, 5] and report.all_hold
    assert "packed_output, h_n = rnn(x)" in report.code
    unbatched = explain(rnn, randn(5, 3))
    assert unbatched.states[0].in_output.left == "output[-1, :4]" and unbatched.all_hold
    assert tuple(unbatched.h_n.shape) == (2, 4)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_float32_and_float64_modules(dtype):
    lstm = seeded(nn.LSTM, 3, 5, num_layers=2, proj_size=2, dtype=dtype)
    report = explain(lstm, randn(4, 2, 3, dtype=dtype), hx=(randn(2, 2, 2, dtype=dtype), randn(2, 2, 5, dtype=dtype)))
    assert report.output.dtype == dtype and report.all_hold
    assert torch.equal(report.output[-1], report.h_n[-1])


def test_traps_are_linked_to_their_notebooks():
    gru = seeded(nn.GRU, 3, 4, batch_first=True)
    report = explain(gru, randn(2, 5, 3), hx=randn(1, 2, 4))
    paths = {note.path for note in report.notes}
    assert [note.rule_id for note in report.notes] == ["output-top-layer", "batch_first-moves-x-output", "h_0-like-h_n"]
    assert paths == {"notebooks/02_layers.ipynb", "notebooks/05_batch_first_and_unbatched.ipynb"}
    for note in report.notes:  # each note links to the section of the rule it states
        assert note.notebook == rules.rule(note.rule_id).section.file
    assert any("never batch first" in note.text for note in report.notes)
    with pytest.warns(UserWarning, match="dropout"):
        one_layer = nn.LSTM(3, 4, dropout=0.5, proj_size=2, bidirectional=True)
    paths = {note.path for note in explain(one_layer, randn(5, 2, 3), lengths=[5, 2]).notes}
    assert {
        "notebooks/02_layers.ipynb",
        "notebooks/03_bidirectional.ipynb",
        "notebooks/04_lstm_cell_state.ipynb",
        "notebooks/06_variable_lengths.ipynb",
    } <= paths


def test_text_and_html_carry_the_same_content():
    lstm = seeded(nn.LSTM, 3, 4, num_layers=2, bidirectional=True)
    report = explain(lstm, randn(5, 2, 3), lengths=[5, 3], uses="out[-1]")
    assert report.readings  # the student's line is in both renderings too
    text, page = str(report), report._repr_html_()
    for section in report.sections():
        assert section.title in text and html.escape(section.title) in page
        for row in section.rows:
            for cell in row:
                assert words_in_order(cell, text)  # notes and table cells are wrapped in the text
                assert html.escape(cell) in page
    assert '<a href="06_variable_lengths.ipynb">notebooks/06_variable_lengths.ipynb</a>' in page


def words_in_order(cell: str, text: str) -> bool:
    """True if the cell's words appear in the text in order (a wrapped table cell shares lines with its row)."""
    at = 0
    for word in cell.split():
        at = text.find(word, at)
        if at < 0:
            return False
        at += len(word)
    return True


def test_no_line_of_the_text_report_is_longer_than_100_characters():
    lstm = seeded(nn.LSTM, 8, 50, num_layers=3, bidirectional=True, batch_first=True)
    report = explain(lstm, randn(4, 112, 8), lengths=[112, 90, 50, 3], uses="out[:, -1, :]")
    text = str(report)
    assert max(len(line) for line in text.splitlines()) <= 100
    assert "output[torch.arange(4), lengths - 1, :50]" in text  # code is not cut where it fits


# --- the module is left as found ----------------------------------------------------------------


@pytest.mark.parametrize("training", [True, False])
def test_explain_leaves_the_module_as_found(training):
    lstm = seeded(nn.LSTM, 3, 4, num_layers=2, dropout=0.5)
    lstm.train(training)
    lstm.weight_hh_l0.grad = torch.ones_like(lstm.weight_hh_l0)  # an earlier backward pass's gradient
    before = {name: p.detach().clone() for name, p in lstm.named_parameters()}
    rng = torch.get_rng_state()
    report = explain(lstm, randn(5, 2, 3))
    assert lstm.training is training
    for name, p in lstm.named_parameters():
        assert torch.equal(p, before[name]) and p.requires_grad
        assert (p.grad is None) == (name != "weight_hh_l0")
    assert torch.equal(lstm.weight_hh_l0.grad, torch.ones(16, 4))
    assert report.output.grad_fn is None and report.h_n.grad_fn is None  # no graph recorded
    assert torch.equal(torch.get_rng_state(), rng)  # dropout drew from a forked random state


# --- bad input, refused before torch's own error ------------------------------------------------


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.GRU(8, 5)


BAD = [
    (
        "module",
        lambda: (nn.Linear(8, 5), randn(2, 3, 8), None, None),
        "module=Linear is not allowed: module must be an nn.RNN, nn.GRU or nn.LSTM",
    ),
    (
        "no recurrent module inside",
        lambda: (nn.Sequential(nn.Linear(8, 5)), randn(2, 3, 8), None, None),
        "module=Sequential is not allowed: module must be an nn.RNN, nn.GRU or nn.LSTM, or a model that contains one",
    ),
    ("whole model with hx", lambda: (Model(), randn(2, 3, 8), randn(1, 3, 5), None), "hx= is not allowed with a whole"),
    (
        "string flag",
        lambda: (nn.LSTM(8, 5, bidirectional="False"), randn(2, 3, 8), None, None),
        "bidirectional='False' is not allowed: bidirectional must be True or False",
    ),
    ("bool size", lambda: (nn.LSTM(True, 5), randn(2, 3, 1), None, None), "input_size=True is not allowed"),
    (
        "token ids",
        lambda: (nn.GRU(8, 5), torch.zeros(3, 2, 8, dtype=torch.int64), None, None),
        "the module expects float features .*token ids need an nn.Embedding first",
    ),
    ("cell", lambda: (nn.LSTMCell(8, 5), randn(3, 8), None, None), "runs one time step"),
    (
        "rank 4",
        lambda: (nn.GRU(8, 5, batch_first=True), randn(1, 4, 112, 8), None, None),
        re.escape("x has shape (1, 4, 112, 8) (4-D), but the module expects a 3-D batch (N, L, H_in)"),
    ),
    ("rank 1", lambda: (nn.GRU(8, 5), randn(8), None, None), re.escape("x has shape (8,) (1-D)")),
    (
        "features",
        lambda: (nn.LSTM(8, 50, batch_first=True), randn(4, 112, 7), None, None),
        "x has 7 features, but the module expects input_size=8",
    ),
    (
        "dtype",
        lambda: (nn.GRU(8, 5), randn(3, 2, 8, dtype=torch.float64), None, None),
        "x is torch.float64, but the module's weights are torch.float32",
    ),
    (
        "lengths count",
        lambda: (nn.GRU(8, 5, batch_first=True), randn(4, 6, 8), None, [6, 2, 3]),
        re.escape("N=4 sequences (x.shape[0]) need 4 lengths, but 3 were given"),
    ),
    (
        "lengths too long",
        lambda: (nn.GRU(8, 5), randn(6, 2, 8), None, [7, 2]),
        re.escape("each length must be an integer from 1 to L=6 (x.shape[0], the number of steps)"),
    ),
    ("lengths float", lambda: (nn.GRU(8, 5), randn(6, 2, 8), None, [6, 2.5]), "each length must be an integer"),
    ("lengths zero", lambda: (nn.GRU(8, 5), randn(6, 2, 8), None, torch.tensor([0, 2])), "from 1 to L=6"),
    ("lengths unbatched", lambda: (nn.GRU(8, 5), randn(6, 8), None, [6]), "unbatched x of shape \\(6, 8\\)"),
    (
        "lengths packed",
        lambda: (nn.GRU(8, 5), pack_padded_sequence(randn(6, 2, 8), [6, 2]), None, [6, 2]),
        "already carries each sequence's length",
    ),
    (
        "hx batch first",
        lambda: (nn.GRU(8, 50, num_layers=3, batch_first=True), randn(4, 9, 8), randn(4, 3, 50), None),
        re.escape(
            "hx has shape (4, 3, 50), but the module expects h_0 of shape (3, 4, 50) = (num_layers * D, N, H_out)"
        )
        + ".*never batch first",
    ),
    ("lstm hx not a pair", lambda: (nn.LSTM(8, 5), randn(3, 2, 8), randn(1, 2, 5), None), "as a pair \\(h_0, c_0\\)"),
    (
        "lstm c_0",
        lambda: (nn.LSTM(8, 5, proj_size=2), randn(3, 2, 8), (randn(1, 2, 2), randn(1, 2, 2)), None),
        re.escape(
            "hx[1] (c_0) has shape (1, 2, 2), but the module expects c_0 of shape (1, 2, 5) = "
            "(num_layers * D, N, H_cell)"
        ),
    ),
]


@pytest.mark.parametrize("make, message", [case[1:] for case in BAD], ids=[case[0] for case in BAD])
def test_bad_input_is_refused_in_the_students_shapes(make, message):
    module, x, hx, lengths = make()
    calls = []
    if isinstance(module, nn.Module):
        module.register_forward_pre_hook(lambda *args: calls.append(args))
    with pytest.raises(ValueError, match=message):
        explain(module, x, hx=hx, lengths=lengths)
    assert not calls  # refused before the module (and torch's own checks) ran


# --- the traps' sentences about torch hold ------------------------------------------------------


def test_trap_sentences_hold_in_torch():
    x = randn(5, 2, 3)
    bi = seeded(nn.GRU, 3, 4, bidirectional=True)
    with torch.no_grad():
        output, _ = bi(x)
        alone, _ = bi(x[-1:])  # the last token alone
    # "At the last step, that [backward] half has read one token."
    torch.testing.assert_close(output[-1, :, 4:], alone[0, :, 4:])
    report = explain(bi, x, lengths=[5, 2])
    # "each sequence's steps after its own length are zeros"
    assert torch.equal(report.output[2:, 1], torch.zeros(3, 8))
    # "The module's batch_first does not change a PackedSequence"
    packed = pack_padded_sequence(x, [5, 2], enforce_sorted=False)
    first, second = seeded(nn.GRU, 3, 4, batch_first=True), seeded(nn.GRU, 3, 4, batch_first=False)
    with torch.no_grad():
        assert torch.equal(first(packed)[0].data, second(packed)[0].data)


# --- the grid picture in Jupyter ----------------------------------------------------------------


def test_jupyter_shows_the_tables_then_the_grid_for_this_configuration(monkeypatch):
    import base64
    import struct

    import IPython.display

    from helpers import grid_figure
    from helpers.views import png_bytes

    shown = []
    metadata = []
    monkeypatch.setattr(
        IPython.display, "display", lambda bundle, raw, **kw: (shown.append(bundle), metadata.append(kw))
    )
    lstm = seeded(nn.LSTM, 3, 4, num_layers=2, bidirectional=True, batch_first=True)
    report = explain(lstm, randn(3, 5, 3), lengths=[5, 2, 4])
    report._ipython_display_()
    tables, picture = shown
    assert tables == {"text/html": report._repr_html_(), "text/plain": str(report)}
    assert "data:image" not in tables["text/html"]  # strict nbval compares HTML byte for byte
    assert report.picture.kwargs == dict(
        num_layers=2, seq_len=5, bidirectional=True, cell="lstm", batch_first=True, lengths=(5, 2, 4), batch=1
    )
    png = base64.b64decode(picture["image/png"])
    assert png == png_bytes(grid_figure(**report.picture.kwargs))
    assert struct.unpack(">II", png[16:24])[0] >= 600  # width, from the PNG header
    alt = metadata[1]["metadata"]["image/png"]["alt"]  # the grid's alt text, written from its data (issue 29)
    assert "Unrolled 2-layer bidirectional LSTM over 5 steps, sequence 1" in alt
    assert "helpers.grid_figure(num_layers=2, seq_len=5, bidirectional=True, cell='lstm'" in str(report)


def test_grid_is_drawn_over_at_most_eight_steps_and_four_layers():
    long = explain(seeded(nn.GRU, 3, 4), randn(112, 2, 3), lengths=[112, 50])
    assert long.picture.kwargs["seq_len"] == 8 and "lengths" not in long.picture.kwargs
    assert "your L is 112" in long.picture.caption and "each sequence's own last step" in long.picture.caption
    deep = explain(seeded(nn.GRU, 3, 4, num_layers=5), randn(4, 2, 3))
    assert deep.picture.png() is None
    assert "up to 4 layers, this module has 5" in str(deep)
