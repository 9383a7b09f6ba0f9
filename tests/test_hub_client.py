"""The simulated student of `make bench-class` behaves like the page, and the sizing table's arithmetic is right.

No hub and no network here: a real slider view is built with its comms recorded (what the kernel would send on
the websocket), its messages go through tools.hub_client.Page, and the page's answers (hello, a slider's state
update) go back to the view's own comm handlers, as ipykernel would deliver them.
"""

from __future__ import annotations

import json

import comm
import pytest
from comm.base_comm import BaseComm

from helpers import output_vs_h_n_view
from tools.class_sizing import Measured, dominant, measured_from, need, sizing_markdown, sizing_rows, suggested
from tools.hub_client import (
    Page,
    custom_pictures,
    decode_frame,
    far_end,
    hello,
    js_json,
    model_refs,
    slider_walk,
    state_update,
    steps_across,
)


class RecordingComm(BaseComm):
    """A comm whose messages are kept as the websocket would carry them to the page."""

    sent: list[dict] = []

    def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
        content = {"data": data or {}, "comm_id": self.comm_id, **keys}
        RecordingComm.sent.append({"header": {"msg_type": msg_type}, "content": content, "buffers": buffers or []})


@pytest.fixture
def recorded(monkeypatch):
    RecordingComm.sent = []
    monkeypatch.setattr(comm, "create_comm", lambda *args, **kwargs: RecordingComm(*args, **kwargs))
    return RecordingComm.sent


def deliver(widget, content: dict) -> None:
    """A comm_msg from the page to a widget, as ipykernel hands it over."""
    widget._handle_msg({"content": {"comm_id": widget.model_id, "data": content}, "buffers": []})


def feed(page: Page, sent: list[dict], start: int = 0) -> int:
    for message in sent[start:]:
        page.note(message)
    return len(sent)


def shown(model_id: str) -> dict:
    data = {"application/vnd.jupyter.widget-view+json": {"model_id": model_id, "version_major": 2}}
    return {"header": {"msg_type": "execute_result"}, "content": {"data": data}}


# --- parsing messages ----------------------------------------------------------------------------------------


def test_a_custom_message_with_pictures_is_read_and_others_are_not():
    url = "data:image/png;base64,iVBORw0KGgo="
    message = {
        "header": {"msg_type": "comm_msg"},
        "content": {"comm_id": "c1", "data": {"method": "custom", "content": {"pictures": {"[2,5,0,true]": url}}}},
    }
    assert custom_pictures(message) == ("c1", {"[2,5,0,true]": url})
    update = {"header": {"msg_type": "comm_msg"}, "content": {"comm_id": "c1", "data": {"method": "update"}}}
    assert custom_pictures(update) is None
    greeting = {"header": {"msg_type": "comm_msg"}, "content": {"comm_id": "c1", "data": hello("c1")["data"]}}
    assert custom_pictures(greeting) is None  # a custom message without pictures
    not_a_picture = json.loads(json.dumps(message))
    not_a_picture["content"]["data"]["content"]["pictures"]["[1]"] = "javascript:alert(1)"
    assert custom_pictures(not_a_picture)[1] == {"[2,5,0,true]": url}


def test_what_the_page_sends_is_the_ipywidgets_protocol():
    assert hello("m") == {"comm_id": "m", "data": {"method": "custom", "content": {"hello": True}}}
    assert state_update("s", {"value": 3}) == {
        "comm_id": "s",
        "data": {"method": "update", "state": {"value": 3}, "buffer_paths": []},
    }


def test_keys_are_written_as_json_stringify_writes_them():
    assert js_json([2, 5, 0, True]) == "[2,5,0,true]"
    assert js_json([2.0, 0.5, False]) == "[2,0.5,false]"  # JavaScript has no 2.0
    assert model_refs({"children": ["IPY_MODEL_a", "IPY_MODEL_b"], "layout": "IPY_MODEL_c", "x": "a"}) == [
        "a",
        "b",
        "c",
    ]


def test_a_binary_frame_is_split_into_its_message_and_buffers():
    body = json.dumps({"header": {"msg_type": "comm_msg"}}).encode()
    buffer = b"\x89PNG"
    offsets = [12, 12 + len(body)]
    frame = (2).to_bytes(4, "big") + b"".join(o.to_bytes(4, "big") for o in offsets) + body + buffer
    message = decode_frame(frame)
    assert message["header"]["msg_type"] == "comm_msg" and message["buffers"] == [buffer]


