"""Notebook 09's copyable shape table: the shape rules in PyTorch's letters, as text, each checked on a real run."""

from __future__ import annotations

import re

from .plots.cheat_sheet import rules
from .views.cheat_sheet import BATCH_SIZE, INPUT_SIZE, LENGTHS, SEQ_LEN, Sheet, compute_sheet

# The columns of the table: the options that change a shape, each as compute_sheet's keyword arguments.
COLUMNS = {
    "batch_first=False (default)": dict(),
    "batch_first=True": dict(batch_first=True),
    "unbatched x (one sequence)": dict(unbatched=True),
    "LSTM, proj_size set": dict(proj_size=2),
}
ROWS = ("x", "h_0", "c_0", "output", "output.data", "h_n", "c_n")


def _letters(rule: str) -> str:
    """The shape part of one of plots.cheat_sheet.rules' sentences: '(N, L, H_in)'."""
    return re.match(r"\((?:[^()]|\([^()]*\))*\)", rule).group(0)  # one level of inner brackets: sum(lengths)


def entries(sheet: Sheet) -> dict[str, str]:
    """Each row's shape in letters, for one sheet (c_0 is laid out like c_n; output.data only when packed)."""
    found = {name: _letters(rule) for name, rule in rules(sheet).items()}
    found["c_0"] = found["c_n"]
    return {row: found[row] for row in ROWS}


def _sizes(sheet: Sheet) -> dict[str, int]:
    cfg = sheet.config
    return {
        "L": SEQ_LEN,
        "N": BATCH_SIZE,
        "H_in": INPUT_SIZE,
        "D": cfg.num_directions,
        "H_out": cfg.h_out,
        "hidden_size": cfg.hidden_size,
        "num_layers": cfg.num_layers,
        "sum(lengths)": sum(LENGTHS),
    }


def evaluate(letters: str, sheet: Sheet) -> tuple[int, ...]:
    """The letters with this sheet's sizes put in: '(num_layers * D, N, H_out)' -> (4, 3, 2)."""
    sizes = _sizes(sheet)
    parts = []
    for part in letters[1:-1].split(","):
        value = 1
        for factor in part.split("*"):
            value *= sizes[factor.strip()]
        parts.append(value)
    return tuple(parts)


def sheets(num_layers: int = 2, bidirectional: bool = True) -> dict[str, Sheet]:
    """One real LSTM run per column (packed, except unbatched input, which packing cannot take)."""
    return {
        column: compute_sheet(
            cell="lstm",
            num_layers=num_layers,
            bidirectional=bidirectional,
            packed=not options.get("unbatched", False),
            **options,
        )
        for column, options in COLUMNS.items()
    }


def table_checks(num_layers: int = 2, bidirectional: bool = True) -> dict[tuple[str, str], bool]:
    """(row, column) -> whether the letters, with the run's sizes put in, give the shape the run returned."""
    checks = {}
    for column, sheet in sheets(num_layers, bidirectional).items():
        real = dict(sheet.shapes, c_0=sheet.shapes["c_n"], **{"output.data": sheet.packed_data})
        for row, letters in entries(sheet).items():
            if real[row] is not None:
                checks[(row, column)] = evaluate(letters, sheet) == tuple(real[row])
    return checks


def shape_table() -> str:
    """The table as Markdown text, to copy: one row per tensor, one column per option that changes shapes."""
    found = {column: entries(sheet) for column, sheet in sheets().items()}
    lines = ["| tensor | " + " | ".join(COLUMNS) + " |", "|---" * (len(COLUMNS) + 1) + "|"]
    for row in ROWS:
        cells = []
        for column in COLUMNS:
            cell = f"`{found[column][row]}`"
            if row == "output.data" and column.startswith("unbatched"):
                cell = "(cannot be packed)"
            cells.append(cell)
        lines.append(f"| `{row}` | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(
        "D = 2 if bidirectional else 1; H_out = proj_size if set, else hidden_size; c_0 and c_n (LSTM only) keep "
        "hidden_size; output.data is a packed output's data, time-major; h_0, h_n, c_0, c_n are never batch first."
    )
    return "\n".join(lines)
