"""Alt text for every picture: each plot module writes what its figure shows and its point, from the figure's data.

A plot function calls set_alt(fig, text) when it draws or updates a figure. In a notebook, register() makes
IPython store that text in the output's metadata, {"image/png": {"alt": text}}, which JupyterLab and nbconvert
put in the <img alt="...">; a live view gives the same text to its picture (helpers/views/base.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure

ALT_ATTRIBUTE = "_course_alt_text"


def set_alt(fig: Figure, text: str) -> str:
    """Remember text as fig's alt text (one or a few plain sentences); returns it."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"text={text!r} is not allowed: alt text must be a non-empty string")
    setattr(fig, ALT_ATTRIBUTE, " ".join(text.split()))
    return getattr(fig, ALT_ATTRIBUTE)


def alt_of(fig) -> str | None:
    """fig's alt text, or None if no plot function gave it one (a figure of a subfigure reaches its root)."""
    root = getattr(fig, "figure", None) if not isinstance(fig, Figure) else fig
    while root is not None and getattr(root, "figure", root) is not root:  # SubFigure -> its parent Figure
        root = root.figure
    return getattr(root, ALT_ATTRIBUTE, None) if root is not None else None


def mimebundle_metadata(fig) -> tuple[dict, dict] | None:
    """For IPython's mime-bundle formatter: no data of its own (the PNG comes as before), the alt as metadata."""
    alt = alt_of(fig)
    if alt is None:
        return None
    return {}, {"image/png": {"alt": alt}}


def register(shell=None) -> bool:
    """Make IPython store each Figure's alt text with its PNG; True if a shell was there to register with."""
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover - IPython comes with the notebooks' kernel
            return False
        shell = get_ipython()
    if shell is None:
        return False
    shell.display_formatter.mimebundle_formatter.for_type(Figure, mimebundle_metadata)
    return True


# --- words shared by the plot modules ---------------------------------------------------------------------------


def count(n: int, noun: str, plural: str | None = None) -> str:
    """'1 step', '5 steps'."""
    return f"{n} {noun if n == 1 else (plural or noun + 's')}"


def listing(items: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def steps_text(steps: Sequence[int]) -> str:
    """Steps as words: 'step 4', 'steps 0 to 4', 'steps 0, 2 and 5'."""
    steps = sorted(set(int(s) for s in steps))
    if not steps:
        return "no step"
    if len(steps) == 1:
        return f"step {steps[0]}"
    if steps == list(range(steps[0], steps[-1] + 1)):
        return f"steps {steps[0]} to {steps[-1]}"
    return "steps " + listing([str(s) for s in steps])


def number_table(name: str, values, row_names: Sequence[str], col_names: Sequence[str], digits: int = 2) -> str:
    """A heatmap's numbers as text, one row per line: 'name: row: col=value, col=value; row: ...'."""
    rows = []
    for r, row_name in enumerate(row_names):
        cells = ", ".join(f"{col_names[c]}={_number(values[r][c], digits)}" for c in range(len(col_names)))
        rows.append(f"{row_name}: {cells}")
    return f"{name}: " + "; ".join(rows) + "."


def _number(value: float, digits: int) -> str:
    text = f"{float(value):.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text
