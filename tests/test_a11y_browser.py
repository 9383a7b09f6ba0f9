"""A real accessibility audit (issue 29) of the static decks and pages: axe-core (tests/a11y_audit.py) runs in Chromium on

- each static deck (`make slides`, artifacts/slides/), slide by slide as a reader meets them;
- each static HTML page (`make html`, artifacts/html/).

Goal: no serious or critical violation in what the course produces. The counts per page, by impact, go to
artifacts/a11y/report.md (and report.json). Each notebook's outputs in JupyterLab, and its views walked with the
keyboard only, are audited in tests/test_browser.py, in the page where it runs the notebook anyway; the live RISE
slides' keyboard walk is in tests/test_live_slides.py.
"""

from __future__ import annotations

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


@pytest.mark.timeout(1800)  # the first one builds the decks
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_static_deck_has_no_serious_violation(page, axe_source, decks, notebook):
    deck = decks / f"{notebook.stem}.html"
    page.goto(deck.as_uri())
    page.wait_for_function("() => window.Reveal && Reveal.isReady && Reveal.isReady()", timeout=60_000)
    # Slide by slide, as a reader meets them: reveal.js hides the others (hidden, aria-hidden).
    found: dict[str, dict] = {}
    page.evaluate("() => Reveal.configure({transition: 'none', backgroundTransition: 'none'})")  # no half-faded text
    slides = page.evaluate("() => Reveal.getSlides().length")
    for index in range(slides):
        page.evaluate(
            "(i) => { const s = Reveal.getSlides()[i]; Reveal.slide(...Object.values(Reveal.getIndices(s))); }", index
        )
        labpage.next_frames(page)  # the slide shown is laid out and painted
        for v in audit(page, axe_source, {"include": [[".reveal .slides section.present"]]}):
            seen = found.setdefault(v["id"], {**v, "nodes": 0, "targets": []})
            seen["nodes"] += v["nodes"]
            seen["targets"] = (seen["targets"] + [f"slide {index}: {t}" for t in v["targets"]])[:3]
    bad = record(f"deck {notebook.stem}", list(found.values()), slides=slides)
    assert not bad, explain(bad)


@pytest.mark.timeout(1800)  # the first one builds the pages
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_static_html_page_has_no_serious_violation(page, axe_source, pages, notebook):
    page.goto((pages / f"{notebook.stem}.html").as_uri())
    page.wait_for_load_state("load")
    bad = record(f"html {notebook.stem}", audit(page, axe_source))
    assert not bad, explain(bad)
