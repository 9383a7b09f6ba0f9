"""`make slides` decks open offline from file:// in Chromium: no network request, no console error, every slide,
and no code or output block wider than its 1280x720 slide.

Built into artifacts/slides/ (git-ignored) with the reveal.js that `make slides` installs from npm.
"""

from __future__ import annotations

import nbformat
import pytest

from tests.builds import need
from tools import labpage
from tools.deck import slide_count
from tools.labserver import REPO_ROOT

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="module")
def decks(built_decks):
    """`make slides`'s decks (tests/builds.py: run once per test run; it installs reveal.js from npm the first time,
    and runs each notebook once in a kernel for its views' pictures, tools/html_export.py, kept in
    artifacts/pictures/)."""
    return built_decks


@pytest.fixture(scope="module")
def browser():
    yield from labpage.chromium_for_tests(need)


@pytest.mark.timeout(1800)  # the first one waits for `make slides`
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_deck_opens_offline_with_every_slide(decks, browser, notebook):
    deck = decks / f"{notebook.stem}.html"
    assert deck.exists(), f"`make slides` wrote no {deck.name}"
    context = browser.new_context(viewport={"width": 1280, "height": 720}, offline=True)
    page = context.new_page()
    log = labpage.ConsoleLog().attach(page)
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.goto(deck.as_uri())
        page.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=30_000)
        page.screenshot(path=decks / f"{notebook.stem}--first.png")
        total = page.evaluate("() => Reveal.getTotalSlides()")
        expected = slide_count(nbformat.read(notebook, as_version=4))
        assert total == expected, f"the deck has {total} slides, the notebook's metadata says {expected}"
        images = page.evaluate("() => [...document.images].map(i => i.complete && i.naturalWidth > 0)")
        assert all(images), f"images that did not load: {images}"
        page.evaluate("() => Reveal.slide(Reveal.getTotalSlides() - 1)")
        page.screenshot(path=decks / f"{notebook.stem}--last.png")
    finally:
        log.write(decks / f"{notebook.stem}--console.log")
        context.close()
    remote = [url for url in requests if not url.startswith(("file://", "data:"))]
    assert not remote, f"the deck asked the network for: {remote}"
    assert not log.errors, "console errors:\n" + "\n".join(log.errors)


# Every block a slide shows (code, outputs, tables), slide by slide: a block is cut when its content is wider
# than its box (scrollWidth) or its box runs past the slide's left or right edge. The notes are not on the slide.
WIDE_BLOCKS = r"""() => {
  const wide = [];
  for (const slide of Reveal.getSlides()) {
    const at = Reveal.getIndices(slide);
    Reveal.slide(at.h, at.v);
    const edge = slide.getBoundingClientRect();
    for (const block of slide.querySelectorAll("pre, .jp-OutputArea-output, .jp-InputArea-editor, table, img")) {
      if (block.closest("aside.notes")) continue;
      const box = block.getBoundingClientRect();
      if (block.scrollWidth > block.clientWidth + 1 || box.right > edge.right + 1 || box.left < edge.left - 1) {
        const text = (block.textContent || block.getAttribute("src") || "").trim().slice(0, 60);
        wide.push(`slide ${at.h}.${at.v || 0}: <${block.tagName.toLowerCase()}> ${block.scrollWidth}px "${text}"`);
      }
    }
  }
  return wide;
}"""


@pytest.mark.timeout(300)
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_no_block_is_wider_than_its_slide(decks, browser, notebook):
    context = browser.new_context(viewport={"width": 1280, "height": 720}, offline=True)
    page = context.new_page()
    try:
        page.goto((decks / f"{notebook.stem}.html").as_uri())
        page.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=30_000)
        wide = page.evaluate(WIDE_BLOCKS)
    finally:
        context.close()
    assert not wide, f"{len(wide)} blocks run past their slide's edge:\n" + "\n".join(wide)


def test_the_width_check_finds_a_block_wider_than_its_slide(browser, tmp_path):
    """The check above can fail: a 3000-pixel line in a deck without the course's CSS is reported."""
    deck = tmp_path / "wide.html"
    deck.write_text(
        "<div class='reveal' style='width:1280px;height:720px'><div class='slides'><section>"
        "<pre style='white-space:pre'>" + "x" * 400 + "</pre></section></div></div>"
        "<script>window.Reveal = {getSlides: () => [...document.querySelectorAll('section')],"
        " getIndices: () => ({h: 0, v: 0}), slide: () => {}};</script>",
        encoding="utf-8",
    )
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        page.goto(deck.as_uri())
        wide = page.evaluate(WIDE_BLOCKS)
    finally:
        page.close()
    assert len(wide) == 1 and "<pre>" in wide[0], wide
