"""A student, as the hub sees one: log in, start a server, open a kernel over its websocket, run cells, move a slider.

The kernel's websocket feeds a Page, which does what JupyterLab's page does with the widgets: it keeps every
widget model the kernel opens and their state; a slider view shown in an output is rendered, and its picture
model (helpers/views/page.py's PagePictures, an anywidget) says hello as page.js does, after which the kernel
sends it pictures ahead as custom messages ({"pictures": {key: data URL}}). A slider moves by a state update on
its model, as the browser sends it; the picture for the new values is either in the page already or comes later.

Used by tests/test_hub.py (the security test) and tools/bench_class.py (`make bench-class`). It speaks
only to 127.0.0.1 and every wait is bounded.
"""

from __future__ import annotations

import json
import struct
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlparse

import requests
import websocket


class StudentError(RuntimeError):
    """A step of a simulated student failed; the message says which and why."""


def _check_local(url: str) -> None:
    if urlparse(url).hostname != "127.0.0.1":
        raise ValueError(f"url={url!r}: the simulated students only talk to 127.0.0.1")


class Student:
    """One student's browser: a cookie jar on the hub, and what it takes to reach their own server."""

    def __init__(self, hub_url: str, name: str, password: str, timeout: float = 30):
        _check_local(hub_url)
        self.hub_url, self.name, self.password, self.timeout = hub_url.rstrip("/"), name, password, timeout
        self.http = requests.Session()

    # --- the hub -------------------------------------------------------------------------------
    def login(self, password: str | None = None, name: str | None = None) -> requests.Response:
        """Post the log-in form (with its _xsrf field); returns the hub's answer (302 when it worked)."""
        form = self.http.get(f"{self.hub_url}/hub/login", timeout=self.timeout)
        form.raise_for_status()
        xsrf = self.http.cookies.get("_xsrf", path="/hub/") or self.http.cookies.get("_xsrf")
        return self.http.post(
            f"{self.hub_url}/hub/login",
            data={
                "username": name or self.name,
                "password": self.password if password is None else password,
                "_xsrf": xsrf or "",
            },
            allow_redirects=False,
            timeout=self.timeout,
        )

    def hub_api(self, method: str, path: str, **kwargs) -> requests.Response:
        """A call to the hub's REST API with this browser's cookies (and the _xsrf header they require)."""
        headers = {"X-XSRFToken": self.http.cookies.get("_xsrf", path="/hub/") or ""}
        return self.http.request(
            method, f"{self.hub_url}/hub/api{path}", headers=headers, timeout=self.timeout, **kwargs
        )

    def start_server(self, timeout: float = 180) -> None:
        """Ask the hub for this student's server and wait until it is ready."""
        answer = self.hub_api("POST", f"/users/{self.name}/server")
        if answer.status_code not in (201, 202, 400):  # 400: already running
            raise StudentError(f"{self.name}: starting the server gave {answer.status_code}: {answer.text[:300]}")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            model = self.hub_api("GET", f"/users/{self.name}").json()
            server = (model.get("servers") or {}).get("")
            if server and server.get("ready"):
                return
            if not model.get("pending") and not server:
                raise StudentError(f"{self.name}: the server stopped while starting")
            time.sleep(0.5)
        raise StudentError(f"{self.name}: the server was not ready within {timeout:.0f} s")

    def stop_server(self) -> None:
        self.hub_api("DELETE", f"/users/{self.name}/server")

    # --- the student's own server ----------------------------------------------------------------
    def server_url(self, name: str | None = None) -> str:
        return f"{self.hub_url}/user/{name or self.name}"

    def open_server(self, name: str | None = None) -> requests.Response:
        """Open /user/<name>/lab as a browser would (through the hub's OAuth); returns the final response."""
        return self.http.get(self.server_url(name) + "/lab", timeout=self.timeout)

    def authorize(self) -> None:
        """Log in to the own server: the OAuth round trip that a browser does on its first visit."""
        answer = self.http.get(self.server_url() + "/lab", timeout=self.timeout)
        if answer.status_code != 200 or urlparse(answer.url).path.startswith("/hub/login"):
            raise StudentError(f"{self.name}: opening the server gave {answer.status_code} at {answer.url}")

    def server_api(self, method: str, path: str, name: str | None = None, **kwargs) -> requests.Response:
        """A call to a single-user server's REST API with this browser's cookies and _xsrf header."""
        prefix = urlparse(self.server_url(name)).path + "/"
        headers = {"X-XSRFToken": self.http.cookies.get("_xsrf", path=prefix) or ""}
        return self.http.request(
            method, f"{self.server_url(name)}/api{path}", headers=headers, timeout=self.timeout, **kwargs
        )

    def new_session(self, notebook: str) -> str:
        """Start a kernel for `notebook` (relative to the home) as JupyterLab does; returns the kernel id."""
        answer = self.server_api(
            "POST", "/sessions", json={"path": notebook, "type": "notebook", "name": "", "kernel": {"name": "python3"}}
        )
        if answer.status_code != 201:
            raise StudentError(f"{self.name}: starting a kernel gave {answer.status_code}: {answer.text[:300]}")
        return answer.json()["kernel"]["id"]

    def kernel(self, kernel_id: str) -> Kernel:
        ws_url = self.server_url().replace("http://", "ws://") + f"/api/kernels/{kernel_id}/channels"
        cookies = "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)
        return Kernel(ws_url, cookies, self.timeout)


