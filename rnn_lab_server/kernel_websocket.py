"""A kernel websocket that sends each message at once (TCP_NODELAY), so a slider's picture is not held back.

Tornado leaves Nagle's algorithm on for websockets, and jupyter_server never turns it off. A kernel
answers a slider move with a small `busy` status first; with Nagle on, the comm message and the
image behind it wait in the server's socket until the browser acknowledges `busy`, which a
delayed ACK makes about 40 ms. jupyter/jupyter_server_config.json plugs this class in:

    {"ServerApp": {"kernel_websocket_connection_class":
        "rnn_lab_server.kernel_websocket.NoDelayKernelWebsocketConnection"}}
"""

from __future__ import annotations

import socket

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from tornado.websocket import WebSocketHandler


def set_nodelay(handler: WebSocketHandler) -> bool | None:
    """Turn TCP_NODELAY on for an open websocket; return what its socket then reports (None: not TCP)."""
    connection = handler.ws_connection
    sock = connection.stream.socket if connection is not None else None  # type: ignore[attr-defined]
    if sock is None or sock.family not in (socket.AF_INET, socket.AF_INET6):
        return None  # closed already, or a Unix socket (ServerApp.sock), where Nagle does not apply
    handler.set_nodelay(True)
    return bool(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))


class NoDelayKernelWebsocketConnection(ZMQChannelsWebsocketConnection):
    """jupyter_server's kernel websocket connection, with TCP_NODELAY on its socket."""

    def connect(self):
        """Turn Nagle's algorithm off, then connect to the kernel as jupyter_server does."""
        # KernelWebsocketHandler.open() calls this after the handshake, so the socket exists.
        nodelay = set_nodelay(self.websocket_handler)
        if nodelay is not None:
            self.log.info("Kernel websocket %s: TCP_NODELAY %s", self.kernel_id, "on" if nodelay else "OFF")
        return super().connect()
