"""explain is one pass, top to bottom: each stage takes the previous stage's dataclass and returns its own."""

import typing

import pytest
import torch
from torch import nn

from helpers.explain import explain
from helpers.explain.capture import Call, Capture, capture
from helpers.explain.inputs import Inputs, read_inputs
from helpers.explain.lines import Reading, read_lines
from helpers.explain.locate import Located, locate
from helpers.explain.report import Report, write_report


def test_each_stage_takes_the_previous_stage_s_dataclass():
    hints = {f.__name__: typing.get_type_hints(f) for f in (capture, locate, read_lines, write_report)}
    assert hints["capture"]["inputs"] is Inputs and hints["capture"]["return"] is Capture
    assert hints["locate"]["call"] is Call and hints["locate"]["return"] is Located
    assert hints["read_lines"]["located"] is Located and hints["read_lines"]["return"] == tuple[Reading, ...]
    assert hints["write_report"]["located"] is Located and hints["write_report"]["return"] is Report


def test_the_stages_run_by_hand_give_explain_s_report():
    torch.manual_seed(0)
    gru = nn.GRU(3, 4, num_layers=2, bidirectional=True, batch_first=True)
    x = torch.randn(2, 5, 3, generator=torch.Generator().manual_seed(1))
    inputs = read_inputs(gru, x, None, [5, 3], None, "out[:, -1, :]")
    (call,) = capture(inputs).calls
    located = locate(call)
    report = write_report(located, read_lines(located, inputs.uses))
    assert str(report) == str(explain(gru, x, lengths=[5, 3], uses="out[:, -1, :]"))


# --- Stage 5's rendering: what a learner reads in a terminal and in Jupyter -------------------------------------

from helpers.explain.lines import INTENTS  # noqa: E402
from helpers.explain.render import LINE_WIDTH, Section, _widths, render_html, render_text  # noqa: E402
from helpers.explain.report import _reading_section  # noqa: E402

LEFT = 'style="text-align:left"'


def test_html_is_one_table_per_section_with_code_links_and_escaped_text():
    sections = [
        Section("Traps <here>", ("note", "explained in"), (("a & b", "notebooks/03_bidirectional.ipynb"),), links=1),
        Section("The call", ("code", "what"), (("h_n[-1]", "x < y"), ("", "")), code=(0,), caption="N = 2 & L = 3"),
    ]
    assert render_html("What GRU(3, 4) returned", sections) == "\n".join(
        [
            "<div><h4>What GRU(3, 4) returned</h4>",
            "<p><b>Traps &lt;here&gt;</b></p><table>",
            f"<tr><th {LEFT}>note</th><th {LEFT}>explained in</th></tr>",
            f'<tr><td {LEFT}>a &amp; b</td><td {LEFT}><a href="03_bidirectional.ipynb">'
            "notebooks/03_bidirectional.ipynb</a></td></tr>",
            "</table>",
            "<p><b>The call</b> <small>(N = 2 &amp; L = 3)</small></p><table>",
            f"<tr><th {LEFT}>code</th><th {LEFT}>what</th></tr>",
            f"<tr><td {LEFT}><code>h_n[-1]</code></td><td {LEFT}>x &lt; y</td></tr>",
            f"<tr><td {LEFT}></td><td {LEFT}></td></tr>",  # an empty code cell is no <code>
            "</table>",
            "</div>",
        ]
    )


def test_text_is_aligned_tables_notes_with_their_notebook_and_one_column_lines():
    sections = [
        Section("The call", ("code",), (("output, h_n = gru(x)",),), code=(0,), caption="batch_first=False"),
        Section("Shapes", ("tensor", "shape"), (("x", "(5, 2, 3)"), ("output", "(5, 2, 4)"))),
        Section("Traps", ("note", "explained in"), (("h_n is every layer.", "notebooks/02_layers.ipynb"),), links=1),
    ]
    assert render_text("What GRU(3, 4) returned", sections) == "\n".join(
        [
            "What GRU(3, 4) returned",
            "=======================",
            "",
            "The call  (batch_first=False)",
            "  output, h_n = gru(x)",
            "",
            "Shapes",
            "  tensor  shape",
            "  x       (5, 2, 3)",
            "  output  (5, 2, 4)",
            "",
            "Traps",
            "  - h_n is every layer.",
            "    see notebooks/02_layers.ipynb",
        ]
    )


def test_long_text_wraps_under_its_bullet_or_its_line_and_no_line_passes_the_width():
    note = " ".join(["word"] * 40)  # 199 characters: a note wraps at 92, a one-column line at 96
    text = render_text("T", [Section("Traps", ("note", "in"), ((note, "notebooks/01_x.ipynb"),), links=1)])
    lines = text.splitlines()
    assert lines[:4] == ["T", "=", "", "Traps"]
    assert lines[4] == "  - " + " ".join(["word"] * 18) and lines[5] == "    " + " ".join(["word"] * 18)
    assert lines[6] == "    " + " ".join(["word"] * 4) and lines[7] == "    see notebooks/01_x.ipynb"
    text = render_text("T", [Section("One", ("line",), ((note,),))])
    assert text.splitlines()[4:] == ["  " + " ".join(["word"] * 19), "    " + " ".join(["word"] * 19), "    word word"]
    title = " ".join(["title"] * 30)
    *heading, underline = render_text(title, []).splitlines()
    assert len(heading) == 2 and underline == "=" * max(len(line) for line in heading)
    assert all(len(line) <= LINE_WIDTH for line in heading) and " ".join(heading) == title


def test_a_table_too_wide_gives_way_in_its_prose_columns_first_then_in_its_code_columns():
    assert _widths([("a" * 60, "b" * 60)], 98, code=(0,)) == [60, 36]  # prose shrinks, code stays whole
    assert _widths([("a" * 90, "b" * 30)], 98, code=(0,)) == [80, 16]  # prose down to 16, then code
    assert _widths([("a" * 60, "b" * 60)], 98) == [48, 48]  # two prose columns: the widest gives way, in turn
    assert _widths([("a" * 50, "b" * 50, "c" * 50, "d" * 50)], 20) == [12, 12, 12, 12]  # none below 12: it overflows
    row = ("x" * 70, "words " * 20)
    text = render_text("T", [Section("S", ("code", "prose"), (row,), code=(0,))])
    assert all(len(line) <= LINE_WIDTH for line in text.splitlines())
    assert text.splitlines()[5] == "  " + "x" * 70 + "  words words words words"  # prose: 96 - 70 = 26 wide


