"""`make html` pages and `make slides` decks, opened from file:// in Chromium with no kernel and no network:
every slider view's controls change its picture, no request leaves the page, no console error, each page < 8 MB.

Built into temporary folders, once per test process, by the commands `make html` and `make slides` run
(tests/builds.py; the decks with the reveal.js that `make slides` installs); the views' pictures come from one run of each notebook in a kernel, kept in
artifacts/pictures/ (tools/html_export.py).
"""

from __future__ import annotations

import nbformat
import pytest

from tests.test_browser import browser  # noqa: F401  (the module's Chromium fixture, shared)
from tools import labpage
from tools.html_export import MAX_BYTES, is_live_view
from tools.labserver import REPO_ROOT

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))
WITH_VIEWS = [p for p in NOTEBOOKS if any(is_live_view(c) for c in nbformat.read(p, as_version=4).cells)]

# Move one control of a static view one step (a range input by the arrow keys, a checkbox by a click, a menu to
# the next option) and back is done by the test; this returns what the page says about the picture afterwards.
PICTURE = "el => { const i = el.querySelector('img'); return [i.src, i.dataset.key || null, i.style.opacity]; }"


@pytest.fixture(scope="module")
def pages(built_pages):
    """`make html`'s pages (tests/builds.py: built once per test process)."""
    return built_pages


@pytest.fixture(scope="module")
def decks(built_decks):
    """`make slides`'s decks, with the reveal.js `make slides` installs (tests/builds.py)."""
    return built_decks


def open_offline(browser, url: str):  # noqa: F811
    """A page with no network, its console and requests recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, offline=True)
    page = context.new_page()
    log = labpage.ConsoleLog().attach(page)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url)
    return context, page, log, requests


def move_and_back(page, view) -> list[str]:
    """Move each control of a static view one step from the starting values and back; the controls moved.

    Each move must show another picture (the page holds every value of one control at the others' starting
    values), and moving back the first picture again.
    """
    img = view.locator("img")
    start = view.evaluate(PICTURE)
    assert start[1] is not None and start[2] == "1", f"the view shows no picture at its starting values: {start[1:]}"
    moved = []
    for label in view.locator(".rnn-static-control").all():
        control = label.locator("input, select")
        name = label.inner_text().strip()
        kind = control.evaluate("el => el.type")
        if kind == "range":
            at_top = control.evaluate("el => Number(el.value) >= Number(el.max)")
            control.focus()
            page.keyboard.press("ArrowLeft" if at_top else "ArrowRight")
            there = view.evaluate(PICTURE)
            page.keyboard.press("ArrowRight" if at_top else "ArrowLeft")
        elif kind == "checkbox":
            control.click()
            there = view.evaluate(PICTURE)
            control.click()
        else:
            index, count = control.evaluate("el => [el.selectedIndex, el.options.length]")
            control.select_option(index=index + 1 if index + 1 < count else index - 1)
            there = view.evaluate(PICTURE)
            control.select_option(index=index)
        assert there[2] == "1", f"control {name!r}: the page has no picture one step from the start"
        assert there[0] != start[0] and there[1] != start[1], f"control {name!r}: the picture did not change"
        assert view.evaluate(PICTURE) == start, f"control {name!r}: moving back did not bring the first picture back"
        moved.append(name)
    assert img.evaluate("i => i.complete && i.naturalWidth > 0")
    return moved


@pytest.mark.timeout(1800)
@pytest.mark.parametrize("notebook", WITH_VIEWS, ids=[p.name for p in WITH_VIEWS])
def test_static_page_sliders_work_from_a_file(pages, browser, notebook):  # noqa: F811
    path = pages / f"{notebook.stem}.html"
    assert path.stat().st_size < MAX_BYTES, f"{path.name} is {path.stat().st_size / 1e6:.1f} MB"
    context, page, log, requests = open_offline(browser, path.as_uri())
    try:
        views = page.locator(".rnn-static-view").all()
        expected = sum(is_live_view(c) for c in nbformat.read(notebook, as_version=4).cells)
        assert len(views) == expected, f"{len(views)} static views on the page, the notebook has {expected}"
        for view in views:
            assert view.locator(".rnn-static-note").inner_text().startswith("Works without Python")
            assert move_and_back(page, view)
    finally:
        context.close()
    remote = [url for url in requests if not url.startswith(("file://", "data:"))]
    assert not remote, f"the page asked the network for: {remote}"
    assert not log.errors, "console errors:\n" + "\n".join(log.errors)


@pytest.mark.timeout(1800)
@pytest.mark.parametrize("notebook", WITH_VIEWS, ids=[p.name for p in WITH_VIEWS])
def test_deck_sliders_work_from_a_file(decks, browser, notebook):  # noqa: F811
    context, page, log, requests = open_offline(browser, (decks / f"{notebook.stem}.html").as_uri())
    try:
        page.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=30_000)
        views = page.locator(".rnn-static-view").all()
        assert views, "the deck carries no slider view"
        for view in views:
            page.evaluate(
                "el => { const i = Reveal.getIndices(el.closest('section')); Reveal.slide(i.h, i.v); }",
                view.element_handle(),
            )
            assert move_and_back(page, view)
    finally:
        context.close()
    remote = [url for url in requests if not url.startswith(("file://", "data:"))]
    assert not remote, f"the deck asked the network for: {remote}"
    assert not log.errors, "console errors:\n" + "\n".join(log.errors)
