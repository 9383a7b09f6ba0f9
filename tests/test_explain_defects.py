"""The defects issue 26 found when explain was tried, each shown fixed against torch (items 1, 6, 9, 11, 12 and the
padded batch without lengths; the others are in test_explain.py, test_explain_cli*.py and test_traps.py)."""

import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from helpers.explain import explain
from helpers.explain.__main__ import main


def seeded(cls, *args, **kwargs):
    torch.manual_seed(0)
    return cls(*args, **kwargs)


def test_a_zero_lower_layer_equal_to_output_is_a_coincidence_not_a_failed_check():
    """Item 1: zero input without bias: every state is 0, so layer 0's h_n equals output at some step."""
    rnn = seeded(nn.RNN, 3, 4, num_layers=2, nonlinearity="relu", bias=False)
    x = torch.zeros(5, 2, 3)
    report = explain(rnn, x, lengths=[5, 2])
    assert not report.h_n.any()  # torch: every state is 0
    lower = report.states[0]
    assert lower.found_in_output and lower.zeros and report.all_hold
    rows = report.sections()[2].rows
    assert rows[0][3] == "not the top layer; a slice of output is equal by coincidence (all zeros)"
    assert all(row[-1] == "True" for row in rows)  # no "checked False" for a true report
    # just outside: random input, the same module's lower layer appears nowhere
    other = explain(rnn, torch.randn(5, 2, 3, generator=torch.Generator().manual_seed(1)))
    assert not other.states[0].found_in_output and other.sections()[2].rows[0][3] == "nowhere: not the top layer"


def test_l_of_x_and_l_of_output_are_both_named_with_total_length():
    """Item 6: every length shorter than x's steps: output has max(lengths) steps, x has L."""
    gru = seeded(nn.GRU, 3, 4, batch_first=True)
    x = torch.randn(2, 6, 3)
    report = explain(gru, x, lengths=[4, 3])
    assert report.output.shape[1] == 4 and x.shape[1] == 6
    text = str(report)
    assert "L = 6 in x, 4 in output (total_length=6 keeps x's)" in text
    [note] = [n for n in report.notes if n.rule_id == "total-length"]
    assert "pad_packed_sequence(..., total_length=6)" in note.text
    from torch.nn.utils.rnn import pad_packed_sequence

    with torch.no_grad():
        packed_out, _ = gru(pack_padded_sequence(x, [4, 3], batch_first=True, enforce_sorted=False))
    assert pad_packed_sequence(packed_out, batch_first=True, total_length=6)[0].shape[1] == 6
    assert not any(n.rule_id == "total-length" for n in explain(gru, x, lengths=[6, 3]).notes)


def test_nonlinearity_and_bias_are_reported():
    """Item 9."""
    report = explain(seeded(nn.RNN, 3, 4, nonlinearity="relu", bias=False), torch.randn(5, 2, 3))
    caption = report.sections()[0].caption
    assert "nonlinearity='relu'" in caption and "bias=False" in caption
    assert "nonlinearity" not in explain(seeded(nn.GRU, 3, 4), torch.randn(5, 2, 3)).sections()[0].caption


@pytest.mark.parametrize(
    "argv, said",
    [
        (["nn.LSTM(True, 50)", "--input-shape", "2,3,1"], "input_size=True is not an integer"),
        (["nn.LSTM(8, 50, bidirectional='False')", "--input-shape", "2,3,8"], "bidirectional='False' is not True"),
        (["nn.GRU(8, 5, batch_first=1)", "--input-shape", "2,3,8"], "batch_first=1 is not True or False"),
    ],
)
def test_flags_and_sizes_of_the_wrong_type_are_refused_on_the_command_line(capsys, argv, said):
    """Items 2 and 11: torch builds these (True as 1, 'False' as true) and fails later or silently."""
    with pytest.raises(SystemExit):
        main(argv)
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err
    torch_reads = nn.LSTM(8, 50, bidirectional="False")
    assert torch_reads.bidirectional == "False"  # torch keeps the string ...
    with pytest.raises(ValueError, match="bidirectional must be True or False"):
        explain(torch_reads, torch.randn(3, 2, 8))  # ... explain refuses it


def test_one_layer_reports_drop_rows_that_say_nothing():
    """Item 12: h_n.view(1, 1, N, H_out)[0, 0] is h_n[0] again: not shown for one layer and one direction."""
    text = str(explain(seeded(nn.GRU, 3, 4), torch.randn(5, 2, 3)))
    assert "h_n.view" not in text and "same as" not in text
    deep = " ".join(str(explain(seeded(nn.GRU, 3, 4, num_layers=2), torch.randn(5, 2, 3))).split())
    assert "h_n[k] == h_n.view(2, 1, 2, 4)[k // D, k % D] for every row k: True" in deep


