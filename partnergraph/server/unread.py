"""uvicorn's WebSocket protocol, dropping a connection whose client leaves what it is sent
unread: sends already wait while the connection's write buffer is over its high-water mark
(backpressure), and a client that reads nothing for `send_timeout` seconds is cut off.

A close frame (or any reason) could only reach such a client behind what it has not read,
so the connection is aborted, its buffer dropped: the client sees it reset, the
application sees it gone, and its sends waiting on the buffer end.
"""

import asyncio
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

__all__ = ["SEND_TIMEOUT", "UnreadSocketProtocol"]

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
        self.transport.abort()