def _reading(**changes):
    fields = dict(
        line="out[:, -1]",
        shape=(2, 4),
        rows=(("[0]", "sequence 0: ..."), ("[1]", "sequence 1: ...")),
        facts=("names read as: out = output",),
        intent="summary",
        right=False,
        instead="h_n[-1]",
        instead_holds=True,
        check="torch.equal(h_n[-1], out[:, -1]): False",
        with_packing=("lengths = [4, 2]", "packed = ..."),
    )
    fields.update(changes)
    return Reading(**fields)


def test_a_line_s_section_lists_its_rows_then_its_facts_then_the_verdict_and_the_check_then_packing():
    section = _reading_section(_reading())
    assert section.title == "Your line: out[:, -1]" and section.caption == "shape (2, 4)"
    assert section.header == ("row", "what it holds")
    wanted = INTENTS["summary"]
    assert section.rows == (
        ("[0]", "sequence 0: ..."),
        ("[1]", "sequence 1: ..."),
        ("", "names read as: out = output"),
        ("verdict", f"read as {wanted}: your line does not hold it; write h_n[-1]"),
        ("checked", "torch.equal(h_n[-1], out[:, -1]): False"),
        ("packing", "lengths = [4, 2]"),
        ("packing", "packed = ..."),
    )
    plain = _reading_section(_reading(line="output.shape", shape=None, intent="", facts=(), with_packing=()))
    assert plain.caption == "" and plain.rows == (("[0]", "sequence 0: ..."), ("[1]", "sequence 1: ..."))


def _sections(report):
    return {s.title: (s.caption, s.rows) for s in report.sections() if not s.title.startswith("Traps")}


STATES = "Final states: where each (layer, direction) ends up"
SUMMARY = "A classifier's summary of each whole sequence"
GRID = "The grid for this configuration"
EVERY_H = "every layer's final hidden state, one row per (layer, direction)"
EVERY_C = "every layer's final cell state, one row per (layer, direction)"
CHECKED = "checked: torch.equal on your tensors"
SAME = "the same states, cut out of output"
SLIP = "output at its last step: not equal here: the common slip"


def test_unbatched_gru_in_eval_mode_has_no_n_and_its_final_state_is_output_s_last_step():
    torch.manual_seed(0)
    report = explain(nn.GRU(3, 4).eval(), torch.randn(5, 3))
    assert _sections(report) == {
        "The call": ("unbatched, float32, eval mode", (("output, h_n = gru(x)",),)),
        "Shapes": (
            "unbatched (no N), L = 5, H_in = 3, num_layers = 1, D = 1, H_out = 4",
            (
                ("x", "(5, 3)", "(L, H_in)", "the input"),
                ("h_0", "not given: zeros (1, 4)", "(num_layers * D, H_out)", "initial hidden state"),
                ("output", "(5, 4)", "(L, D * H_out)", "the top layer at every step"),
                ("h_n", "(1, 4)", "(num_layers * D, H_out)", EVERY_H),
            ),
        ),
        STATES: (CHECKED, (("0", "forward", "h_n[0]", "output[-1]", "True"),)),  # one row: no view to check
        SUMMARY: (
            "checked: torch.equal with the first row",
            (("h_n[-1]", "(4,)", "use this", ""), ("output[-1]", "", SAME, "True")),
        ),
        GRID: (
            "GRU, num_layers=1, bidirectional=False; drawn for a batch: drop the batch index for your unbatched x",
            (("helpers.grid_figure(num_layers=1, seq_len=5, bidirectional=False, cell='gru', batch_first=False)",),),
        ),
    }


def test_a_two_layer_relu_rnn_with_h_0_says_its_layout_and_that_the_lower_layer_is_nowhere_in_output():
    torch.manual_seed(0)
    rnn = nn.RNN(3, 4, num_layers=2, nonlinearity="relu", bias=False, dtype=torch.float64)
    x, h_0 = torch.randn(5, 2, 3, dtype=torch.float64), torch.randn(2, 2, 4, dtype=torch.float64)
    sections = _sections(explain(rnn, x, hx=h_0))
    assert sections["The call"] == (
        "batch_first=False, float64, nonlinearity='relu', bias=False, training mode",
        (("output, h_n = rnn(x, h_0)",),),
    )
    assert sections["Shapes"] == (
        "N = 2, L = 5, H_in = 3, num_layers = 2, D = 1, H_out = 4",
        (
            ("x", "(5, 2, 3)", "(L, N, H_in)", "the input"),
            ("h_0", "(2, 2, 4)", "(num_layers * D, N, H_out)", "the initial hidden state you passed"),
            ("output", "(5, 2, 4)", "(L, N, D * H_out)", "the top layer at every step"),
            ("h_n", "(2, 2, 4)", "(num_layers * D, N, H_out)", EVERY_H),
        ),
    )
    assert sections[STATES] == (
        CHECKED + "; h_n[k] == h_n.view(2, 1, 2, 4)[k // D, k % D] for every row k: True",
        (
            ("0", "forward", "h_n[0]", "nowhere: not the top layer", "True"),
            ("1", "forward", "h_n[1]", "output[-1]", "True"),
        ),
    )
    assert sections[GRID][0] == "RNN, num_layers=2, bidirectional=False"


