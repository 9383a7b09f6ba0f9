"""The kernel websocket sends each message at once (TCP_NODELAY), in every JupyterLab the project starts.

With Nagle's algorithm on, a slider's picture waits in the server's socket for the browser's
delayed ACK of the kernel's `busy` status, about 40 ms (issue 14).
"""

from __future__ import annotations

import asyncio
import json
import socket
import uuid

import pytest
from jupyter_client import KernelManager
from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from jupyter_server.services.kernels.websocket import KernelWebsocketHandler
from tornado.httpclient import HTTPRequest
from tornado.httpserver import HTTPServer
from tornado.web import Application
from tornado.websocket import WebSocketHandler, websocket_connect

from rnn_lab_server.kernel_websocket import NoDelayKernelWebsocketConnection
from tools.labserver import REPO_ROOT, running_lab

CLASS_NAME = "rnn_lab_server.kernel_websocket.NoDelayKernelWebsocketConnection"
CONFIG = REPO_ROOT / "jupyter" / "jupyter_server_config.json"


# --- the connection class on a real loopback socket --------------------------------------------------


class BareKernelWebsocketHandler(KernelWebsocketHandler):
    """jupyter_server's kernel websocket handler without login and kernel lookup, on a plain Tornado app."""

    connection_class: type = ZMQChannelsWebsocketConnection
    seen: dict = {}

    async def prepare(self):
        """No login: this app has no identity provider."""

    async def get(self, kernel_id):
        """Make the connection as KernelWebsocketHandler.pre_get does, for a kernel manager that runs nothing."""
        self.kernel_id = kernel_id
        self.connection = self.connection_class(parent=KernelManager(kernel_id=kernel_id), websocket_handler=self)
        await WebSocketHandler.get(self, kernel_id)

    async def open(self, kernel_id):
        """As KernelWebsocketHandler.open (connect once the handshake is done); then read the socket option."""
        self.connection.connect()
        sock = self.ws_connection.stream.socket
        self.seen["TCP_NODELAY"] = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        self.write_message("opened")

    def on_close(self):
        """Nothing to disconnect: no kernel was attached."""


def server_side_nodelay(connection_class: type, monkeypatch) -> tuple[int, list]:
    """TCP_NODELAY on the server's end of a kernel websocket using `connection_class`, and the kernel hook-ups.

    Only jupyter_server's own step that attaches the kernel's ZMQ channels is replaced (by a
    recorder); the handshake, the handler, the connection object and the socket are real.
    """
    attached: list = []
    monkeypatch.setattr(ZMQChannelsWebsocketConnection, "connect", lambda self: attached.append(self.kernel_id))
    handler = type("Handler", (BareKernelWebsocketHandler,), {"connection_class": connection_class, "seen": {}})

    async def run() -> None:
        server = HTTPServer(Application([(r"/api/kernels/([^/]+)/channels", handler)]))
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        server.add_sockets([listener])
        try:
            port = listener.getsockname()[1]
            client = await websocket_connect(f"ws://127.0.0.1:{port}/api/kernels/k1/channels")
            assert await asyncio.wait_for(client.read_message(), 10) == "opened"
            client.close()
        finally:
            server.stop()

    asyncio.run(run())
    return handler.seen["TCP_NODELAY"], attached


def test_jupyter_servers_own_kernel_websocket_leaves_nagle_on(monkeypatch):
    # The reason for the class: left alone, the server delays small writes on the kernel websocket.
    option, attached = server_side_nodelay(ZMQChannelsWebsocketConnection, monkeypatch)
    assert option == 0, f"TCP_NODELAY is {option} with jupyter_server's own connection; expected 0 (Nagle on)"
    assert attached == ["k1"]


def test_nodelay_class_turns_tcp_nodelay_on_then_connects_as_jupyter_server_does(monkeypatch):
    option, attached = server_side_nodelay(NoDelayKernelWebsocketConnection, monkeypatch)
    assert option != 0, "TCP_NODELAY is still 0 on the server's socket after NoDelayKernelWebsocketConnection.connect"
    assert attached == ["k1"], "the class did not hand over to ZMQChannelsWebsocketConnection.connect"


# --- the project's configuration ---------------------------------------------------------------------


def test_project_config_names_the_nodelay_class():
    config = json.loads(CONFIG.read_text())
    assert config["ServerApp"]["kernel_websocket_connection_class"] == CLASS_NAME


async def _open_kernel_websocket(port: int, token: str, kernel_id: str) -> None:
    """Connect to a kernel's channels as JupyterLab does, and wait for its first message."""
    url = f"ws://127.0.0.1:{port}/api/kernels/{kernel_id}/channels?session_id={uuid.uuid4().hex}"
    request = HTTPRequest(url, headers={"Authorization": f"token {token}"})
    client = await websocket_connect(request, subprotocols=["v1.kernel.websocket.jupyter.org"])
    try:
        assert await asyncio.wait_for(client.read_message(), 60) is not None
    finally:
        client.close()


@pytest.mark.timeout(300)
def test_the_server_the_project_starts_sets_nodelay_on_kernel_websockets(tmp_path):
    # tools/labserver.py starts the server for the browser tests and `make bench`, with the
    # settings that `make install` copies into the venv (as `make lab` uses them).
    with running_lab({}, log_dir=tmp_path) as lab:
        status, kernel = lab.request("/api/kernels", method="POST")
        assert status == 201, f"starting a kernel answered {status}"
        try:
            asyncio.run(_open_kernel_websocket(lab.port, lab.token, kernel["id"]))
        finally:
            lab.request(f"/api/kernels/{kernel['id']}", method="DELETE")
        log = lab.log_path.read_text(errors="replace")
    assert f"Kernel websocket {kernel['id']}: TCP_NODELAY on" in log, (
        f"the server did not report TCP_NODELAY on for the kernel websocket; is {CLASS_NAME} in "
        f".venv/etc/jupyter/jupyter_server_config.json (run `make install`)? Server log:\n{log[-3000:]}"
    )
