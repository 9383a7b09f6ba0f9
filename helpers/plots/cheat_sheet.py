"""The cheat sheet as a picture: each tensor's shape beside its rule, then where each final state lives in output."""

from __future__ import annotations

from dataclasses import dataclass, field

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .alt import set_alt
from .text import path_label

FIGSIZE = (7.2, 4.6)  # inches
COLUMNS = (0.01, 0.2, 0.47)  # x of the three columns, in axes coordinates
LINE = 0.052  # height of one line, in axes coordinates


@dataclass
class SheetArtists:
    """The sheet's axes and its text (drawn as paths), so a view can rewrite it in place."""

    fig: Figure
    ax: Axes
    labels: list = field(default_factory=list)


def rules(sheet) -> dict[str, str]:
    """Each tensor's shape rule in PyTorch's letters, for the sheet's options."""
    cfg, unbatched = sheet.config, sheet.unbatched
    seq = "(L, H_in)" if unbatched else "(N, L, H_in)" if cfg.batch_first else "(L, N, H_in)"
    out = "(L, D * H_out)" if unbatched else "(N, L, D * H_out)" if cfg.batch_first else "(L, N, D * H_out)"
    state = "(num_layers * D, H_out)" if unbatched else "(num_layers * D, N, H_out): never batch first"
    cell = "(num_layers * D, hidden_size)" if unbatched else "(num_layers * D, N, hidden_size)"
    found = {
        "x": seq,
        "h_0": state.split(":")[0] + (", and c_0 like c_n" if cfg.cell == "lstm" else ""),
        "output": out + (", padded back by pad_packed_sequence" if sheet.packed else ""),
        "output.data": "(sum(lengths), D * H_out): the PackedSequence's data",
        "h_n": state,
        "c_n": cell + ": LSTM only",
    }
    return found


def _lines(sheet) -> list[tuple[float, float, str, dict]]:
    """(x, y, text, options) for every piece of text on the sheet."""
    cfg = sheet.config
    args = [str(cfg.input_size), str(cfg.hidden_size), f"num_layers={cfg.num_layers}"]
    args += [f"{name}=True" for name in ("bidirectional", "batch_first") if getattr(cfg, name)]
    args += [f"proj_size={cfg.proj_size}"] if cfg.proj_size else []
    module = {"rnn": "nn.RNN", "gru": "nn.GRU", "lstm": "nn.LSTM"}[cfg.cell]
    batch = "one sequence, unbatched" if sheet.unbatched else "N = 3 sequences"
    if sheet.packed:
        batch += ", packed with lengths = [5, 3, 2]"
    bold = dict(size=10)
    specs = [
        (COLUMNS[0], 0.97, f"{module}({', '.join(args)})", dict(size=10.5)),
        (
            COLUMNS[0],
            0.97 - LINE,
            f"H_in = {cfg.input_size}, L = 5 steps, {batch};  D = {cfg.num_directions}, "
            f"H_out = {cfg.h_out}" + (" (proj_size)" if cfg.proj_size else " (hidden_size)"),
            dict(size=9),
        ),
    ]
    y = 0.97 - 2.3 * LINE
    specs += [(x, y, text, bold) for x, text in zip(COLUMNS, ("tensor", "shape, from the run", "rule"))]
    rule = rules(sheet)
    for name, shape in sheet.shapes.items():
        if name == "output" and sheet.packed_data is not None:
            y -= LINE
            specs += [
                (COLUMNS[0], y, "output.data", {}),
                (COLUMNS[1], y, str(sheet.packed_data), {}),
                (COLUMNS[2], y, rule["output.data"], dict(size=8)),
            ]
        y -= LINE
        shown = "not returned" if shape is None else str(shape)
        text = "-" if shape is None else rule[name]
        specs += [(COLUMNS[0], y, name, {}), (COLUMNS[1], y, shown, {}), (COLUMNS[2], y, text, dict(size=8))]
    y -= 1.3 * LINE
    specs += [(x, y, text, bold) for x, text in zip(COLUMNS, ("final state", "row of h_n", "where it is in output"))]
    for where in sheet.locations:
        y -= LINE
        name = f"layer {where.layer}" + ((", forward", ", backward")[where.direction] if cfg.bidirectional else "")
        found = where.expression if where.expression else "nowhere: output holds the top layer only"
        check = ("equal: True" if where.expression else "searched") if where.holds else "MISMATCH"
        specs += [
            (COLUMNS[0], y, name, {}),
            (COLUMNS[1], y, where.h_n_index, {}),
            (COLUMNS[2], y, f"{found}   ({check})", dict(size=8.5)),
        ]
    for note in sheet.notes:
        y -= LINE
        specs.append((COLUMNS[0], y, f"Note: {note}", dict(size=8.5)))
    return specs


def update_sheet(art: SheetArtists, sheet) -> SheetArtists:
    """Rewrite the sheet's text for other options, reusing the path patches."""
    spare = list(art.labels)
    art.labels = [
        path_label(
            art.ax, x, y, text, va="top", coords="axes", patch=spare.pop(0) if spare else None, **{"size": 9, **options}
        )
        for x, y, text, options in _lines(sheet)
    ]
    for patch in spare:
        patch.remove()
    set_alt(art.fig, sheet_alt(sheet))
    return art


def draw_sheet(sheet, fig: Figure | None = None) -> SheetArtists:
    """Draw the cheat sheet for one set of options on a Figure; returns its artists."""
    if fig is None:
        fig = Figure(figsize=FIGSIZE)
    ax = fig.add_axes((0.02, 0.02, 0.96, 0.96))
    ax.set_axis_off()
    return update_sheet(SheetArtists(fig, ax), sheet)


def sheet_alt(sheet) -> str:
    """The sheet is text: its alt text is that text, line by line, columns left to right."""
    lines: dict[float, list[tuple[float, str]]] = {}
    for x, y, text, _ in _lines(sheet):
        lines.setdefault(round(y, 4), []).append((x, " ".join(str(text).split())))
    rows = [" | ".join(t for _, t in sorted(cells) if t) for _, cells in sorted(lines.items(), key=lambda kv: -kv[0])]
    return "Cheat sheet. " + "; ".join(r for r in rows if r) + "."