def test_a_packed_lstm_lists_three_sequences_then_says_how_many_more_were_checked():
    torch.manual_seed(0)
    report = explain(nn.LSTM(3, 2, batch_first=True), torch.randn(5, 6, 3), lengths=[4, 1, 2, 3, 4])
    sections = _sections(report)
    bf = "batch_first=True"
    assert sections["The call"] == (
        f"{bf}, packed, float32, training mode",
        (
            (f"packed = pack_padded_sequence(x, lengths, {bf}, enforce_sorted=False)",),
            ("packed_output, (h_n, c_n) = lstm(packed)",),
            (f"output, lengths = pad_packed_sequence(packed_output, {bf})",),
        ),
    )
    assert sections["Shapes"] == (
        "N = 5, L = 6 in x, 4 in output (total_length=6 keeps x's), H_in = 3, num_layers = 1, D = 1, H_out = 2, "
        "H_cell = 2",
        (
            ("x", "(5, 6, 3)", "(N, L, H_in)", "the input"),
            ("lengths", "(5,) = [4, 1, 2, 3, 4]", "(N,)", "each sequence's steps"),
            ("h_0", "not given: zeros (1, 5, 2)", "(num_layers * D, N, H_out)", "initial hidden state"),
            ("c_0", "not given: zeros (1, 5, 2)", "(num_layers * D, N, H_cell)", "initial cell state"),
            ("output", "(5, 4, 2)", "(N, L, D * H_out)", "the top layer at every step, padded by pad_packed_sequence"),
            ("h_n", "(1, 5, 2)", "(num_layers * D, N, H_out)", EVERY_H),
            ("c_n", "(1, 5, 2)", "(num_layers * D, N, H_cell)", EVERY_C),
        ),
    )
    assert sections[STATES] == (
        CHECKED,
        (
            ("0", "forward", "h_n[0]", "output[torch.arange(5), lengths - 1]", "True"),
            ("", "sequence 0, length 4", "h_n[0, 0]", "output[0, 3]", "True"),
            ("", "sequence 1, length 1", "h_n[0, 1]", "output[1, 0]", "True"),
            ("", "sequence 2, length 2", "h_n[0, 2]", "output[2, 1]", "True"),
            ("", "2 more sequences", "", "each one checked", "True"),
        ),
    )
    assert sections["Cell states"] == ("", (("c_n[k]: same rows as h_n[k]", "nowhere"),))
    assert sections[SUMMARY][1] == (
        ("h_n[-1]", "(5, 2)", "use this", ""),
        ("output[torch.arange(5), lengths - 1]", "", SAME, "True"),
        ("output[:, -1]", "", SLIP, "False"),
    )
    assert sections[GRID] == (
        "LSTM, num_layers=1, bidirectional=False; sequence 1, your shortest (length 1)",
        (
            (
                "helpers.grid_figure(num_layers=1, seq_len=4, bidirectional=False, cell='lstm', batch_first=True, "
                "lengths=(4, 1, 2, 3, 4), batch=1)",
            ),
        ),
    )


def test_a_packed_sequence_passed_in_is_shown_as_such_and_four_sequences_are_all_listed():
    torch.manual_seed(0)
    x = torch.nn.utils.rnn.pack_padded_sequence(torch.randn(6, 4, 3), [6, 5, 2, 1])
    sections = _sections(explain(nn.LSTM(3, 2), x))
    assert sections["The call"][1] == (
        ("packed_output, (h_n, c_n) = lstm(x)",),
        ("output, lengths = pad_packed_sequence(packed_output, batch_first=False)",),
    )
    assert sections["Shapes"][0].startswith("N = 4, L = 6, H_in = 3,")
    assert sections["Shapes"][1][:2] == (
        ("x", "PackedSequence, data (14, 3)", "data: (sum of lengths, H_in)", "the packed batch you passed"),
        ("lengths", "(4,) = [6, 5, 2, 1]", "(N,)", "each sequence's steps"),
    )
    assert [row[1:] for row in sections[STATES][1]] == [
        ("forward", "h_n[0]", "output[lengths - 1, torch.arange(4)]", "True"),
        ("sequence 0, length 6", "h_n[0, 0]", "output[5, 0]", "True"),
        ("sequence 1, length 5", "h_n[0, 1]", "output[4, 1]", "True"),
        ("sequence 2, length 2", "h_n[0, 2]", "output[1, 2]", "True"),
        ("sequence 3, length 1", "h_n[0, 3]", "output[0, 3]", "True"),
    ]
    assert sections[SUMMARY][1][2] == ("output[-1]", "", SLIP, "False")
    assert sections[GRID][0].endswith("; sequence 3, your shortest (length 1)")


def test_a_bidirectional_module_s_summary_joins_both_directions_and_equals_output_s_last_step_only_unpacked():
    torch.manual_seed(0)
    sections = _sections(explain(nn.GRU(3, 2, bidirectional=True, batch_first=True), torch.randn(2, 4, 3)))
    assert sections[STATES][1] == (
        ("0", "forward", "h_n[0]", "output[:, -1, :2]", "True"),
        ("0", "backward", "h_n[1]", "output[:, 0, 2:]", "True"),
    )
    assert sections[STATES][0] == CHECKED + "; h_n[k] == h_n.view(1, 2, 2, 2)[k // D, k % D] for every row k: True"
    assert sections[SUMMARY][1] == (
        ("torch.cat([h_n[-2], h_n[-1]], dim=-1)", "(2, 4)", "use this", ""),
        ("torch.cat([output[:, -1, :2], output[:, 0, 2:]], dim=-1)", "", SAME, "True"),
        ("output[:, -1]", "", SLIP, "False"),
    )
    torch.manual_seed(0)
    one = _sections(explain(nn.GRU(3, 2, batch_first=True), torch.randn(2, 4, 3)))
    assert one[SUMMARY][1] == (("h_n[-1]", "(2, 2)", "use this", ""), ("output[:, -1]", "", SAME, "True"))