def decode_frame(frame: str | bytes) -> dict:
    """One websocket frame from the server: JSON text, or the binary form with buffers after the JSON."""
    if isinstance(frame, str):
        return json.loads(frame)
    count = struct.unpack("!i", frame[:4])[0]
    offsets = [*struct.unpack("!" + "I" * count, frame[4 : 4 * (count + 1)]), len(frame)]
    parts = [frame[a:b] for a, b in zip(offsets[:-1], offsets[1:])]
    message = json.loads(parts[0].decode())
    message["buffers"] = parts[1:]
    return message


# --- the page: what JupyterLab holds of a kernel's widgets ---------------------------------------------------

VIEW_MIME = "application/vnd.jupyter.widget-view+json"
PICTURE_MODEL = "AnyModel"  # helpers/views/page.py's PagePictures (anywidget): the page side of a slider view
SLIDERS = ("IntSliderModel", "FloatSliderModel")


def message_kind(message: dict) -> str:
    return message.get("msg_type") or message.get("header", {}).get("msg_type", "")


def model_refs(value) -> list[str]:
    """The widget model ids that a synced value refers to ("IPY_MODEL_<id>", also inside lists and dicts), in order."""
    if isinstance(value, str):
        return [value.removeprefix("IPY_MODEL_")] if value.startswith("IPY_MODEL_") else []
    if isinstance(value, (list, tuple)):
        return [ref for item in value for ref in model_refs(item)]
    if isinstance(value, dict):
        return [ref for item in value.values() for ref in model_refs(item)]
    return []


def js_json(value) -> str:
    """JSON as the page's JSON.stringify writes it: no spaces, and a whole float without its ".0" (2.0 -> 2)."""

    def plain(v):
        if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
            return int(v)
        if isinstance(v, (list, tuple)):
            return [plain(item) for item in v]
        if isinstance(v, dict):
            return {k: plain(item) for k, item in v.items()}
        return v

    return json.dumps(plain(value), separators=(",", ":"), ensure_ascii=False)


def custom_pictures(message: dict) -> tuple[str, dict[str, str]] | None:
    """(comm id, {key: data URL}) when the message is a widget's custom message with pictures (PagePictures.offer)."""
    if message_kind(message) != "comm_msg":
        return None
    content = message.get("content") or {}
    data = content.get("data") or {}
    if data.get("method") != "custom" or not isinstance(data.get("content"), dict):
        return None
    pictures = data["content"].get("pictures")
    if not isinstance(pictures, dict):
        return None
    found = {k: url for k, url in pictures.items() if isinstance(url, str) and url.startswith("data:image/")}
    return content.get("comm_id", ""), found


