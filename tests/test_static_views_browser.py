"""`make html` pages and `make slides` decks, opened from file:// in Chromium with no kernel and no network:
every slider view's controls change its picture, no request leaves the page, no console error, each page < 8 MB;
and a view's page decodes no picture it holds again to show it.

Built into temporary folders, once per test process, by the commands `make html` and `make slides` run
(tests/builds.py; the decks with the reveal.js that `make slides` installs); the views' pictures come from one run of each notebook in a kernel, kept in
artifacts/pictures/ (tools/html_export.py).
"""

from __future__ import annotations

import json

import nbformat
import pytest

from helpers import lstm_states_view
from helpers.views.page import static_html
from tests.test_browser import browser  # noqa: F401  (the module's Chromium fixture, shared)
from tools import labpage
from tools.html_export import MAX_BYTES, is_live_view
from tools.labserver import REPO_ROOT

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))
WITH_VIEWS = [p for p in NOTEBOOKS if any(is_live_view(c) for c in nbformat.read(p, as_version=4).cells)]

# Move one control of a static view one step (a range input by the arrow keys, a checkbox by a click, a menu to
# the next option) and back is done by the test; this returns what the page says about the picture afterwards:
# the <img> on show (page.js puts the held picture's own <img> in place of the one there), at once whole.
PICTURE = """el => { const i = el.querySelector('img');
                     return [i.src, i.dataset.key || null, i.style.opacity, i.complete && i.naturalWidth > 0]; }"""
# Whether the view shows the very <img> it showed at the start (a held picture comes back; nothing is loaded anew).
SAME_IMG = "(el, first) => el.querySelector('img') === first"


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
    start, first = view.evaluate(PICTURE), img.element_handle()
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
        assert there[3], f"control {name!r}: the picture on show was not whole at once (not a held picture)"
        assert view.evaluate(PICTURE) == start, f"control {name!r}: moving back did not bring the first picture back"
        assert view.evaluate(SAME_IMG, first), f"control {name!r}: moving back showed another <img>, not the held one"
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


# Put the controls of the (only) static view at the values of a key, as a reader would, one input event.
SET_KEY = """(key) => {
    const inputs = [...document.querySelectorAll('.rnn-static-control input, .rnn-static-control select')];
    inputs.forEach((input, i) => {
        if (input.type === 'checkbox') input.checked = key[i];
        else if (input.tagName === 'SELECT') input.selectedIndex = key[i];
        else input.value = String(key[i]);
    });
    inputs[0].dispatchEvent(new Event('input', {bubbles: true}));
    return new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(document.querySelector('img').dataset.key))));
}"""


@pytest.mark.timeout(300)
def test_showing_a_held_picture_decodes_it_no_more(browser, tmp_path):  # noqa: F811
    """A view's page decodes each picture it holds once, when it takes it; showing it costs no decoding (issue 27).

    Chromium's trace counts its image decodes from the page's start while every held picture goes on show, each
    painted: at most one per picture. Before, the page fetches its pictures' data: URLs once more (as a download
    or a copy to a blob: URL would): Chromium's memory cache then no longer leads a URL to the held, decoded
    image, so that setting the src of the <img> on show to a held picture's URL, as page.js did, decoded every
    picture but the first again on its first show (23 decodes for 12 pictures; so did a clone of the held
    <img>, in a standalone experiment).
    """
    state = lstm_states_view().static_state()
    pictures = list(state["pictures"])
    assert len(pictures) == 12
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    trace = tmp_path / "trace.json"
    browser.start_tracing(page=page, path=str(trace), categories=["disabled-by-default-devtools.timeline"])
    try:
        page.set_content(f"<html><body>{static_html(state)}</body></html>")
        page.evaluate(
            "(urls) => Promise.all(urls.map(u => fetch(u).then(r => r.blob())))", list(state["pictures"].values())
        )
        shown = [page.evaluate(SET_KEY, json.loads(key)) for key in pictures]
    finally:
        browser.stop_tracing()
        context.close()
    assert shown == pictures, "the view did not show each picture it holds"
    events = json.loads(trace.read_text())
    events = events["traceEvents"] if isinstance(events, dict) else events
    decodes = [e for e in events if e.get("name") == "Decode Image"]
    assert decodes, "the trace shows no image decoding at all (no picture decoded, or the trace changed its names)"
    assert len(decodes) <= len(pictures), f"{len(decodes)} image decodes for {len(pictures)} pictures"
