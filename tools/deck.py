"""Write one static reveal.js deck per notebook, from its stored outputs (no kernel, no execution).

Usage: python -m tools.deck --reveal DIR [--out artifacts/slides] [notebooks/*.ipynb]

Each deck uses the slide types that tools/slides.py stored. A live view keeps its slide and works with no
kernel: its placeholder becomes plain inputs and the view's pictures, embedded (the same as `make html`,
tools/html_export.py, which makes the pictures once per notebook and helpers version); its static twin is
skipped. With --no-views, each live view is skipped instead and its twin takes its slide. reveal.js comes from DIR, a local copy
installed from the npm registry by `make slides`; the template asks nothing else from the network,
so a deck opens from a file:// URL offline.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import nbformat
from nbconvert import SlidesExporter

from tools.html_export import is_live_view, view_states, with_views
from tools.slides import NOTEBOOKS, static_deck_types

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "artifacts" / "slides"
TEMPLATES = Path(__file__).resolve().parent / "templates"  # templates/deck: reveal without CDNs
THEME = "white"  # reveal's "simple" theme imports web fonts; "white" ships its fonts


def deck_notebook(nb: nbformat.NotebookNode, states: list[dict] | None = None) -> nbformat.NotebookNode:
    """A copy of `nb` for a deck: with each view's pictures (`states`), the live slide types; without, the static ones.

    Either way the deck has as many slides (slide_count): the static types only swap each view with its twin.
    """
    if states is not None:
        return with_views(nb, states)
    nb = nbformat.from_dict(nb)
    for cell, kind in zip(nb.cells, static_deck_types(nb.cells)):
        cell.metadata["slideshow"] = {"slide_type": kind}
    return nb


def slide_count(nb: nbformat.NotebookNode) -> int:
    """How many slides (top-level and sub-slides) the static deck of `nb` has."""
    return sum(kind in ("slide", "subslide") for kind in static_deck_types(nb.cells))


def build(notebook: Path, out: Path, reveal: str, views: bool = True) -> Path:
    """Write out/<notebook stem>.html; `reveal` is the URL of reveal.js relative to out."""
    nb = nbformat.read(notebook, as_version=4)
    has_views = views and any(is_live_view(cell) for cell in nb.cells)
    exporter = SlidesExporter(
        extra_template_basedirs=[str(TEMPLATES)],
        template_name="deck",
        reveal_url_prefix=reveal,
        reveal_theme=THEME,
        reveal_width="1280",
        reveal_height="720",
    )
    body, _ = exporter.from_notebook_node(
        deck_notebook(nb, view_states(notebook) if has_views else None), resources={"metadata": {"name": notebook.stem}}
    )
    path = out / f"{notebook.stem}.html"
    path.write_text(body, encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reveal", type=Path, required=True, help="folder holding reveal.js (dist/, plugin/)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--no-views", action="store_true", help="static twins instead of the views (no kernel run)")
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    if not (args.reveal / "dist" / "reveal.js").exists():
        print(f"{args.reveal}/dist/reveal.js is missing: run `make slides`, which installs reveal.js", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    reveal = Path(os.path.relpath(args.reveal.resolve(), args.out.resolve())).as_posix()
    for notebook in args.notebooks or sorted(NOTEBOOKS.glob("*.ipynb")):
        path = build(notebook, args.out, reveal, views=not args.no_views)
        print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
