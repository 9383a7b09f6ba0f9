"""A student, as the hub sees one: log in, start a server, open a kernel over its websocket, run cells, move a slider.

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


@dataclass
class Run:
    """What one cell's execution gave back."""

    status: str
    seconds: float
    error: str = ""
    stdout: str = ""
    pictures: int = 0


@dataclass
class Kernel:
    """A kernel's websocket, as JupyterLab uses it (one connection, every channel)."""

    url: str
    cookies: str
    timeout: float
    session: str = field(default_factory=lambda: uuid.uuid4().hex)
    widgets: dict = field(default_factory=dict)  # comm id -> model name
    widget_state: dict = field(default_factory=dict)  # comm id -> the state the kernel last sent
    first_picture: float | None = None  # monotonic time of the first picture received

    def __post_init__(self):
        _check_local(self.url.replace("ws://", "http://"))
        self.ws = websocket.create_connection(
            f"{self.url}?session_id={self.session}", header=[f"Cookie: {self.cookies}"], timeout=self.timeout
        )

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

    def _note(self, message: dict) -> bool:
        """Keep track of widgets; return True when the message carries a picture."""
        kind, content = message.get("msg_type") or message["header"]["msg_type"], message.get("content", {})
        picture = False
        if kind in ("display_data", "execute_result") and "image/png" in content.get("data", {}):
            picture = True
        elif kind == "comm_open":
            state = content.get("data", {}).get("state", {})
            self.widgets[content.get("comm_id")] = state.get("_model_name", "")
            self.widget_state[content.get("comm_id")] = dict(state)
            picture = state.get("_model_name") == "ImageModel" and bool(message.get("buffers"))
        elif kind == "comm_msg":
            data = content.get("data", {})
            if data.get("method") == "update" and content.get("comm_id") in self.widget_state:
                self.widget_state[content["comm_id"]].update(data.get("state", {}))
            picture = self.widgets.get(content.get("comm_id")) == "ImageModel" and bool(message.get("buffers"))
        if picture and self.first_picture is None:
            self.first_picture = time.monotonic()
        return picture

    def recv(self, deadline: float) -> dict:
        self.ws.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            return decode_frame(self.ws.recv())
        except websocket.WebSocketTimeoutException as err:
            raise StudentError("the kernel did not answer in time") from err

    def execute(self, code: str, timeout: float = 300) -> Run:
        """Run code; wait for its reply and for the kernel to go idle. Errors come back in Run.error."""
        start = time.monotonic()
        deadline = start + timeout
        msg_id = self.send("execute_request", {"code": code, "silent": False, "store_history": True})
        status, error, stdout, pictures, idle = None, "", [], 0, False
        while status is None or not idle:
            if time.monotonic() > deadline:
                raise StudentError(f"a cell did not finish within {timeout:.0f} s: {code[:80]!r}")
            message = self.recv(deadline)
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

    def sliders(self) -> list[str]:
        """Comm ids of the integer sliders the kernel has opened, in order."""
        return [comm for comm, model in self.widgets.items() if model == "IntSliderModel"]

    def move_slider(self, comm_id: str, value: int, timeout: float = 60) -> float:
        """Set a slider's value as the browser does; seconds until the kernel sends the new picture."""
        start = time.monotonic()
        deadline = start + timeout
        msg_id = self.send(
            "comm_msg",
            {"comm_id": comm_id, "data": {"method": "update", "state": {"value": value}, "buffer_paths": []}},
        )
        seen_picture = idle = False
        picture_at = None
        while not (seen_picture and idle):
            message = self.recv(deadline)
            if self._note(message) and message.get("parent_header", {}).get("msg_id") == msg_id and not seen_picture:
                seen_picture, picture_at = True, time.monotonic()
            kind = message["header"]["msg_type"]
            if (
                kind == "status"
                and message.get("parent_header", {}).get("msg_id") == msg_id
                and message["content"].get("execution_state") == "idle"
            ):
                idle = True
                if not seen_picture:
                    raise StudentError("the slider moved but no new picture came back")
        return picture_at - start

    def slider_state(self, comm_id: str, timeout: float = 30) -> dict:
        """The slider's state from the kernel (comm_info is not enough): ask the widget to send it."""
        deadline = time.monotonic() + timeout
        msg_id = self.send("comm_msg", {"comm_id": comm_id, "data": {"method": "request_state"}})
        while True:
            message = self.recv(deadline)
            self._note(message)
            content = message.get("content", {})
            if (
                message["header"]["msg_type"] == "comm_msg"
                and content.get("comm_id") == comm_id
                and message.get("parent_header", {}).get("msg_id") == msg_id
            ):
                return content["data"]["state"]
