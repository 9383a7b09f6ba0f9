"""make bench's probe in Chromium, on a small page shaped like a slider view (no JupyterLab, no kernel).

The page's slider answers arrow keys as a view would, in one of several ways: it shows the new value's picture at
once, late, never, or shows another value's picture. (b) must count only the first two, time the late one as late,
and count the others as failures, not as fast presses.
"""

import base64
import io

import pytest
from PIL import Image

from tests.builds import need
from tools import bench, labpage


@pytest.fixture(scope="module")
def browser():
    yield from labpage.chromium_for_tests(need)


def png_url(colour: str) -> str:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), colour).save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


# The shape bench.py looks for: a widget output (WIDGET_VIEW), a noUiSlider handle and page.js's <img>. As page.js
# does, the page holds each picture as its own decoded <img> and puts it in place of the one on show, passing on
# the attributes (make bench's elementtiming among them); mode 'src set' sets the src of the <img> on show instead.
PAGE = """<div class="jp-OutputArea-output"><div class="jupyter-widgets">
  <div class="noUi-target"><div class="noUi-handle" tabindex="0" aria-valuemin="0" aria-valuemax="3"
       aria-valuenow="0"></div></div>
  <div class="holder"></div>
</div></div>
<script>
  const urls = PICTURES, pictures = urls.map((url) => { const i = new Image(); i.src = url; i.decode(); return i; });
  const handle = document.querySelector('.noUi-handle');
  pictures[0].dataset.key = '[0]';
  document.querySelector('.holder').append(pictures[0]);
  window.mode = 'at once';
  const show = (value) => {
    const shown = document.querySelector('.holder img');
    if (window.mode === 'src set') {
      shown.dataset.key = JSON.stringify([value]);
      shown.src = urls[value];
      return;
    }
    const next = pictures[value];
    if (next === shown) return;
    for (const name of shown.getAttributeNames()) if (name !== 'src') next.setAttribute(name, shown.getAttribute(name));
    next.dataset.key = JSON.stringify([value]);
    next.dataset.from = 'page';
    shown.replaceWith(next);
  };
  handle.addEventListener('keydown', (e) => {
    let value = Number(handle.getAttribute('aria-valuenow'));
    value += e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    value = Math.max(0, Math.min(3, value));
    handle.setAttribute('aria-valuenow', String(value));
    if (window.mode === 'at once' || window.mode === 'src set') show(value);
    else if (window.mode === 'late') setTimeout(() => show(value), 300);
    else if (window.mode === 'other values') show(3 - value === value ? 0 : 3 - value);
  });
</script>"""


@pytest.fixture
def page(browser):
    pictures = [png_url(c) for c in ("red", "green", "blue", "black")]
    context = browser.new_context()
    page = context.new_page()
    page.set_content(PAGE.replace("PICTURES", repr(pictures)))
    yield page
    context.close()


def press(page, mode: str, presses: int, monkeypatch) -> dict:
    monkeypatch.setattr(bench, "NEVER_CHANGED_S", 1.0)
    page.evaluate("(mode) => { window.mode = mode; }", mode)
    handle = page.locator(".noUi-handle")
    return bench.press_in_rhythm(page, [handle], presses, gap_s=0.0)


@pytest.mark.parametrize("mode", ["at once", "src set"])
def test_presses_that_show_the_new_picture_are_timed(page, monkeypatch, mode):
    # one slider, right then left: the pictures of 0 and 1 go on show again and again
    b = press(page, mode, 6, monkeypatch)
    assert (b["n"], b["never_changed"], b["wrong_picture"], b["slider_did_not_move"]) == (6, 0, 0, 0)
    assert b["from_page_memory"] == (6 if mode == "at once" else 0)  # the fake page's src set says no origin
    assert 0 < b["median"] < 1000
    # Chromium's Element Timing saw each new picture painted, no earlier than it was put on show, also an <img>
    # put back in the page
    assert b["painted"]["n"] == 6
    assert all(0 < painted < 1000 for painted in b["painted_samples"])


def test_a_late_picture_is_timed_late(page, monkeypatch):
    b = press(page, "late", 3, monkeypatch)
    assert b["n"] == 3 and b["never_changed"] == 0
    assert min(b["samples"]) >= 300
    assert b["painted"]["n"] == 3 and min(b["painted_samples"]) >= 300


def test_presses_whose_picture_never_changes_are_counted_not_timed(page, monkeypatch):
    b = press(page, "never", 2, monkeypatch)
    assert (b["n"], b["never_changed"], b["samples"]) == (0, 2, [])
    assert bench.press_row("fake view", b, None).endswith("| NO |")


def test_presses_that_show_another_values_picture_are_counted_not_timed(page, monkeypatch):
    b = press(page, "other values", 3, monkeypatch)
    assert b["n"] == 0 and b["wrong_picture"] == 3