def test_a_slider_walks_one_step_at_a_time_and_turns_back_at_its_ends():
    assert slider_walk({"min": 1, "max": 3, "value": 2, "step": 1}, 5) == [3, 2, 1, 2, 3]
    assert slider_walk({"min": 0, "max": 40, "value": 0, "step": 10}, 3) == [10, 20, 30]
    assert far_end({"min": 1, "max": 8, "value": 5}) == 1 and far_end({"min": 1, "max": 8, "value": 3}) == 8
    assert steps_across({"min": 0, "max": 40, "step": 10}) == 4 and steps_across({"min": 1, "max": 8}) == 7
    with pytest.raises(ValueError, match="state=.*max - min is less than its step"):
        slider_walk({"min": 0, "max": 0, "value": 0, "step": 1}, 1)


# --- the page against a real view ------------------------------------------------------------------------------


def test_the_page_greets_a_shown_view_and_finds_the_picture_for_a_moved_slider(recorded):
    view = output_vs_h_n_view(num_layers=2, seq_len=5, bidirectional=True)
    page = Page()
    done = feed(page, recorded)
    assert page.to_greet() == []  # made, not yet shown: page.js has not rendered it
    assert page.first_view_picture is not None  # the start picture comes with the model's state
    page.note(shown(view.model_id))
    picture = view.image.model_id
    assert page.views() == [picture] and page.to_greet() == [picture]
    assert page.key(picture) == view.key() == "[2,5,0,true]"
    assert page.has_picture(picture, view.key())
    sliders = page.sliders(picture)
    assert sliders == [c.model_id for c in list(view.controls.values())[:3]]  # three sliders, not the checkbox

    page.greeted.append(picture)
    deliver(view.image, hello(picture)["data"])  # the kernel sends what it has drawn (outside a loop: no more)
    done = feed(page, recorded, done)

    num_layers = sliders[0]
    key = page.key(picture, {num_layers: 3})
    assert key == view.key({**view.values(), "num_layers": 3}) == "[3,5,0,true]"
    assert not page.has_picture(picture, key)  # nothing was drawn ahead here
    deliver(view.controls["num_layers"], state_update(num_layers, {"value": 3})["data"])
    feed(page, recorded, done)
    assert view.controls["num_layers"].value == 3
    assert page.has_picture(picture, key)  # the kernel sent the picture for the new values
    assert page.states[num_layers]["value"] == 3  # from the kernel's echo of the update


def test_a_picture_is_counted_once_and_a_closed_model_is_forgotten():
    page = Page()
    state = {"_model_name": "AnyModel", "controls": ["IPY_MODEL_s"], "kinds": ["value"]}
    state["start"] = {"key": "[1]", "url": "data:image/png;base64,AA=="}
    opened = {"header": {"msg_type": "comm_open"}, "content": {"comm_id": "p", "data": {"state": state}}}
    assert page.note(opened, now=1.0) == 1 and page.first_picture == 1.0
    again = {
        "header": {"msg_type": "comm_msg"},
        "content": {"comm_id": "p", "data": {"method": "custom", "content": {"pictures": {"[1]": "data:image/a"}}}},
    }
    assert page.note(again, now=2.0) == 0 and page.pictures["p"]["[1]"] == 1.0
    page.note({"header": {"msg_type": "comm_close"}, "content": {"comm_id": "p"}})
    assert "p" not in page.models and "p" not in page.pictures


# --- the sizing table --------------------------------------------------------------------------------------------


def figures(**changes) -> Measured:
    base = dict(
        runs=(1, 5),
        hub_mb=200.0,
        server_mb=100.0,
        kernel_mb=300.0,
        kernel_started_mb=50.0,
        kernel_imports_mb=200.0,
        student_with_kernel_mb=380.0,
        cpu_s=30.0,
    )
    return Measured(**(base | changes))


def test_memory_and_cores_for_a_class():
    m = figures()
    assert m.active_mb == 400.0  # server + kernel measured apart is larger than the student's 380
    assert need(m, 10, 1.0) == (200 + 10 * 400, 10 * 30 / 60)
    assert need(m, 10, 0.4) == (200 + 4 * 400 + 6 * 100, 4 * 30 / 60)
    assert need(m, 30, 0.5) == (200 + 15 * 400 + 15 * 100, 15 * 30 / 60)
    assert need(m, 3, 0.5)[0] == 200 + 2 * 400 + 1 * 100  # half of 3 active: 2 (rounded up)
    with pytest.raises(ValueError, match="active_fraction=0"):
        need(m, 10, 0)
    with pytest.raises(ValueError, match="students=0"):
        need(m, 0, 0.5)
    with pytest.raises(ValueError, match="kernel_mb=-1"):
        figures(kernel_mb=-1)


def test_a_suggested_server_has_room_and_a_usual_size():
    assert suggested(4200, 5.0) == (8, 6)  # 1.25 * 4200 + 1024 MiB = 6.1 GiB -> 8 GiB; 5 cores -> 6
    assert suggested(100, 0.1) == (4, 2)
    assert suggested(600_000, 200) == (734, 200)  # past the usual sizes: rounded up