def test_a_lower_layer_or_a_cell_state_equal_to_a_slice_of_output_is_called_a_coincidence():
    torch.manual_seed(0)
    lstm = nn.LSTM(3, 2, num_layers=2, bias=False)
    report = explain(lstm, torch.zeros(4, 2, 3))  # no input, no bias: every state is zeros
    sections = _sections(report)
    assert sections["Cell states"] == ("", (("c_n[k]: same rows as h_n[k]", "equal to some slice by coincidence"),))
    coincidence = "not the top layer; a slice of output is equal by coincidence"
    assert sections[STATES][1][0] == ("0", "forward", "h_n[0]", f"{coincidence} (all zeros)", "True")
    torch.manual_seed(0)
    rnn = nn.RNN(3, 3, num_layers=2, nonlinearity="relu", bias=False)
    with torch.no_grad():  # the top layer copies the layer below: relu(I @ h) = h, as h >= 0
        rnn.weight_ih_l1.copy_(torch.eye(3))
        rnn.weight_hh_l1.zero_()
    sections = _sections(explain(rnn, torch.randn(4, 2, 3).abs()))
    assert sections[STATES][1][0] == ("0", "forward", "h_n[0]", f"{coincidence} (same values)", "True")
    assert report.all_hold and len(report.checks()) == 2 + 1 + 1  # two views, the top layer in output, the summary


def test_words_are_never_cut_at_a_hyphen_and_an_empty_cell_stays_empty():
    row = ("read the non-padded steps", "")
    text = render_text("T", [Section("S", ("what it holds", "more"), (row, ("x", "y")))])
    # the first column is 25 wide; forced to wrap, a hyphenated word stays whole
    assert text.splitlines()[4:] == [
        "  what it holds              more",
        "  read the non-padded steps",
        "  x                          y",
    ]
    long = "a" * 88 + " non-padded steps"  # a one-column line wraps at 96: "non-" would fit on the first line
    assert render_text("T", [Section("S", ("line",), ((long,),))]).splitlines()[4:] == [
        "  " + "a" * 88,
        "    non-padded steps",
    ]


def test_three_columns_share_the_room_less_two_spaces_between_each_and_give_way_one_character_at_a_time():
    assert _widths([("a" * 30, "b" * 30, "c" * 30)], 80) == [25, 25, 26]  # 76 + 2 gaps of 2 = 80
    assert _widths([("a" * 60, "b" * 61)], 97, code=(0,)) == [60, 35]  # 95 + one gap of 2 = 97


# --- A line's sizes: self.hidden_size and its kin are read as the module's sizes, nothing else is -----------------

from helpers.explain.expression import ALLOWED  # noqa: E402


@pytest.mark.parametrize("owner", ["self", "args", "config", "opt", "hparams"])
def test_sizes_read_from_the_usual_owners_are_the_module_s_own(owner):
    torch.manual_seed(0)
    line = f"h_n.view({owner}.num_layers, 1, -1, {owner}.hidden_size)[-1, 0]"
    report = explain(nn.GRU(3, 4, num_layers=2, batch_first=True), torch.randn(2, 5, 3), uses=line)
    (reading,) = report.readings
    assert reading.shape == (2, 4) and reading.right


@pytest.mark.parametrize(
    "line, part, why",
    [
        ("h_n.view(model.num_layers, -1)", "model.num_layers", "is not allowed"),
        ("h_n.view(self.depth, -1)", "self.depth", "is not a size known here ['B', 'D', 'H', 'H_cell', 'H_in',"),
        ("h_n[x.y.z]", "x.y.z", "is not allowed"),
    ],
)
def test_other_attributes_are_refused_naming_the_part_and_what_an_expression_may_hold(line, part, why):
    torch.manual_seed(0)
    with pytest.raises(ValueError) as refused:
        explain(nn.GRU(3, 4, batch_first=True), torch.randn(2, 5, 3), uses=line)
    said = str(refused.value)
    assert said.startswith(f"expression={line!r} is not allowed: {part!r} {why}")
    assert said.endswith(f"; an expression may hold {ALLOWED}")
    assert "'hidden_size', 'hidden_units'" in said or why == "is not allowed"


# --- In Jupyter: the tables as HTML and text, then the grid as its own PNG output with its alt text ---------------

PNG = b"\x89PNG\r\n\x1a\n"


def _displayed(report, monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *args, **kwargs: shown.append((args, kwargs)))
    report._ipython_display_()
    return shown


def test_jupyter_shows_the_tables_then_the_grid_as_a_png_with_its_caption_and_alt_text(monkeypatch):
    import base64

    torch.manual_seed(0)
    report = explain(nn.GRU(3, 4, batch_first=True), torch.randn(2, 5, 3))
    (tables, tables_kw), (grid, grid_kw) = _displayed(report, monkeypatch)
    assert tables == ({"text/html": report._repr_html_(), "text/plain": str(report)},) and tables_kw == {"raw": True}
    png, alt = report.picture.drawn()
    assert png.startswith(PNG) and report.picture.png() == png and alt
    caption = "The grid for this configuration (GRU, num_layers=1, bidirectional=False)"
    (data,) = grid
    assert data == {"image/png": base64.b64encode(png).decode("ascii"), "text/plain": caption}
    assert grid_kw == {"metadata": {"image/png": {"alt": f"{caption}. {alt}"}}, "raw": True}


def test_a_module_too_deep_to_draw_shows_its_tables_only_and_says_why():
    torch.manual_seed(0)
    report = explain(nn.RNN(2, 3, num_layers=5), torch.randn(4, 1, 2))
    assert report.picture.png() is None and report.picture.drawn() == (None, None) and report.picture.code == ""
    grid = report.sections()[-1]
    assert grid.rows == () and grid.caption == "not drawn: the grid draws up to 4 layers, this module has 5"


def test_a_module_too_deep_to_draw_is_one_display_in_jupyter(monkeypatch):
    torch.manual_seed(0)
    report = explain(nn.RNN(2, 3, num_layers=5), torch.randn(4, 1, 2))
    assert len(_displayed(report, monkeypatch)) == 1


def test_several_reports_are_each_report_in_the_model_s_order():
    class Two(nn.Module):
        def __init__(self):
            super().__init__()
            self.first, self.second = nn.GRU(3, 4), nn.RNN(4, 2)

        def forward(self, x):
            return self.second(self.first(x)[0])

    torch.manual_seed(0)
    reports = explain(Two(), torch.randn(5, 2, 3))
    first, second = reports["first"], reports["second"]
    assert len(reports) == 2 and list(reports) == [first, second]
    assert str(reports) == f"{first}\n\n{second}" and repr(reports) == str(reports)
    assert reports._repr_html_() == f"{first._repr_html_()}\n{second._repr_html_()}"