def hello(comm_id: str) -> dict:
    """What page.js sends when it renders a view: a custom message {"hello": true} to the picture model."""
    return {"comm_id": comm_id, "data": {"method": "custom", "content": {"hello": True}}}


def state_update(comm_id: str, state: dict) -> dict:
    """What the browser sends when a control moves: the model's changed state (ipywidgets 8 protocol)."""
    return {"comm_id": comm_id, "data": {"method": "update", "state": state, "buffer_paths": []}}


def slider_walk(state: dict, moves: int) -> list:
    """The values a hand gives a slider in `moves` steps: one step at a time from its value, turning back at an end."""
    low, high, value = state["min"], state["max"], state["value"]
    step = state.get("step") or 1
    if high - low < step:
        raise ValueError(f"state={state!r}: a slider whose max - min is less than its step cannot move")
    values = []
    for _ in range(moves):
        if not low <= value + step <= high:
            step = -step
        value += step
        values.append(value)
    return values


def far_end(state: dict):
    """Where a click on a slider's track far from the handle sends it: the end farther from its value."""
    low, high, value = state["min"], state["max"], state["value"]
    return low if value - low >= high - value else high


def steps_across(state: dict) -> float:
    """How many steps a slider has from end to end."""
    return (state["max"] - state["min"]) / (state.get("step") or 1)


@dataclass
class Page:
    """What JupyterLab's page knows of one kernel's widgets, kept from the kernel's messages (no websocket here).

    Every widget the kernel opens is a model (comm id -> model name and state, updated as the kernel and the page
    change it). A view shown in an output is rendered: its picture models (PagePictures) say hello once, and the
    pictures they receive are kept by their key, with the time each arrived.
    """

    models: dict = field(default_factory=dict)  # comm id -> model name
    states: dict = field(default_factory=dict)  # comm id -> state
    shown: list = field(default_factory=list)  # model ids shown in outputs, in order
    greeted: list = field(default_factory=list)  # picture models that have said hello
    pictures: dict = field(default_factory=dict)  # picture model -> {key: monotonic time it arrived}
    first_picture: float | None = None  # monotonic time of the first picture of any kind
    first_view_picture: float | None = None  # ... of the first picture of a live view

    def note(self, message: dict, now: float | None = None) -> int:
        """Take in one message from the kernel; returns how many pictures it brought."""
        now = time.monotonic() if now is None else now
        kind, content = message_kind(message), message.get("content") or {}
        found = 0
        if kind in ("display_data", "execute_result", "update_display_data"):
            data = content.get("data") or {}
            found += "image/png" in data
            model = (data.get(VIEW_MIME) or {}).get("model_id")
            if model and model not in self.shown:
                self.shown.append(model)
        elif kind == "comm_open":
            comm, state = content.get("comm_id", ""), (content.get("data") or {}).get("state") or {}
            self.models[comm], self.states[comm] = state.get("_model_name", ""), dict(state)
            found += self._keep_start(comm, state, now)
        elif kind == "comm_msg":
            comm, data = content.get("comm_id", ""), content.get("data") or {}
            if data.get("method") in ("update", "echo_update") and comm in self.states:
                self.states[comm].update(data.get("state") or {})
                found += self._keep_start(comm, data.get("state") or {}, now)  # SliderView sets it after opening
            pictures = custom_pictures(message)
            if pictures and self.is_picture_model(comm):
                found += self._keep(comm, pictures[1], now)
        elif kind == "comm_close":
            comm = content.get("comm_id", "")
            for table in (self.models, self.states, self.pictures):
                table.pop(comm, None)
        if found and self.first_picture is None:
            self.first_picture = now
        return found

    def _keep_start(self, comm: str, state: dict, now: float) -> int:
        """A picture model's first picture, in its `start` state ({key, url}), as page.js shows it on render."""
        start = state.get("start") or {}
        if self.is_picture_model(comm) and str(start.get("url", "")).startswith("data:image/"):
            return self._keep(comm, {start.get("key", ""): start["url"]}, now)
        return 0

    def _keep(self, comm: str, pictures: dict, now: float) -> int:
        held = self.pictures.setdefault(comm, {})
        new = [key for key in pictures if key not in held]
        for key in new:
            held[key] = now
        if new and self.first_view_picture is None:
            self.first_view_picture = now
        return len(new)

    def is_picture_model(self, comm: str) -> bool:
        state = self.states.get(comm, {})
        return self.models.get(comm) == PICTURE_MODEL and "controls" in state and "start" in state

    def reachable(self, model: str) -> list[str]:
        """The models a shown widget draws (itself, its children, their controls...), depth first, each once."""
        seen, todo = [], [model]
        while todo:
            current = todo.pop()
            if current in seen or current not in self.states:
                continue
            seen.append(current)
            todo.extend(reversed(model_refs(self.states[current])))
        return seen

    def views(self) -> list[str]:
        """The picture models of the views shown so far, in the order they appear on the page."""
        found = []
        for model in self.shown:
            found += [m for m in self.reachable(model) if self.is_picture_model(m) and m not in found]
        return found

    def to_greet(self) -> list[str]:
        """Picture models shown and not yet greeted: page.js says hello as it renders each one."""
        return [view for view in self.views() if view not in self.greeted]

    def controls(self, view: str) -> list[str]:
        return model_refs(self.states[view].get("controls", []))

    def key(self, view: str, change: dict | None = None) -> str:
        """The page's key for a view's controls, as they are or with `change` (comm id -> new value) applied."""
        change = change or {}
        kinds = self.states[view].get("kinds") or []
        values = [
            change.get(comm, self.states.get(comm, {}).get(kind)) for comm, kind in zip(self.controls(view), kinds)
        ]
        return js_json(values)

    def sliders(self, view: str) -> list[str]:
        """A view's sliders (comm ids), in the order of its controls."""
        return [comm for comm in self.controls(view) if self.models.get(comm) in SLIDERS]

    def has_picture(self, view: str, key: str) -> bool:
        return key in self.pictures.get(view, {})


