"""Render a report's sections as plain text (a terminal) or as HTML tables (Jupyter)."""

from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass

NOTE_WIDTH = 96  # characters per line of a wrapped note in the text rendering


@dataclass(frozen=True)
class Section:
    """One titled table of the report."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    code: tuple[int, ...] = ()  # columns that hold Python code
    links: int | None = None  # column that holds a notebook path
    caption: str = ""


LINE_WIDTH = 100  # no line of the text rendering is longer


def _wrap(text: str, width: int) -> list[str]:
    """text's own lines (a torch warning may hold several), each wrapped to width; blank lines dropped, so that
    every line the caller indents or aligns is one of these and none starts at column 0 by itself."""
    lines = text.splitlines()
    wrapped = [part for line in lines for part in textwrap.wrap(line, width, break_on_hyphens=False)]
    return wrapped or [""]


def _longest_line(text: str) -> int:
    return max((len(line) for line in text.splitlines()), default=0)


def _widths(table: list[tuple[str, ...]], room: int, code: tuple[int, ...] = ()) -> list[int]:
    """Column widths that fit room characters (two spaces between columns): the widest prose columns give way
    first, then code columns."""
    widths = [max(_longest_line(row[i]) for row in table) for i in range(len(table[0]))]
    gaps = 2 * (len(widths) - 1)
    while sum(widths) + gaps > room:
        prose = [k for k in range(len(widths)) if k not in code and widths[k] > 16]
        pool = prose or [k for k in range(len(widths)) if widths[k] > 12]
        if not pool:
            break
        i = max(pool, key=lambda k: widths[k])
        widths[i] -= 1
    return widths


def render_text(title: str, sections: list[Section]) -> str:
    """Plain text, no line longer than LINE_WIDTH: a title, then each section as an aligned table."""
    heading = _wrap(title, LINE_WIDTH)
    lines = heading + ["=" * max(len(line) for line in heading)]
    for section in sections:
        lines.append("")
        lines += _wrap(section.title + (f"  ({section.caption})" if section.caption else ""), LINE_WIDTH)
        if section.links is not None:
            for *text, path in section.rows:
                wrapped = _wrap(" ".join(text), NOTE_WIDTH - 4)
                lines += [f"  - {wrapped[0]}"] + [f"    {more}" for more in wrapped[1:]] + [f"    see {path}"]
            continue
        if len(section.header) == 1:
            for row in section.rows:
                wrapped = _wrap(row[0], LINE_WIDTH - 4)
                lines += [f"  {wrapped[0]}"] + [f"    {more}" for more in wrapped[1:]]
            continue
        table = [section.header, *section.rows]
        widths = _widths(table, LINE_WIDTH - 2, section.code)
        for row in table:
            cells = [_wrap(cell, w) for cell, w in zip(row, widths)]
            for k in range(max(len(c) for c in cells)):
                parts = [(c[k] if k < len(c) else "").ljust(w) for c, w in zip(cells, widths)]
                lines.append(("  " + "  ".join(parts)).rstrip())
    return "\n".join(lines)


def _cell(section: Section, i: int, value: str) -> str:
    text = "<br>".join(html.escape(line) for line in value.splitlines() if line.strip())  # its own lines kept
    if i == section.links:
        # Links are relative to notebooks/, where the course's notebooks (and 09's cell) live.
        href = html.escape(value.split("/")[-1])
        return f'<a href="{href}">{text}</a>'
    if i in section.code and value:
        return f"<code>{text}</code>"
    return text


def render_html(title: str, sections: list[Section]) -> str:
    """HTML tables with the same content as render_text."""
    left = 'style="text-align:left"'
    parts = [f"<div><h4>{html.escape(title)}</h4>"]
    for section in sections:
        caption = f" <small>({html.escape(section.caption)})</small>" if section.caption else ""
        parts.append(f"<p><b>{html.escape(section.title)}</b>{caption}</p><table>")
        parts.append("<tr>" + "".join(f"<th {left}>{html.escape(h)}</th>" for h in section.header) + "</tr>")
        for row in section.rows:
            parts.append(
                "<tr>" + "".join(f"<td {left}>{_cell(section, i, v)}</td>" for i, v in enumerate(row)) + "</tr>"
            )
        parts.append("</table>")
    parts.append("</div>")
    return "\n".join(parts)
