"""The page side of a slider view: the page holds the pictures, by the controls' values (page.js does the swapping).

A key names one setting of a view's controls the way the page sees it: a JSON list of each control's value, a
menu's index instead of its value (the page's copy of a menu holds the index). The kernel sends pictures by key;
the page shows the picture for the current key as soon as a control moves, and the kernel only learns the values.

A static page (`make html`, `make slides`) embeds a view's pictures: all of them when they fit STATIC_BUDGET
bytes, else a subset that fits (subset_settings), and the page says which.
"""

from __future__ import annotations

import html
import itertools
import json
import math
import uuid
from collections.abc import Callable
from pathlib import Path

import anywidget
import ipywidgets as widgets
import traitlets

PAGE_JS = Path(__file__).with_name("page.js")
# A view with at most this many settings sends every picture to the page (drawn while the kernel is idle);
# a larger one sends the current picture and those one step away.
ALL_AT_ONCE = 64
# A static page embeds every picture of a view whose pictures fit in this many bytes (as data: URLs, estimated
# from the first), else a stated subset: each notebook's page stays well under 8 MB.
STATIC_BUDGET = 5_000_000


def is_menu(control) -> bool:
    """Dropdowns, toggle buttons and selection sliders: the page's copy holds their index, not their value."""
    return hasattr(control, "options") and hasattr(control, "index")


def option_values(control) -> list:
    """The values a selection control can take, in order (a dropdown's options may be (label, value) pairs)."""
    return list(getattr(control, "_options_values", None) or control.options)


def domain(control) -> list:
    """Every value a control can take now, in order; [its value] if it cannot move."""
    if isinstance(control.value, bool):
        return [False, True]
    if is_menu(control):
        return option_values(control)
    if all(hasattr(control, a) for a in ("min", "max", "step")) and control.step:
        count = int(round((control.max - control.min) / control.step)) + 1
        return [control.min + i * control.step for i in range(count)]
    return [control.value]


def key_of(controls: dict, values: dict) -> str:
    """The page's key for these values of these controls (JSON, as the page's JSON.stringify writes it)."""
    parts = [
        option_values(control).index(values[name]) if is_menu(control) else values[name]
        for name, control in controls.items()
    ]
    return json.dumps(parts, separators=(",", ":"))


def every_setting(controls: dict) -> list[dict]:
    """Every combination of the controls' values, the first control slowest."""
    names = list(controls)
    return [dict(zip(names, combo)) for combo in itertools.product(*(domain(c) for c in controls.values()))]


def setting_count(controls: dict) -> int:
    """How many settings the controls have."""
    return math.prod(len(domain(c)) for c in controls.values())


def star_settings(controls: dict, start: dict) -> list[dict]:
    """Every value of each control with the others at their starting values (the start first)."""
    found = [dict(start)]
    for name, control in controls.items():
        found += [{**start, name: v} for v in domain(control) if v != start[name]]
    return found


class PagePictures(anywidget.AnyWidget):
    """The picture of a slider view, on the page's side: page.js keeps the pictures and listens to the controls.

    `controls` are the view's control widgets (linked in the page by their model ids), `kinds` which trait of
    each the page reads ("value", or "index" for a menu), `start` the first picture and its key. The kernel sends
    more with `offer`; a page that opens says hello, and `on_hello` is called then.
    """

    _esm = PAGE_JS
    # A keyboard user sees where the focus is: ipywidgets' slider handle shows none of its own (issue 29).
    _css = (
        ".widget-slider .noUi-handle:focus, .widget-slider .noUi-handle:focus-visible,"
        " .widget-readout:focus, .widget-dropdown select:focus, .widget-checkbox input:focus,"
        " .widget-toggle-button:focus"
        " { outline: 3px solid #1a5fb4 !important; outline-offset: 2px; }"
    )
    controls = traitlets.List(traitlets.Instance(widgets.Widget)).tag(sync=True, **widgets.widget_serialization)
    kinds = traitlets.List(traitlets.Unicode()).tag(sync=True)
    start = traitlets.Dict().tag(sync=True)
    alt = traitlets.Unicode("").tag(sync=True)
    uid = traitlets.Unicode("").tag(sync=True)

    def __init__(self, controls: dict, alt: str = ""):
        super().__init__(
            controls=list(controls.values()),
            kinds=["index" if is_menu(c) else "value" for c in controls.values()],
            alt=alt,
            uid=uuid.uuid4().hex,
        )
        self.sent: set[str] = set()  # keys sent to the pages since the last hello
        self.on_hello = None
        self.on_msg(self._received)

    def offer(self, pictures: dict[str, str]) -> None:
        """Send the pages these pictures (key -> data: URL) that they have not been sent yet."""
        new = {key: url for key, url in pictures.items() if key not in self.sent}
        if new:
            self.sent.update(new)
            self.send({"pictures": new})

    def _received(self, _widget, content, _buffers) -> None:
        if isinstance(content, dict) and content.get("hello") and self.on_hello is not None:
            self.sent.clear()  # a new page has nothing: what it needs is sent again
            self.on_hello()


