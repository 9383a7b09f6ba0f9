"""The page holds each slider view's pictures: keys as the page writes them, what the kernel sends and when,
and the static views of `make html` and `make slides` (the right pictures, a stated subset when too many)."""

from __future__ import annotations

import asyncio
import base64
import io

import ipywidgets
import nbformat
import numpy as np
import pytest
from PIL import Image

from helpers import cheat_sheet_view, grid_view, lstm_states_view, output_vs_h_n_view, shapes_view, steps_read_view
from helpers.views.page import (
    ALL_AT_ONCE,
    PAGE_JS,
    domain,
    every_setting,
    key_of,
    setting_count,
    star_settings,
    static_html,
)
from tools.execute_notebooks import PLACEHOLDER

BUILDERS = {  # a view of each kind, with a notebook's settings
    "grid": lambda: grid_view(num_layers=3, seq_len=5, batch_first=False),
    "output_vs_h_n": lambda: output_vs_h_n_view(num_layers=2, seq_len=5, bidirectional=True),
    "lstm_states": lambda: lstm_states_view(num_layers=2, batch_size=3, proj_size=2, hidden_size=4),
    "shapes": lambda: shapes_view(batch_first=False, unbatched=False),
    "steps_read": lambda: steps_read_view(seq_len=6, t=2),
    "cheat_sheet": lambda: cheat_sheet_view(cell="lstm", num_layers=2, bidirectional=True, proj_size=2, packed=True),
}


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def url_pixels(url: str) -> np.ndarray:
    return pixels(base64.b64decode(url.split(",", 1)[1]))


def sent_by(view) -> list[dict]:
    """Record what the view sends its pages from now on."""
    sent: list[dict] = []
    view.image.send = lambda content, buffers=None: sent.append(content)
    return sent


def in_a_loop(action, idle_s: float = 2.0) -> None:
    """Run action inside a running event loop, then let the loop idle (a kernel between messages)."""

    async def main():
        action()
        await asyncio.sleep(idle_s)

    asyncio.run(main())


def test_keys_are_what_the_page_writes_with_json_stringify():
    slider, box = ipywidgets.IntSlider(3, min=1, max=4), ipywidgets.Checkbox(True)
    menu = ipywidgets.Dropdown(options=["RNN", "GRU", "LSTM"], value="GRU")
    controls = {"n": slider, "b": box, "cell": menu}
    # a menu's key is its index: the page's copy of a menu holds the index, not the value
    assert key_of(controls, {"n": 3, "b": True, "cell": "GRU"}) == "[3,true,1]"
    assert domain(menu) == ["RNN", "GRU", "LSTM"] and domain(box) == [False, True] and domain(slider) == [1, 2, 3, 4]
    assert setting_count(controls) == 24 == len(every_setting(controls))
    star = star_settings(controls, {"n": 3, "b": True, "cell": "GRU"})
    assert len(star) == 1 + 3 + 1 + 2 and star[0] == {"n": 3, "b": True, "cell": "GRU"}


def test_a_view_links_its_controls_and_starts_with_its_picture():
    view = BUILDERS["cheat_sheet"]()
    image = view.image
    assert image.controls == list(view.controls.values())
    assert image.kinds == ["index" if name == "cell" else "value" for name in view.controls]
    assert image.start["key"] == view.key() and np.array_equal(url_pixels(image.start["url"]), pixels(view.png))


def test_a_move_sends_the_new_picture_once_and_the_kernel_knows_the_values():
    view = BUILDERS["output_vs_h_n"]()
    sent = sent_by(view)
    view.controls["seq_len"].value = 6
    assert view.values()["seq_len"] == 6
    assert [list(m["pictures"]) for m in sent] == [["[2,6,0,true]"]]
    view.controls["seq_len"].value = 5  # the first picture: the page has it
    view.controls["seq_len"].value = 6  # sent before: not again
    assert len(sent) == 1
    assert np.array_equal(url_pixels(sent[0]["pictures"]["[2,6,0,true]"]), pixels(view.png))


def test_a_page_that_says_hello_gets_every_picture_again_then_the_next_steps():
    view = BUILDERS["cheat_sheet"]()  # 576 settings: next steps only
    assert view.settings > ALL_AT_ONCE and not view.all_at_once
    view.controls["num_layers"].value = 3
    sent = sent_by(view)
    in_a_loop(lambda: view.image._received(view.image, {"hello": True}, []))
    keys = [key for m in sent for key in m["pictures"]]
    expected_next = {view.key(v) for v in view.next_steps()}
    assert {key_of(view.controls, dict(k)) for k in view.picture_memory} | expected_next == set(keys)
    assert len(keys) == len(set(keys))  # nothing sent twice
    assert expected_next <= set(keys[: 2 + len(expected_next)])  # the 2 pictures it had, then every next step first
    assert len(view.ahead()) > 2 * len(view.next_steps())  # then two steps away, with a page open
    # drawing ahead left what the view describes at the current values
    assert view.sheet.config.num_layers == 3