# --- Stage 1: what explain() refuses before anything runs, each message naming the argument, its value, what is allowed

import numpy  # noqa: E402


def _gru(**kw):
    torch.manual_seed(0)
    return nn.GRU(3, 4, **kw)


def _lstm():
    torch.manual_seed(0)
    return nn.LSTM(3, 4, num_layers=2, bidirectional=True, proj_size=2)


def _flagged(name, value):
    module = _gru()
    setattr(module, name, value)
    return module


def _x():
    return torch.randn(5, 2, 3, generator=torch.Generator().manual_seed(0))


def _packed():
    return torch.nn.utils.rnn.pack_padded_sequence(_x(), [5, 3])


@pytest.mark.parametrize(
    "call, said",
    [
        pytest.param(
            lambda: explain(nn.LSTMCell(3, 4), _x()),
            "module=LSTMCell is not allowed: module must be an nn.RNN, nn.GRU or nn.LSTM, or a model that contains one; LSTMCell runs one time step and returns no output sequence",
            id="lstmcell",
        ),
        pytest.param(
            lambda: explain(nn.Linear(3, 4), _x()),
            "module=Linear is not allowed: module must be an nn.RNN, nn.GRU or nn.LSTM, or a model that contains one",
            id="linear",
        ),
        pytest.param(
            lambda: explain("gru", _x()),
            "module=str is not allowed: module must be an nn.RNN, nn.GRU or nn.LSTM, or a model that contains one",
            id="notmodule",
        ),
        pytest.param(
            lambda: explain(_gru(), _packed(), lengths=torch.tensor([5, 3])),
            "lengths=[5, 3] is not allowed with a PackedSequence x: the packed sequence already carries each sequence's length",
            id="packed+lengths",
        ),
        pytest.param(
            lambda: explain(_gru(), [1, 2]),
            "x=list is not allowed: x must be a tensor or a PackedSequence",
            id="x list",
        ),
        pytest.param(
            lambda: explain(_gru(), torch.zeros(5, 2, 3, dtype=torch.int64)),
            "x is torch.int64, but the module expects float features (input_size=3 numbers per step): token ids need an nn.Embedding first, e.g. x = embedding(token_ids); or pass your whole model and its batch, explain(model, batch)",
            id="x int",
        ),
        pytest.param(
            lambda: explain(_gru(batch_first=True), torch.zeros(1, 5, 2, 3)),
            "x has shape (1, 5, 2, 3) (4-D), but the module expects a 3-D batch (N, L, H_in) (batch_first=True) or a 2-D sequence (L, H_in)",
            id="x 4d",
        ),
        pytest.param(
            lambda: explain(_gru(), torch.zeros(3)),
            "x has shape (3,) (1-D), but the module expects a 3-D batch (L, N, H_in) (batch_first=False) or a 2-D sequence (L, H_in)",
            id="x 1d",
        ),
        pytest.param(
            lambda: explain(_gru(batch_first=True), torch.zeros(2, 5, 7)),
            "x has 7 features, but the module expects input_size=3 (x has shape (2, 5, 7) = (N, L, H_in); H_in is the last axis)",
            id="features",
        ),
        pytest.param(
            lambda: explain(_gru(), torch.zeros(5, 7)),
            "x has 7 features, but the module expects input_size=3 (x has shape (5, 7) = (L, H_in); H_in is the last axis)",
            id="features unb",
        ),
        pytest.param(
            lambda: explain(_gru(), torch.zeros(5, 2, 3, dtype=torch.float64)),
            "x is torch.float64, but the module's weights are torch.float32: convert one to the other, e.g. x.to(torch.float32) or module.to(torch.float64)",
            id="dtype",
        ),
        pytest.param(
            lambda: explain(_gru(), torch.zeros(5, 2, 3), hx=torch.zeros(1, 2, 4, dtype=torch.float64)),
            "hx is torch.float64, but the module's weights are torch.float32: convert one to the other, e.g. hx.to(torch.float32) or module.to(torch.float64)",
            id="hx dtype",
        ),
        pytest.param(
            lambda: explain(_gru(), torch.zeros(0, 2, 3)),
            "x has shape (0, 2, 3), with no sequences or no steps: the module needs N >= 1 and L >= 1",
            id="empty",
        ),
        pytest.param(
            lambda: explain(_gru(), torch.zeros(5, 3), lengths=torch.tensor([5])),
            "lengths=[5] is not allowed with an unbatched x of shape (5, 3) = (L, H_in): it is one whole sequence; add a batch axis to pack it",
            id="unbatched lengths",
        ),
        pytest.param(
            lambda: explain(_gru(), _x(), lengths=torch.tensor([[5, 3]])),
            "lengths=[[5, 3]] is not allowed: lengths must be 1-D, one integer per sequence",
            id="lengths 2d",
        ),
        pytest.param(
            lambda: explain(_gru(), _x(), lengths=torch.tensor([5.0, 3.0])),
            "lengths=[5.0, 3.0] is not allowed: lengths must be 1-D, one integer per sequence",
            id="lengths float",
        ),
        pytest.param(
            lambda: explain(_gru(), _x(), lengths="5,3"),
            "lengths='5,3' is not allowed: lengths must be a list or 1-D tensor of integers",
            id="lengths str",
        ),
        pytest.param(
            lambda: explain(_gru(batch_first=True), torch.zeros(2, 5, 3), lengths=[5, 3, 1]),
            "lengths=[5, 3, 1] does not fit the batch: x has shape (2, 5, 3) = (N, L, H_in), so N=2 sequences (x.shape[0]) need 2 lengths, but 3 were given",
            id="lengths count",
        ),
        pytest.param(
            lambda: explain(_gru(), _x(), lengths=[6, 3]),
            "lengths=[6, 3] does not fit the batch: x has shape (5, 2, 3) = (L, N, H_in), so each length must be an integer from 1 to L=5 (x.shape[0], the number of steps)",
            id="lengths range",
        ),
        pytest.param(
            lambda: explain(_gru(), _x(), lengths=(0, 3)),
            "lengths=[0, 3] does not fit the batch: x has shape (5, 2, 3) = (L, N, H_in), so each length must be an integer from 1 to L=5 (x.shape[0], the number of steps)",
            id="lengths zero",
        ),
        pytest.param(
            lambda: explain(_gru(), _x(), lengths=[True, 3]),
            "lengths=[True, 3] does not fit the batch: x has shape (5, 2, 3) = (L, N, H_in), so each length must be an integer from 1 to L=5 (x.shape[0], the number of steps)",
            id="lengths bool",
        ),
        pytest.param(
            lambda: explain(_gru(), _x(), lengths=numpy.array([5, 9])),
            "lengths=[5, 9] does not fit the batch: x has shape (5, 2, 3) = (L, N, H_in), so each length must be an integer from 1 to L=5 (x.shape[0], the number of steps)",
            id="lengths np",
        ),
        pytest.param(
            lambda: explain(_lstm(), _x(), hx=torch.zeros(4, 2, 2)),
            "hx=Tensor is not allowed: an LSTM takes hx as a pair (h_0, c_0) of tensors",
            id="hx lstm not pair",
        ),
        pytest.param(
            lambda: explain(_lstm(), _x(), hx=(torch.zeros(4, 2, 2), 3)),
            "hx[1] (c_0)=int is not allowed: c_0 must be a tensor",
            id="hx lstm c not tensor",
        ),
        pytest.param(
            lambda: explain(_gru(), _x(), hx=torch.zeros(1, 4)),
            "hx has shape (1, 4), but the module expects h_0 of shape (1, 2, 4) = (num_layers * D, N, H_out) for this x",
            id="hx shape",
        ),
        pytest.param(
            lambda: explain(_gru(batch_first=True), torch.zeros(2, 5, 3), hx=torch.zeros(2, 1, 4)),
            "hx has shape (2, 1, 4), but the module expects h_0 of shape (1, 2, 4) = (num_layers * D, N, H_out) for this x; h_0 is never batch first, even with batch_first=True",
            id="hx bf",
        ),
        pytest.param(
            lambda: explain(_gru(), _x(), hx=torch.zeros(2, 1, 4)),
            "hx has shape (2, 1, 4), but the module expects h_0 of shape (1, 2, 4) = (num_layers * D, N, H_out) for this x; h_0 is never batch first, even with batch_first=True",
            id="hx transposed",
        ),
        pytest.param(
            lambda: explain(_lstm(), _x(), hx=(torch.zeros(4, 2, 2), torch.zeros(4, 2, 2))),
            "hx[1] (c_0) has shape (4, 2, 2), but the module expects c_0 of shape (4, 2, 4) = (num_layers * D, N, H_cell) for this x",
            id="hx c shape",
        ),
        pytest.param(
            lambda: explain(_gru(), torch.zeros(5, 3), hx=torch.zeros(1, 2, 4)),
            "hx has shape (1, 2, 4), but the module expects h_0 of shape (1, 4) = (num_layers * D, H_out) for this x",
            id="hx unbatched",
        ),
        pytest.param(
            lambda: explain(_gru(), _x(), rnn="x"),
            "rnn='x' is not allowed: the module you passed is itself the recurrent module",
            id="rnn with module",
        ),
        pytest.param(
            lambda: explain(_flagged("batch_first", "False"), _x()),
            "batch_first='False' is not allowed: batch_first must be True or False, not a str (nn.GRU stores it as given, and a string such as 'False' counts as true)",
            id="flag",
        ),
        pytest.param(
            lambda: explain(_flagged("hidden_size", True), _x()),
            "hidden_size=True is not allowed: hidden_size must be an integer, not a bool (nn.GRU reads True as 1)",
            id="size",
        ),
        pytest.param(
            lambda: explain(_gru(), _x(), hx=[1]),
            "hx=list is not allowed: h_0 must be a tensor",
            id="hx gru not tensor",
        ),
    ],
)
def test_explain_refuses_what_does_not_fit_with_the_argument_its_value_and_what_is_allowed(call, said):
    with pytest.raises(ValueError) as refused:
        call()
    assert str(refused.value) == said