def test_a_padded_batch_without_lengths_is_said_so_with_what_packing_would_give():
    gru = seeded(nn.GRU, 3, 4, batch_first=True)
    x = torch.randn(3, 6, 3, generator=torch.Generator().manual_seed(1))
    x[1, 3:] = 0
    report = explain(gru, x)
    text = str(report)
    assert "x looks padded, and no lengths were given" in text and "lengths = [6, 3, 6]" in text
    assert any(n.rule_id == "padded-reads-padding" for n in report.notes)
    with torch.no_grad():
        _, packed_h = gru(pack_padded_sequence(x, [6, 3, 6], batch_first=True, enforce_sorted=False))
    assert torch.equal(report.padding.h_n, packed_h)
    assert not torch.allclose(packed_h[:, 1], report.h_n[:, 1]) and torch.allclose(packed_h[:, 0], report.h_n[:, 0])
    assert "torch.allclose(packed h_n[:, 1], h_n[:, 1]) is False" in " ".join(text.split())
    full = torch.randn(3, 6, 3)  # no trailing zero step: nothing said
    assert explain(gru, full).padding is None and "looks padded" not in str(explain(gru, full))


def test_each_located_state_names_the_registry_rules_that_place_it():
    """Stage 3 locates every state from the registry's facts: each state names the rules that place it, packed
    and not packed, and each is a rule of the registry (tests/test_rules.py proves them across their scopes)."""
    from helpers.rules import rule

    lstm = seeded(nn.LSTM, 3, 4, num_layers=2, bidirectional=True, batch_first=True)
    x = torch.randn(2, 5, 3, generator=torch.Generator().manual_seed(1))
    for lengths, top_forward in ((None, "top-forward-last-step"), ([5, 3], "top-forward-last-valid")):
        report = explain(lstm, x, lengths=lengths)
        said = {(s.layer, s.direction): s.rules for s in report.states}
        assert said[0, 0] == said[0, 1] == ("h_n-every-final", "lower-rows-not-in-output")
        assert said[1, 0] == ("h_n-every-final", top_forward)
        assert said[1, 1] == ("h_n-every-final", "backward-at-step-0")
        for rules in said.values():
            for rule_id in rules:
                assert rule(rule_id).id == rule_id


class _Warns(nn.Module):
    """A model whose forward warns with a message of several lines, as some libraries' warnings are."""

    def __init__(self, message):
        super().__init__()
        self.message = message
        self.gru = seeded(nn.GRU, 3, 4, batch_first=True)

    def forward(self, x):
        import warnings

        warnings.warn(self.message, stacklevel=2)
        return self.gru(x)[0]


def _section(text: str, title: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index(title) + 1
    end = lines.index("", start) if "" in lines[start:] else len(lines)
    return lines[start:end]


def test_a_warning_of_several_lines_keeps_its_lines_each_indented_in_the_report():
    """A warning's own line breaks are kept (they are its author's: a list, a command to run), and every line
    after its first is indented as a wrapped line is: no line of the report starts at column 0 out of its section."""
    message = "first line of the warning\nsecond line: run this\n\n    model.flatten_parameters()\nlast line"
    report = explain(_Warns(message), torch.randn(2, 5, 3))
    assert report.warnings == [message]
    said = _section(str(report), "torch warned")
    assert said == [
        "  first line of the warning",
        "    second line: run this",
        "        model.flatten_parameters()",  # its own indentation kept, inside the section's
        "    last line",
    ]
    assert "<td " + 'style="text-align:left">first line of the warning<br>second line: run this<br>' in (
        report._repr_html_()
    )
    # just outside: a warning of one line is one line, as before
    one = _section(str(explain(_Warns("one line only"), torch.randn(2, 5, 3))), "torch warned")
    assert one == ["  one line only"]


def test_a_long_line_of_a_warning_of_several_lines_wraps_within_the_width():
    message = "short\n" + " ".join(["word"] * 40)
    said = _section(str(explain(_Warns(message), torch.randn(2, 5, 3))), "torch warned")
    # 40 words of 4 letters, 96 characters a line once indented: 19 words, 19 words, 2 words
    assert said[0] == "  short" and all(line.startswith("    word") for line in said[1:]) and len(said) == 4
    assert max(len(line) for line in said) <= 100
    assert " ".join(" ".join(said).split()) == " ".join(message.split())


def test_a_cell_of_several_lines_in_a_table_keeps_every_column_aligned():
    from helpers.explain.render import Section, render_html, render_text

    table = Section("t", ("name", "what"), (("a\nb", "one\ntwo"), ("longer", "three\n\nfour")))
    assert render_text("T", [table]).splitlines()[4:] == [
        "  name    what",
        "  a       one",
        "  b       two",
        "  longer  three",
        "          four",
    ]
    assert "<td " + 'style="text-align:left">three<br>four</td>' in render_html("T", [table])
