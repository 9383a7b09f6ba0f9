"""Keyboard only, in a browser page: Tab into a live view, move each control it reaches with its keys (issue 29).

Shared by the keyboard test in JupyterLab (tests/test_browser.py) and the live RISE slides (tests/rise_slides.py).
A control moves when its value changes while the focus stays on it (a key that sends the focus elsewhere, as
JupyterLab's command mode does with ArrowDown on a control that keeps no arrow key, moves nothing), and the
view's picture follows.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from tools import labpage

# A view's controls: what a keyboard user can reach in it (inputs, menus, buttons, slider handles). Each is marked
# with its number in the view (data-keyboard-control); a group of toggle buttons is one control, one choice.
# (A control disabled at the start is not reachable, rightly.)
CONTROLS = (
    "input:not([disabled]), select:not([disabled]), button:not([disabled]), textarea:not([disabled]),"
    " [tabindex]:not([tabindex='-1'])"
)
MARK_CONTROLS = """(view, selector) => {
    const groups = new Map();
    let count = 0;
    return [...view.querySelectorAll(selector)].map((e) => {
        const group = e.closest('.widget-toggle-buttons');
        if (group && !groups.has(group)) groups.set(group, count++);
        e.dataset.keyboardControl = group ? groups.get(group) : count++;
        return e.dataset.keyboardControl + ': ' + e.tagName + '.' + e.className + '/' + (e.type || '');
    });
}"""
# Where the focus is: the element, its view (index among the page's widget views), its control's number, the
# control's value (a toggle group's chosen button) and whether the focus shows (an outline or a shadow).
FOCUS_STATE = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) return null;
    const s = getComputedStyle(e);
    const view = e.closest('.jp-OutputArea-output');
    const views = [...document.querySelectorAll(VIEW_SELECTOR)];
    const group = e.closest('.widget-toggle-buttons');
    const value = group ? String([...group.querySelectorAll('button')].findIndex(b => b.classList.contains('mod-active')))
        : e.getAttribute('aria-valuenow') ?? (e.type === 'checkbox' ? String(e.checked) : e.value ?? '');
    return {tag: e.tagName, type: e.type || '', cls: String(e.className), view: views.indexOf(view),
            control: e.dataset.keyboardControl ?? null, value,
            outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0,
            shadow: s.boxShadow !== 'none'};
}""".replace("VIEW_SELECTOR", json.dumps(labpage.WIDGET_VIEW))
# A checkbox is moved with Space; everything else with the arrow keys (the first that changes its value).
ARROWS = ("ArrowRight", "ArrowDown", "ArrowLeft")


def view_index(view) -> int:
    """The view's index among the page's widget views (what FOCUS_STATE calls `view`)."""
    return view.evaluate("(v, sel) => [...document.querySelectorAll(sel)].indexOf(v)", labpage.WIDGET_VIEW)


def press_until_moved(
    page, state: dict, index: int, after_key: Callable[[str, str], None] | None = None
) -> tuple[bool, str]:
    """Press the focused control's keys until its value changes; (moved, what went wrong)."""
    for key in (" ",) if state["type"] == "checkbox" else ARROWS:
        page.keyboard.press(key)
        if after_key is not None:
            after_key(key, f"{state['tag']}.{state['cls']}")
        after = page.evaluate(FOCUS_STATE)
        if after is None or after["view"] != index or after["control"] != state["control"]:
            return False, f"{key!r} sent the focus away from it, to {after}"
        if after["value"] != state["value"]:
            return True, ""
    return False, "it did not move with the keyboard"


def keyboard_only(
    page, view, index: int, after_key: Callable[[str, str], None] | None = None, stay: bool = False
) -> tuple[list[dict], int, list[str]]:
    """Tab into the view, move each control it reaches by keyboard; what was reached, how many controls, problems.

    `after_key(key, control)` is called after each key pressed on a control (a slide test checks the slide there).
    With `stay`, Tab stops once every control has been reached and moved: on slides, the Tab that leaves the view
    takes the focus to the next slide's first link, and reveal.js turns the slide to show it.
    """
    names = view.evaluate(MARK_CONTROLS, CONTROLS)
    expected = len({name.split(":")[0] for name in names})
    assert expected >= 1, "the view has no control"
    # Start just before the view's first control (focus put on the view itself, which Tab then leaves).
    view.evaluate("(e) => { e.setAttribute('tabindex', '-1'); e.focus(); }")
    reached, problems = [], []
    img = view.locator("img").first
    for _ in range(60):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS_STATE)
        if state is None or state["view"] != index:
            if reached:
                break
            continue
        reached.append(state)
        name = f"{state['tag']}.{state['cls']}"
        if not (state["outline"] or state["shadow"]):
            problems.append(f"no visible focus on {name}")
        if "widget-readout" in state["cls"]:  # a slider's typed-in readout: reached and visible, typed not arrowed
            continue
        if state["control"] is None:
            problems.append(f"Tab reached {name}, which is not one of the view's controls")
            continue
        before = labpage.image_src(img)
        moved, trouble = press_until_moved(page, state, index, after_key)
        if not moved:
            problems.append(f"{name}: {trouble}")
            if "focus away" in trouble:
                break  # Tab would go on from wherever the focus went
            continue
        try:
            labpage.wait_image_replaced(img, before, timeout=30)
        except Exception as error:  # noqa: BLE001 - say which control, then fail below
            problems.append(f"the picture did not follow {name}: {error}")
        if stay and len(reached_controls(reached)) == expected:
            break
    if len(reached_controls(reached)) != expected:
        problems.append(f"controls in the view: {names}")
    return reached, expected, problems


def reached_controls(reached: list[dict]) -> set[str]:
    """The controls (by number) that Tab reached; a toggle group's buttons are one."""
    return {r["control"] for r in reached if r["control"] is not None}