def test_weights_and_hx_of_different_dtypes_are_refused_naming_both():
    with pytest.raises(ValueError) as refused:
        explain(_gru(), _x(), hx=torch.zeros(1, 2, 4, dtype=torch.float64))
    assert str(refused.value).startswith("hx is torch.float64, but the module's weights are torch.float32")


@pytest.mark.parametrize("batch_first", [True, False])
def test_a_padded_x_not_packed_is_told_the_lines_to_pack_it_and_how_far_each_short_sequence_s_h_n_moves(batch_first):
    torch.manual_seed(0)
    gru = nn.GRU(3, 4, batch_first=batch_first)
    x = torch.randn(7, 8, 3)  # (N, L, H_in): sequence n has n + 1 steps, then zeros
    for n in range(7):
        x[n, n + 1 :] = 0
    x = x if batch_first else x.transpose(0, 1).contiguous()
    report = explain(gru, x)
    (section,) = [s for s in report.sections() if s.title == "x looks padded, and no lengths were given"]
    with torch.no_grad():
        packed = torch.nn.utils.rnn.pack_padded_sequence(x, list(range(1, 8)), batch_first, enforce_sorted=False)
        _, packed_h_n = gru(packed)
    said = [
        (
            f"sequence {n} ({n + 1} of 8 steps): torch.allclose(packed h_n[:, {n}], h_n[:, {n}]) is False, "
            f"largest difference {float((packed_h_n[:, n] - report.h_n[:, n]).abs().max()):.4f}",
        )
        for n in range(5)  # the first five short sequences: eight lines at most
    ]
    assert section.header == ("what packing would change",)
    assert section.rows == (
        ("lengths = [1, 2, 3, 4, 5, 6, 7]  # each sequence's steps before its trailing zero steps",),
        (f"packed = pack_padded_sequence(x, lengths, batch_first={batch_first}, enforce_sorted=False)",),
        (f"then call the module on packed (and pad_packed_sequence(..., batch_first={batch_first}) its output)",),
        *said,
    )
    with_line = explain(gru, x, uses="h_n[-1]")  # the line's own section says it instead
    assert "x looks padded, and no lengths were given" not in [s.title for s in with_line.sections()]
    assert with_line.readings[0].with_packing == tuple(row[0] for row in section.rows)


