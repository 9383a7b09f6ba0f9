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


def render_text(title: str, sections: list[Section]) -> str:
    """Plain text: a title, then each section as an aligned table (notes as a wrapped list)."""
    lines = [title, "=" * len(title)]
    for section in sections:
        lines += ["", section.title + (f"  ({section.caption})" if section.caption else "")]
        if section.links is not None:
            for *text, path in section.rows:
                wrapped = textwrap.wrap(" ".join(text), NOTE_WIDTH - 4)
                lines += [f"  - {wrapped[0]}"] + [f"    {more}" for more in wrapped[1:]] + [f"    see {path}"]
            continue
        if len(section.header) == 1:
            lines += [f"  {row[0]}" for row in section.rows]
            continue
        table = [section.header, *section.rows]
        widths = [max(len(row[i]) for row in table) for i in range(len(section.header))]
        for row in table:
            lines.append("  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    return "\n".join(lines)


def _cell(section: Section, i: int, value: str) -> str:
    text = html.escape(value)
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
