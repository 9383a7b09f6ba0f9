"""helpers.shape_table: 09's copyable table is generated from the sheet's letters, and every entry, with a real
run's sizes put in, is the shape that run returned."""

import pytest

from helpers.shape_table import COLUMNS, ROWS, entries, evaluate, shape_table, sheets, table_checks


@pytest.mark.parametrize("num_layers,bidirectional", [(1, False), (2, True), (3, False)])
def test_every_entry_is_the_shape_a_run_returned(num_layers, bidirectional):
    checks = table_checks(num_layers, bidirectional)
    assert len(checks) == len(ROWS) * len(COLUMNS) - 1  # unbatched input cannot be packed: no output.data there
    assert all(checks.values())


def test_a_wrong_entry_would_be_caught():
    runs = sheets()
    time_first, batch_first = runs["batch_first=False (default)"], runs["batch_first=True"]
    assert evaluate("(N, L, H_in)", time_first) != time_first.shapes["x"]
    assert evaluate("(N, L, H_in)", batch_first) == batch_first.shapes["x"]
    projected = runs["LSTM, proj_size set"]
    assert evaluate("(num_layers * D, N, H_out)", projected) != projected.shapes["c_n"]  # c keeps hidden_size


def test_the_table_is_the_entries():
    text = shape_table()
    lines = text.splitlines()
    assert lines[0] == "| tensor | " + " | ".join(COLUMNS) + " |"
    runs = sheets()
    for row, line in zip(ROWS, lines[2 : 2 + len(ROWS)]):
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        assert cells[0] == f"`{row}`"
        for column, cell in zip(COLUMNS, cells[1:]):
            if cell != "(cannot be packed)":
                assert cell == f"`{entries(runs[column])[row]}`"
    assert "never batch first" in text