def test_the_final_states_table_names_its_columns_and_marks_h_n_and_in_output_as_code():
    torch.manual_seed(0)
    report = explain(nn.GRU(3, 4, num_layers=2, bidirectional=True), torch.randn(5, 3))  # unbatched: no N in the view
    (section,) = [s for s in report.sections() if s.title == STATES]
    assert section.header == ("layer", "direction", "h_n", "in output", "checked") and section.code == (2, 3)
    assert section.caption == CHECKED + "; h_n[k] == h_n.view(2, 2, 4)[k // D, k % D] for every row k: True"
    assert section.rows[-1] == ("1", "backward", "h_n[3]", "output[0, 4:]", "True")
    page = report._repr_html_()
    assert f"<td {LEFT}><code>h_n[3]</code></td><td {LEFT}><code>output[0, 4:]</code></td><td {LEFT}>True</td>" in page


# --- An index expression: what it may hold, each refusal naming the part and why --------------------------------

from helpers.explain.expression import apply_expression  # noqa: E402


def _named():
    output = torch.arange(24.0).reshape(2, 3, 4)  # (L, N, D * H_out)
    return {
        "output": output,
        "h_n": output + 100,
        "lengths": torch.tensor([2, 1, 2]),
        "pair": (output, output + 1),
        "n": 3,
    }


@pytest.mark.parametrize(
    "expression, why",
    [
        ("output * 2", "'output * 2' does arithmetic on something that is not an integer"),
        ("-output", "'-output' does arithmetic on something that is not an integer"),
        ("lengths * 2", "'lengths * 2' multiplies or divides a tensor"),
        ("lengths // 2", "'lengths // 2' multiplies or divides a tensor"),
        ("3 // 0", "'3 // 0' divides by zero"),
        ("100000000 * 100000", "'100000000 * 100000' is too large a size"),
        ("output[::0]", "'::0' has a step below 1, which tensors do not allow"),
        ("output[::-1]", "'::-1' has a step below 1, which tensors do not allow"),
        ("output[1.5]", "'1.5' is not allowed"),
        ("output[n:1.5]", "'1.5' is not allowed"),
        ("output[:h_n]", "'h_n' is not an integer"),
        ("torch.arange(10000001)", "'torch.arange(10000001)' is too long"),
        ("output.size(0, 1)", "'output.size(0, 1)' takes at most one dimension"),
        ("output.size(dim=0)", "'output.size(dim=0)' takes at most one dimension"),
        ("output.view(-2, 4)", "'output.view(-2, 4)' has a size below -1"),
        ("output.reshape(3, -2)", "'output.reshape(3, -2)' has a size below -1"),
        ("output.squeeze(axis=0)", "'output.squeeze(axis=0)' takes no keyword but ['dim']"),
        ("output.view(size=3)", "'output.view(size=3)' takes no keyword but []"),
        ("torch.cat(output, 0)", "'torch.cat(output, 0)' takes a list or tuple of tensors"),
        ("torch.cat([output], 0, dim=1)", "'torch.cat([output], 0, dim=1)' takes the tensors and one dim"),
        ("torch.stack([output], axis=1)", "'torch.stack([output], axis=1)' takes the tensors and one dim"),
        ("len(output)", "'len(output)' calls something that is not allowed"),
        ("output.sum()", "'output.sum()' calls something that is not allowed"),
        ("torch.zeros(3)", "'torch.zeros(3)' calls something that is not allowed"),
        ("torch.arange(3, 4)", "'torch.arange(3, 4)' calls something that is not allowed"),
        ("foo", "'foo' is not one of the names known here ['h_n', 'lengths', 'n', 'output', 'pair']"),
        ("output[h_n]", "'h_n' is not an integer index"),
        ("pair[lengths]", "'pair[lengths]' indexes a pair with something that is not an integer"),
        ("n[0]", "'n' is not a tensor"),
        ("torch.cat([output, n])", "'n' is not a tensor"),
        ("output.view(1.5)", "'1.5' is not allowed"),
        ("output.view(output)", "'output' is not an integer"),
        ("model.x", "'model.x' is not allowed"),
        ("output.T", "'output.T' is not allowed"),
        ("self.x", "'self.x' is not a size known here []"),
        ("'text'", "\"'text'\" is not allowed"),
        ("output if n else h_n", "'output if n else h_n' is not allowed"),
    ],
)
def test_an_expression_is_refused_naming_its_part_and_why_then_what_an_expression_may_hold(expression, why):
    with pytest.raises(ValueError) as refused:
        apply_expression(expression, _named())
    assert str(refused.value) == f"expression={expression!r} is not allowed: {why}; an expression may hold {ALLOWED}"