def test_the_table_covers_each_class_and_says_what_dominates():
    m = figures()
    rows = sizing_rows(m)
    assert [r["class"] for r in rows] == [10, 30, 100]
    assert rows[0]["all"] == need(m, 10, 1.0) and rows[2]["low"] == need(m, 100, 0.4)
    shares = dominant(m, 100, 1.0)
    assert shares["kernels"] == pytest.approx(100 * 300 / (200 + 100 * 400))
    assert sum(shares.values()) == pytest.approx(1.0)
    text = sizing_markdown(m)
    assert (
        "| 10 | 4.1 GiB, 5.0 cores | 2.3-2.9 GiB, 2.0-3.0 cores | 8 GiB, 6 cores (8 GiB, 4 cores at 40-60 %) |" in text
    )
    assert "What dominates is the kernels' memory: 75 %" in text
    assert "150 MiB the import cells" in text
    assert text.startswith("Sizing from `make bench-class` runs with N = 1, 5; for each figure")


def test_measured_figures_are_the_largest_over_runs_and_students_without_failures():
    def student(pss, server, kernel, cpu, failures=()):
        return {
            "failures": list(failures),
            "pss_mb_with_kernel": pss,
            "pss_mb_server_only": server,
            "kernel_pss_mb": {"01": {"started": 40, "imports": 150, "run": kernel}, "08": {"run": kernel - 10}},
            "cpu_s": cpu,
        }

    results = [
        {"n": 1, "measured_at": "d1", "hub_and_proxy_pss_mb": 180, "students": [student(460, 124, 330, 20)]},
        {
            "n": 5,
            "measured_at": "d2",
            "hub_and_proxy_pss_mb": 190,
            "students": [student(425, 114, 300, 22), student(999, 999, 999, 999, failures=["TimeoutError"])],
        },
    ]
    m = measured_from(results)
    assert (m.runs, m.hub_mb, m.server_mb, m.kernel_mb, m.cpu_s) == ((1, 5), 190, 124, 330, 22)
    assert (m.kernel_started_mb, m.kernel_imports_mb, m.student_with_kernel_mb) == (40, 150, 460)
    assert m.measured_at == "d1 to d2"
    assert measured_from([]) is None


def test_a_run_is_summed_up_with_its_failures_and_moves_in_the_page_counted_apart():
    from tools.bench_class import NOTEBOOKS, runs_table, summary

    def student(name, failures=(), in_page=(True, True, False)):
        moves = [{"key": "[1]", "in_page": p, "picture_s": 0.0 if p else 0.25, "kernel_s": 0.1} for p in in_page]
        moves[-1]["jump"] = True
        return {
            "name": name,
            "failures": list(failures),
            "login_s": 1.0,
            "start_s": 10.0,
            "run_s": {nb: 20.0 for nb in NOTEBOOKS},
            "first_picture_s": {NOTEBOOKS[0]: 5.0},
            "first_view_s": {},
            "cell_errors": {nb: [] for nb in NOTEBOOKS},
            "moves": {NOTEBOOKS[0]: moves},
            "kernel_pss_mb": {NOTEBOOKS[0]: {"started": 40.0, "imports": 200.0, "run": 300.0}},
            "pss_mb_by_notebook": {},
            "cpu_s_by_notebook": {NOTEBOOKS[0]: 6.0},
            "pss_mb_with_kernel": 420.0,
            "pss_mb_server_only": 120.0,
            "cpu_s": 20.0,
        }

    result = {
        "n": 2,
        "measured_at": "today",
        "load_average_before": [1.0, 1.0, 1.0],
        "load_average_after_run": [2.0, 2.0, 2.0],
        "class_seconds": 99.0,
        "hub_and_proxy_pss_mb": 180.0,
        "students": [student("s000"), student("s001", ["TimeoutError: the kernel"], (True, False, True))],
    }
    row = summary(result)
    assert row["failed students"] == 1 and row["failures"] == "s001: TimeoutError: the kernel"
    assert row["moves 01: picture in page (steps, jumps)"] == "3 of 4 + 1 of 2"
    assert row["moves 01: wait for the others ms"] == "250 / 250"
    assert row["kernel 01 PSS MB, median: started / imports / run"] == "40 / 200 / 300"
    assert row["moves 08: picture in page (steps, jumps)"] == "0 of 0 + 0 of 0"
    assert row["first live view 01 s"] == "-" and row["first picture 01 s"] == "5.0 / 5.0"
    table = runs_table([row, row | {"N": 3}])
    assert table.splitlines()[0] == "| figure | N = 2 | N = 3 |"
    assert "| failed students | 1 | 1 |" in table