def test_a_small_view_sends_every_picture_once_a_page_is_open():
    view = BUILDERS["lstm_states"]()
    assert view.settings == 12 and view.all_at_once
    sent = sent_by(view)
    in_a_loop(lambda: view.image._received(view.image, {"hello": True}, []), idle_s=4.0)
    keys = {key for m in sent for key in m["pictures"]}
    assert keys == {view.key(v) for v in every_setting(view.controls)}


@pytest.mark.parametrize("name", list(BUILDERS))
def test_every_picture_sent_ahead_is_the_kernel_picture_for_its_values(name):
    view = BUILDERS[name]()
    sent = sent_by(view)
    in_a_loop(lambda: view.image._received(view.image, {"hello": True}, []), idle_s=3.0)
    pictures = {key: url for m in sent for key, url in m["pictures"].items()}
    assert len(pictures) > len(view.controls)
    by_key = {view.key(v): v for v in every_setting(view.controls)}
    for key in list(pictures)[:6] + list(pictures)[-2:]:
        fresh = BUILDERS[name]()  # nothing remembered: the picture the kernel draws for these values
        for control, value in by_key[key].items():
            fresh.controls[control].value = value
        assert np.array_equal(url_pixels(pictures[key]), pixels(fresh.png)), (name, key)


def test_a_static_view_holds_every_picture_or_a_stated_subset():
    small = BUILDERS["lstm_states"]().static_state()
    assert len(small["pictures"]) == 12 and "all 12 pictures" in small["note"]
    view = BUILDERS["cheat_sheet"]()
    state = view.static_state()
    start, free = view.values(), ["cell", "num_layers", "bidirectional", "batch_first"]
    grid = [v for v in every_setting(view.controls) if all(v[n] == start[n] for n in view.controls if n not in free)]
    assert len(grid) == 36
    expected = {view.key(v) for v in grid + star_settings(view.controls, start)}
    assert set(state["pictures"]) == expected and len(expected) == 36 + 3 + 1 + 1  # other proj_size, unbatched, packed
    assert f"holds {len(expected)} of the view's 576 pictures" in state["note"]
    assert "every combination of cell, num_layers, bidirectional, batch_first with proj_size=2" in state["note"]
    assert "every value of one control with the others at their starting values" in state["note"]
    assert state["start"] in state["pictures"]
    assert [c["kind"] for c in state["controls"]] == ["select", "range", "checkbox", "checkbox", "range"] + [
        "checkbox"
    ] * 2
    small_budget = view.static_state(budget=1)  # nothing fits: every value of one control at a time
    assert set(small_budget["pictures"]) == {view.key(v) for v in star_settings(view.controls, start)}
    again = view.static_state(budget=10**9)  # a larger budget: every setting
    assert len(again["pictures"]) == 576


def test_static_html_inlines_page_js_and_asks_nothing_of_the_network():
    state = BUILDERS["shapes"]().static_state()
    fragment = static_html(state)
    assert "renderStatic(document.getElementById" in fragment and "export default" not in fragment
    assert PAGE_JS.read_text().split("function renderStatic")[1][:200] in fragment
    assert "http://" not in fragment and "https://" not in fragment
    assert state["note"] in fragment


def test_the_export_puts_each_view_where_its_placeholder_was():
    from tools.deck import deck_notebook, slide_count
    from tools.html_export import with_views

    view = nbformat.v4.new_code_cell("shapes_view()", metadata={"tags": ["nbval-ignore-output"]})
    view.outputs = [nbformat.v4.new_output("display_data", data={"text/plain": PLACEHOLDER})]
    view.metadata["slideshow"] = {"slide_type": "slide"}
    twin = nbformat.v4.new_code_cell("shapes_figure()", metadata={"slideshow": {"slide_type": "skip"}})
    twin.outputs = [nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo="})]
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell("# 05 · x", metadata={"slideshow": {"slide_type": "slide"}}), view, twin]
    )
    state = BUILDERS["shapes"]().static_state()
    exported = with_views(nb, [state])
    assert exported.cells[1].outputs[0]["data"]["text/html"] == static_html(state)
    assert exported.cells[2].outputs == twin.outputs
    # the deck with views keeps the stored (live) slide types: as many slides as the deck without, the view's own
    deck = deck_notebook(nb, [state])
    kinds = [cell.metadata["slideshow"]["slide_type"] for cell in deck.cells]
    assert kinds == ["slide", "slide", "skip"] and slide_count(deck) == 2
    with pytest.raises(ValueError, match="1 live views in the notebook, 2 views' pictures"):
        with_views(nb, [state, state])