@pytest.mark.parametrize(
    "expression, expected",
    [
        ("output[:, -1, :2]", lambda t: t["output"][:, -1, :2]),
        ("output[-1]", lambda t: t["output"][-1]),
        ("output[...,  1:3:2]", lambda t: t["output"][..., 1:3:2]),
        ("output[None, 0]", lambda t: t["output"][None, 0]),
        ("h_n.view(2, 1, 3, 4)[-1, 0]", lambda t: t["h_n"].view(2, 1, 3, 4)[-1, 0]),
        ("h_n.reshape(-1, 4)", lambda t: t["h_n"].reshape(-1, 4)),
        ("h_n.view(h_n.shape[0] * 3, 4)", lambda t: t["h_n"].view(6, 4)),
        ("h_n.view(h_n.size(0) // 2, -1)", lambda t: t["h_n"].view(1, -1)),
        ("h_n.view(n - 1, n + -3 + 3, 4)", lambda t: t["h_n"].view(2, 3, 4)),
        ("h_n.permute(1, 0, 2)", lambda t: t["h_n"].permute(1, 0, 2)),
        ("h_n.transpose(0, 1).contiguous()", lambda t: t["h_n"].transpose(0, 1)),
        ("h_n[:1].squeeze(dim=0)", lambda t: t["h_n"][0]),
        ("h_n[0].unsqueeze(0)", lambda t: t["h_n"][:1]),
        ("h_n.flatten(start_dim=1, end_dim=2)", lambda t: t["h_n"].flatten(1, 2)),
        ("h_n.detach()", lambda t: t["h_n"]),
        ("torch.cat([h_n[-2], h_n[-1]], dim=-1)", lambda t: torch.cat([t["h_n"][-2], t["h_n"][-1]], dim=-1)),
        ("torch.concat((h_n[0], h_n[1]), 1)", lambda t: torch.cat([t["h_n"][0], t["h_n"][1]], 1)),
        ("torch.stack([h_n[0], h_n[1]])", lambda t: torch.stack([t["h_n"][0], t["h_n"][1]])),
        ("torch.stack((h_n[0], h_n[1]), dim=2)", lambda t: torch.stack([t["h_n"][0], t["h_n"][1]], 2)),
        ("output[lengths - 1, torch.arange(3)]", lambda t: t["output"][t["lengths"] - 1, torch.arange(3)]),
        ("output[lengths + -1, torch.arange(n)]", lambda t: t["output"][t["lengths"] - 1, torch.arange(3)]),
        ("pair[1][0]", lambda t: t["output"][0] + 1),
        ("pair[-1:]", lambda t: (t["output"] + 1,)),
        ("output.shape", lambda t: (2, 3, 4)),
        ("output.size()", lambda t: (2, 3, 4)),
        ("output.size(-1)", lambda t: 4),
        ("(n, 2 * n, n // 2)", lambda t: (3, 6, 1)),
    ],
)
def test_an_allowed_expression_gives_what_the_same_code_gives_in_torch(expression, expected):
    got, wanted = apply_expression(expression, _named()), expected(_named())
    if isinstance(wanted, torch.Tensor):
        assert torch.equal(got, wanted)
    elif isinstance(wanted, tuple) and wanted and isinstance(wanted[0], torch.Tensor):
        assert len(got) == len(wanted) and all(torch.equal(a, b) for a, b in zip(got, wanted))
    else:
        assert got == wanted and type(got) is type(wanted)


@pytest.mark.parametrize(
    "expression, said",
    [
        ("h_n[0][0][0][0]", "'h_n[0][0][0][0]' fails on your tensors: invalid index of a 0-dim tensor."),
        ("output[5]", "'output[5]' fails on your tensors: index 5 is out of bounds for dimension 0 with size 2"),
        (
            "output.view(5, 5)",
            "'output.view(5, 5)' fails on your tensors: shape '[5, 5]' is invalid for input of size 24",
        ),
        ("output.size(7)", "'output.size(7)' fails on your tensors: tuple index out of range"),
    ],
)
def test_an_expression_that_torch_cannot_apply_is_said_to_fail_on_the_tensors(expression, said):
    with pytest.raises(ValueError) as refused:
        apply_expression(expression, _named())
    assert str(refused.value).startswith(f"expression={expression!r}: {said}")


@pytest.mark.parametrize(
    "expression, said",
    [
        (
            "output[" * 50 + "0" + "]" * 50,
            "expression is not allowed: it is nested more than 40 deep or is too long to read",
        ),
        ("n + " * 1001 + "n", "expression is not allowed: it has 4005 characters, at most 2000 are read"),
        ("output[", "expression='output[' is not allowed: it is not valid Python ("),
        (3, "expression=3 is not allowed: expression must be a string"),
    ],
)
def test_an_expression_too_long_too_deep_or_not_python_is_refused_before_it_is_read(expression, said):
    with pytest.raises(ValueError) as refused:
        apply_expression(expression, _named())
    assert str(refused.value).startswith(said)


def test_each_section_s_columns_and_which_of_them_hold_code():
    torch.manual_seed(0)
    x = torch.randn(5, 2, 3)
    x[3:, 1] = 0  # padded, not packed: the packing section too
    report = explain(nn.LSTM(3, 4), x)
    layout = {s.title: (s.header, s.code, s.links) for s in report.sections()}
    assert layout == {
        "The call": (("code",), (0,), None),
        "Shapes": (("tensor", "shape", "axes", "holds"), (0,), None),
        STATES: (("layer", "direction", "h_n", "in output", "checked"), (2, 3), None),
        "Cell states": (("c_n", "in output"), (), None),
        SUMMARY: (("expression", "shape", "what it is", "checked"), (0,), None),
        "Traps for this configuration": (("note", "explained in"), (), 1),
        "x looks padded, and no lengths were given": (("what packing would change",), (), None),
        GRID: (("drawn by",), (0,), None),
    }
    page = report._repr_html_()
    assert f"<td {LEFT}><code>output, (h_n, c_n) = lstm(x)</code></td>" in page
    assert f"<td {LEFT}><code>x</code></td><td {LEFT}>(5, 2, 3)</td>" in page


@pytest.mark.parametrize(
    "module, x, lengths",
    [
        (nn.GRU(3, 2, batch_first=True), torch.ones(2, 5, 3), [5, 5]),  # packed, every sequence whole
        (nn.GRU(3, 2, bidirectional=True, batch_first=True), torch.ones(2, 1, 3), None),  # one step: it is also step 0
    ],
)
def test_output_at_its_last_step_is_said_equal_where_it_is(module, x, lengths):
    rows = _sections(explain(module, x, lengths=lengths))[SUMMARY][1]
    assert rows[2][1:] == ("", "output at its last step: equal here", "True") and rows[2][0] == "output[:, -1]"