@dataclass
class Run:
    """What one cell's execution gave back."""

    status: str
    seconds: float
    error: str = ""
    stdout: str = ""
    pictures: int = 0


@dataclass
class Move:
    """One move of a slider: its key, whether its picture was already in the page, and the times."""

    key: str
    in_page: bool  # the picture for the new values had been sent ahead: the page shows it at once
    picture_s: float  # from the move to the picture being in the page (0 when it already was)
    kernel_s: float  # from the move to the kernel being done with it (idle)


@dataclass
class Kernel:
    """A kernel's websocket, as JupyterLab uses it (one connection, every channel), and the page it feeds."""

    url: str
    cookies: str
    timeout: float
    session: str = field(default_factory=lambda: uuid.uuid4().hex)
    page: Page = field(default_factory=Page)

    def __post_init__(self):
        _check_local(self.url.replace("ws://", "http://"))
        self.ws = websocket.create_connection(
            f"{self.url}?session_id={self.session}", header=[f"Cookie: {self.cookies}"], timeout=self.timeout
        )

    @property
    def first_picture(self) -> float | None:
        return self.page.first_picture

    def close(self) -> None:
        self.ws.close()

    def send(self, msg_type: str, content: dict, channel: str = "shell") -> str:
        msg_id = uuid.uuid4().hex
        message = {
            "header": {
                "msg_id": msg_id,
                "msg_type": msg_type,
                "session": self.session,
                "username": "student",
                "version": "5.3",
                "date": "",
            },
            "parent_header": {},
            "metadata": {},
            "content": content,
            "channel": channel,
            "buffers": [],
        }
        self.ws.send(json.dumps(message))
        return msg_id

    def _note(self, message: dict) -> int:
        """Let the page take the message in; a view it has just shown says hello, as page.js does on render."""
        found = self.page.note(message)
        for view in self.page.to_greet():
            self.page.greeted.append(view)
            self.send("comm_msg", hello(view))
        return found

    def info(self, timeout: float = 60) -> dict:
        """Ask for kernel_info, as JupyterLab does when it connects; returns the reply's content once the kernel is up."""
        deadline = time.monotonic() + timeout
        msg_id = self.send("kernel_info_request", {})
        while True:
            message = self.recv(deadline, "the kernel's kernel_info_reply")
            self._note(message)
            if (
                message_kind(message) == "kernel_info_reply"
                and message.get("parent_header", {}).get("msg_id") == msg_id
            ):
                return message.get("content", {})

    def recv(self, deadline: float, waiting_for: str = "the kernel to answer") -> dict:
        self.ws.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            return decode_frame(self.ws.recv())
        except websocket.WebSocketTimeoutException as err:
            raise StudentError(f"timed out waiting for {waiting_for}") from err

    def execute(self, code: str, timeout: float = 300) -> Run:
        """Run code; wait for its reply and for the kernel to go idle. Errors come back in Run.error."""
        start = time.monotonic()
        deadline = start + timeout
        msg_id = self.send("execute_request", {"code": code, "silent": False, "store_history": True})
        status, error, stdout, pictures, idle = None, "", [], 0, False
        while status is None or not idle:
            if time.monotonic() > deadline:
                raise StudentError(f"a cell did not finish within {timeout:.0f} s: {code[:80]!r}")
            message = self.recv(deadline, f"a cell to finish: {code[:80]!r}")
            pictures += self._note(message)
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = message["header"]["msg_type"], message["content"]
            if kind == "execute_reply":
                status = content["status"]
                if status == "error":
                    error = f"{content.get('ename')}: {content.get('evalue')}"
            elif kind == "stream" and content.get("name") == "stdout":
                stdout.append(content["text"])
            elif kind == "error":
                error = f"{content.get('ename')}: {content.get('evalue')}"
            elif kind == "status" and content.get("execution_state") == "idle":
                idle = True
        return Run(status, time.monotonic() - start, error, "".join(stdout), pictures)

    def listen(self, seconds: float) -> int:
        """Take in what the kernel sends for `seconds` (a student looking at the picture); returns the pictures."""
        deadline = time.monotonic() + seconds
        found = 0
        while time.monotonic() < deadline:
            try:
                found += self._note(self.recv(deadline))
            except StudentError:
                break
        return found

    def move(self, view: str, slider: str, value, timeout: float = 60, after_idle: float = 2.0) -> Move:
        """Move a view's slider as the browser does (a state update on the slider's model) and time its picture.

        The page shows the picture for the new values from its own memory when the kernel sent it ahead (then it
        is there at once: in_page); else it waits for the kernel to send it. Raises StudentError when the kernel
        is done with the move (idle) and `after_idle` seconds later the picture has still not come.
        """
        key = self.page.key(view, {slider: value})
        in_page = self.page.has_picture(view, key)
        start = time.monotonic()
        deadline = start + timeout
        self.page.states[slider]["value"] = value  # the browser's copy of the model changes at once
        msg_id = self.send("comm_msg", state_update(slider, {"value": value}))
        picture_at = start if in_page else None
        idle_at = None
        while picture_at is None or idle_at is None:
            wait_until = deadline if picture_at is not None or idle_at is None else min(deadline, idle_at + after_idle)
            try:
                message = self.recv(wait_until, f"the picture for {key} (the slider moved to {value})")
            except StudentError as err:
                if idle_at is None:
                    raise
                raise StudentError(
                    f"the slider moved to {value}: the kernel was done with it but no picture for {key} came"
                ) from err
            self._note(message)
            if picture_at is None and self.page.has_picture(view, key):
                picture_at = self.page.pictures[view][key]
            if (
                message_kind(message) == "status"
                and message.get("parent_header", {}).get("msg_id") == msg_id
                and message.get("content", {}).get("execution_state") == "idle"
            ):
                idle_at = time.monotonic()
        return Move(key, in_page, max(0.0, picture_at - start), idle_at - start)