# --- static pages -------------------------------------------------------------------------------------------


def control_spec(name: str, control) -> dict:
    """What a static page needs to draw one control as a plain input."""
    label = getattr(control, "description", "") or name
    if isinstance(control.value, bool):
        return {"name": name, "kind": "checkbox", "label": label, "value": control.value}
    if is_menu(control):
        labels = list(getattr(control, "_options_labels", None) or map(str, option_values(control)))
        return {"name": name, "kind": "select", "label": label, "options": labels, "value": control.index}
    values = domain(control)
    return {
        "name": name,
        "kind": "range",
        "label": label,
        "min": values[0],
        "max": values[-1],
        "step": getattr(control, "step", 1),
        "value": control.value,
    }


def subset_settings(controls: dict, start: dict, fits: Callable[[int], bool]) -> tuple[list[dict], list[str]]:
    """The settings a static page embeds, and the controls it holds every combination of.

    Every setting if that fits; else every combination of the first controls (as many as fit) with the others at
    their starting values, plus every value of each other control with the rest at their starting values.
    """
    names, star = list(controls), star_settings(controls, start)
    for k in range(len(names), 1, -1):
        free = names[:k]
        grid = [
            {**start, **dict(zip(free, combo))} for combo in itertools.product(*(domain(controls[n]) for n in free))
        ]
        settings = grid + [values for values in star if values not in grid]
        if fits(len(settings)):
            return settings, free
    return star, names[:1]


def static_note(embedded: int, total: int, controls: dict, start: dict, free: list[str]) -> str:
    """What a static page says about the pictures it holds."""
    if embedded >= total:
        return f"Works without Python: this page holds all {total} pictures of this view."
    fixed = [name for name in controls if name not in free]
    at = ", ".join(f"{name}={start[name]}" for name in fixed)
    combos = f"every combination of {', '.join(free)} with {at}, and " if len(free) > 1 else ""
    return (
        f"Works without Python, for some settings: this page holds {embedded} of the view's {total} pictures: "
        f"{combos}every value of one control with the others at their starting values "
        f"({', '.join(f'{name}={start[name]}' for name in controls)}). "
        "Run the notebook for every combination."
    )


STATIC_CSS = (
    ".rnn-static-control{display:inline-block;margin:0 1.5em 0.3em 0}"
    ".rnn-static-control output{display:inline-block;min-width:1.5em}"
    ".rnn-static-note{font-style:italic}"
)


def static_html(state: dict) -> str:
    """An HTML fragment that shows a view from `state` (see SliderView.static_state), with page.js inlined."""
    source = PAGE_JS.read_text().replace("export default { render };", "")
    element = f"rnn-view-{state['uid']}"
    data = json.dumps(state, separators=(",", ":")).replace("</", "<\\/")
    return (
        f"<style>{STATIC_CSS}</style>"
        f'<div class="rnn-static-view" id="{element}">'
        f'<p class="rnn-static-note">{html.escape(state["note"])}</p></div>\n'
        f"<script>(() => {{\n{source}\nrenderStatic(document.getElementById({json.dumps(element)}), {data});\n}})();"
        "</script>"
    )
