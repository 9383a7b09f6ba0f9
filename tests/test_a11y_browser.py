"""A real accessibility audit (issue 29) of the static decks and pages: axe-core (tests/a11y_audit.py) runs in Chromium on

- each static deck (`make slides`, artifacts/slides/), every slide as a reader meets it, all in one pass;
- each static HTML page (`make html`, artifacts/html/).

Goal: no serious or critical violation in what the course produces. The counts per page, by impact, go to
artifacts/a11y/report.md (and report.json). Each notebook's outputs in JupyterLab, and its views walked with the
keyboard only, are audited in tests/test_browser.py, in the page where it runs the notebook anyway; so is the live
RISE slides' keyboard walk (tests/rise_slides.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.a11y_audit import audit, explain, record, write_report
from tests.builds import need
from tools import labpage
from tools.labserver import REPO_ROOT

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture(scope="module")
def browser():
    yield from labpage.chromium_for_tests(need)
    write_report()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=labpage.VIEWPORT)
    page = context.new_page()
    yield page
    context.close()


# --- static decks and static HTML pages ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def decks(built_decks):
    """`make slides`'s decks (tests/builds.py: built once per test process, into a temporary folder, so what is
    audited is what this checkout builds, not whatever an earlier run left in artifacts/)."""
    return built_decks


@pytest.fixture(scope="module")
def pages(built_pages):
    """`make html`'s pages (as above)."""
    return built_pages


def open_every_slide(page, deck: Path) -> int:
    """Open the deck in reveal.js's print layout, where every slide is laid out on the page, one after the other,
    with all its fragments shown; return how many slides. reveal.js still marks the slides it would not show in
    the normal layout (hidden, aria-hidden): a reader meets each slide without those marks, so they go."""
    # reveal.js says "pdf-ready" once the print layout is done (it marks slides until then).
    page.add_init_script("document.addEventListener('pdf-ready', () => { window.rnnPdfReady = true; })")
    page.goto(deck.as_uri() + "?print-pdf")
    page.wait_for_function("() => window.rnnPdfReady === true", timeout=60_000)
    assert page.evaluate("() => document.querySelectorAll('.reveal .pdf-page').length === Reveal.getSlides().length")
    page.evaluate(
        """() => { for (const s of document.querySelectorAll('.reveal .slides section')) {
                       s.removeAttribute('hidden'); s.removeAttribute('aria-hidden'); } }"""
    )
    labpage.next_frames(page)
    return page.evaluate("() => Reveal.getSlides().length")


DECK = {"include": [[".reveal .slides"]]}
# Two faults axe must find wherever they are: text too faint to read, a picture with no alt text.
FAULTS = '<p style="color:#bbb;background:#fff">faint words</p><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'


@pytest.mark.timeout(1800)  # the first one builds the decks
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_static_deck_has_no_serious_violation(page, axe_source, decks, notebook):
    """Every slide of the deck at once (one axe run per deck, not one per slide: the audit of the ten decks took
    about 180 s slide by slide, about 30 s this way)."""
    slides = open_every_slide(page, decks / f"{notebook.stem}.html")
    bad = record(f"deck {notebook.stem}", audit(page, axe_source, DECK), slides=slides)
    assert not bad, explain(bad)


@pytest.mark.timeout(1800)
def test_the_deck_audit_finds_faults_on_the_last_slide(page, axe_source, decks):
    """The one-pass audit above sees the whole deck: faults put on the last slide of the longest deck are found."""
    deck = max(decks.glob("[0-9][0-9]_*.html"), key=lambda p: p.stat().st_size)
    open_every_slide(page, deck)
    page.evaluate("(faults) => Reveal.getSlides().at(-1).insertAdjacentHTML('beforeend', faults)", FAULTS)
    found = {v["id"] for v in audit(page, axe_source, DECK)}
    assert {"color-contrast", "image-alt"} <= found, found


@pytest.mark.timeout(1800)  # the first one builds the pages
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_static_html_page_has_no_serious_violation(page, axe_source, pages, notebook):
    page.goto((pages / f"{notebook.stem}.html").as_uri())
    page.wait_for_load_state("load")
    bad = record(f"html {notebook.stem}", audit(page, axe_source))
    assert not bad, explain(bad)
