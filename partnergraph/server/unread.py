"""uvicorn's WebSocket protocol, dropping a connection whose client leaves what it is sent
unread: sends already wait while the connection's write buffer is over its high-water mark
(backpressure), and a client that reads nothing for `send_timeout` seconds is cut off.

The kernel's send buffer of the connection is fixed at KERNEL_SEND_BUFFER: left to grow,
it holds up to megabytes (net.ipv4.tcp_wmem) for a client that does not read before
the write buffer above it fills and the wait begins.

A close frame (or any reason) could only reach such a client behind what it has not read,
so the connection is reset (SO_LINGER 0: the kernel keeps none of its buffer either): the
application sees the client gone, and its sends waiting on the buffer end.
"""

import asyncio
import socket
import struct
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

__all__ = ["KERNEL_SEND_BUFFER", "SEND_TIMEOUT", "UnreadSocketProtocol"]

KERNEL_SEND_BUFFER = 256 * 1024
"""Bytes of a WebSocket's kernel send buffer (Linux doubles it for its bookkeeping)."""
_RESET = struct.pack("ii", 1, 0)
"""SO_LINGER on, for 0 seconds: closing resets the connection, dropping what is unsent."""

SEND_TIMEOUT = 30.0
"""Seconds a WebSocket may leave its write buffer full by default
(PARTNERGRAPH_SOCKET_SEND_TIMEOUT)."""


class UnreadSocketProtocol(WebSocketsSansIOProtocol):
    """Aborts the connection when its write buffer stays over the high-water mark (the client
    reads nothing) for send_timeout seconds, on the loop's clock."""

    def __init__(self, *args: Any, send_timeout: float = SEND_TIMEOUT, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._send_timeout = send_timeout
        self._stalled: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Fix the connection's kernel send buffer."""
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, KERNEL_SEND_BUFFER)
        super().connection_made(transport)

    def pause_writing(self) -> None:
        """The client has not read what it was sent: it has send_timeout seconds to."""
        super().pause_writing()
        if self._stalled is None:
            self._stalled = self.loop.call_later(self._send_timeout, self._abort)

    def resume_writing(self) -> None:
        """The client read: no deadline until it falls behind again."""
        super().resume_writing()
        self._forget_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        """Nothing to cut off any more."""
        self._forget_deadline()
        super().connection_lost(exc)

    def _forget_deadline(self) -> None:
        if self._stalled is not None:
            self._stalled.cancel()
            self._stalled = None

    def _abort(self) -> None:
        self._stalled = None
        sock = self.transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _RESET)
        self.transport.abort()
