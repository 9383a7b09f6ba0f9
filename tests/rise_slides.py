"""Live RISE slides (/rise/<path>) in Chromium, as a teacher shows them: the notebook, run and saved in JupyterLab,
opened as slides (the slides page joins the same kernel, so the views come back live), and walked with Space from
the first slide to the last; on each slide no error, each live view fits and redraws, and every control works with
the keyboard only without turning the slide (issue 29).

The walk is run by tests/test_browser.py (test_live_slides), in the page where it has run the notebook in JupyterLab;
tests/test_live_slides.py checks the parts here that need no browser. Screenshots and console logs go to
artifacts/live-slides/.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests import keyboard
from tools import labpage
from tools.labserver import ARTIFACTS

SHOTS = ARTIFACTS / "live-slides"
SLIDE_SIZE = {"width": 1280, "height": 720}
# RISE's page, as reveal.js lays it out: one <section> per slide, one nested <section> per (sub)slide.
SUBSLIDES = ".reveal .slides > section > section"
PRESENT = ".reveal .slides > section.present > section.present"
# Two console errors come with RISE 0.43.1 itself, with or without widgets, and change nothing on screen:
# - its bundled @jupyter/web-components loops on a design token at start-up (a RangeError, caught and logged);
# - it always asks for a stylesheet named after the notebook (NN_name.css), which the course does not have
#   (it does have notebooks/rise.css, the other one RISE asks for).
KNOWN_RISE_ERRORS = [
    re.compile(r"^\[error\] RangeError: Maximum call stack size exceeded .*\(http://127\.0\.0\.1:\d+/static/rise/"),
    re.compile(r"^\[error\] Refused to apply style from 'http://127\.0\.0\.1:\d+/files/notebooks/\d\d_\w+\.css'"),
]


def unexpected_errors(errors: list[str]) -> list[str]:
    """Console errors other than the two that RISE 0.43.1 always logs."""
    return [e for e in errors if not any(known.search(e) for known in KNOWN_RISE_ERRORS)]


def leaves_loopback(url: str, base_url: str) -> bool:
    """Whether a request goes anywhere but the private server (blob: and data: URLs stay in the page)."""
    return not url.startswith((base_url + "/", "blob:", "data:"))


def open_slides(page, lab, served: str, views: int) -> None:
    """Open /rise/<path> (the same kernel) and wait for reveal.js and every live view."""
    page.goto(f"{lab.base_url}/rise/{served}?token={lab.token}")
    page.wait_for_selector(PRESENT, state="attached", timeout=120_000)
    try:
        labpage.wait_widgets_settled(page, views)
    except Exception as error:  # say why: without the console-share extension the widget manager never loads
        errors = "\n".join(unexpected_errors(page.console_log.errors))
        markers = (labpage.PLACEHOLDER, labpage.WIDGET_LOADING, labpage.WIDGET_ERROR)
        shown = "\n".join(f"  - {text[:120]!r}" for m in markers for text in labpage.outputs_containing(page, m))
        raise AssertionError(
            f"the {views} live views did not render on the slides: {error}\n"
            f"what the slides show where the views belong:\n{shown}\nconsole errors:\n{errors}"
        ) from None
    assert not labpage.outputs_containing(page, labpage.WIDGET_ERROR)


def slide_state(page) -> list:
    """(id of the present subslide, how many of its fragments are shown)."""
    return page.evaluate(
        """(sel) => { const s = document.querySelector(sel);
                      return s ? [s.id, s.querySelectorAll('.fragment.visible').length] : [null, 0]; }""",
        PRESENT,
    )


def walk_slides(page, notebook: Path) -> int:
    """Press Space from the first slide to the last; check each slide; returns how many live views were moved."""
    ids = page.locator(SUBSLIDES).evaluate_all("els => els.map(e => e.id)")
    assert ids, "RISE made no slides"
    state, seen, checked = slide_state(page), [], 0
    assert state[0] == ids[0], f"the slides open on {state[0]}, not on the first slide {ids[0]}"
    for _ in range(4 * len(ids) + 50):
        if state[0] not in seen:
            seen.append(state[0])
            checked += check_slide(page, notebook, state[0])
        if state[0] == ids[-1] and not page.locator(f"{PRESENT} .fragment:not(.visible)").count():
            break  # the last slide with all of it shown: Space has nowhere to go (no 3 s wait to learn it)
        page.keyboard.press("Space")
        try:
            page.wait_for_function(
                "([sel, old]) => { const s = document.querySelector(sel);"
                " return s && JSON.stringify([s.id, s.querySelectorAll('.fragment.visible').length]) !== old; }",
                arg=[PRESENT, str(state).replace("'", '"').replace("None", "null")],
                timeout=3000,
                polling=50,
            )
        except Exception:  # Space changed nothing: the last slide
            break
        state = slide_state(page)
    assert seen == ids, f"Space visited {seen}, the slides are {ids}"
    return checked


def check_slide(page, notebook: Path, slide_id: str) -> int:
    """No error output on the present slide; each live view on it fits 1280x720 and redraws. Returns views moved."""
    slide = page.locator(f"{PRESENT}")
    labpage.next_frames(page)  # layout settles (the slides have no transition: jupyter/overrides.json)
    errors = slide.locator(labpage.ERROR_OUTPUT).all_inner_texts()
    assert not errors, f"slide {slide_id} shows errors or stderr:\n" + "\n---\n".join(errors)
    broken = slide.locator(".jp-OutputArea-output", has_text=labpage.WIDGET_ERROR).all_inner_texts()
    assert not broken, f"slide {slide_id} shows a broken widget: {broken}"
    moved = 0
    for view in slide.locator(labpage.WIDGET_VIEW).all():
        page.screenshot(path=SHOTS / f"{notebook.stem}--{slide_id}.png")
        check_fits(view, slide_id)
        labpage.wait_pictures_settled(view.locator("img").first)  # the kernel has sent what it draws ahead
        check_keyboard_only(page, view, slide_id)
        check_slider_redraws(page, view, slide_id)
        moved += 1
    return moved


def check_fits(view, slide_id: str) -> None:
    """The whole view (controls and picture) is inside the 1280x720 viewport."""
    box = view.bounding_box()
    assert box is not None, f"slide {slide_id}: the live view is not displayed"
    right, bottom = box["x"] + box["width"], box["y"] + box["height"]
    inside = box["x"] >= 0 and box["y"] >= 0 and right <= SLIDE_SIZE["width"] and bottom <= SLIDE_SIZE["height"]
    assert inside, f"slide {slide_id}: the live view spans x {box['x']:.0f}-{right:.0f}, y {box['y']:.0f}-{bottom:.0f}"


def check_keyboard_only(page, view, slide_id: str) -> None:
    """With the keyboard only (issue 29): Tab reaches every control of the view, each moves with its keys (a
    checkbox with Space) with a visible focus and the picture follows, and no key turns the slide."""
    shown = slide_state(page)
    turned: list[str] = []

    def same_slide(key: str, control: str) -> None:
        now = slide_state(page)
        if now != shown:
            turned.append(f"{key!r} on {control} turned the slide from {shown} to {now}")

    reached, expected, problems = keyboard.keyboard_only(page, view, keyboard.view_index(view), same_slide, stay=True)
    same_slide("Tab", "the view")
    found = len(keyboard.reached_controls(reached))
    assert found == expected, f"slide {slide_id}: Tab reached {found} of {expected} controls: {reached}"
    assert not problems + turned, f"slide {slide_id}: {problems + turned}"


def check_slider_redraws(page, view, slide_id: str) -> None:
    """The first slider, moved one step with the keyboard, changes the picture and leaves the slide in place."""
    img = view.locator("img").first
    handle = view.locator(labpage.SLIDER_HANDLE).first
    assert handle.count() == 1, f"slide {slide_id}: the live view has no slider"
    before_state, old_src = slide_state(page), labpage.image_src(img)
    before, after = labpage.move_control(page, "slider", handle)
    assert after != before, f"slide {slide_id}: the arrow key left the slider at {before}"
    try:
        labpage.wait_image_replaced(img, old_src)
    except Exception as error:
        raise AssertionError(f"slide {slide_id}: moving the slider did not redraw the picture: {error}") from None
    assert slide_state(page)[0] == before_state[0], f"slide {slide_id}: the arrow key also changed the slide"
    # The slider keeps the focus: the walk's next Space must still move on, as it does for a teacher.
