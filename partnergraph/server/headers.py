"""uvicorn's httptools protocol with bounds on a request's head (HTTP 431 past its size) and
on the time its head and body take to arrive (HTTP 408 past them).

httptools buffers a request line or a header of any size until its line ends, and
uvicorn keeps every header: ten megabytes of headers held the event loop while they
were parsed, and one endless header grew the process as long as it was sent. Here
the bytes of each request's head (its request line and headers) are counted before
the parser sees them, and the connection is answered 431 and closed as soon as the
head would pass the bound, so no more than it is ever buffered. The close lingers, as
HTTP servers' early answers do: what the client still sends is read and dropped for a
moment, since closing on unread data would reset the connection and could lose the 431.

A connection must send a request's head within a time from its first byte (or, for a new
connection, from when it opened), and the body within a time from the head's end: a
client trickling a header line every few seconds, or a body a byte at a time, is answered
408 and closed, and one that opens a connection and sends nothing is closed. An idle
keep-alive connection is closed by uvicorn's own timeout_keep_alive.
"""

import asyncio
from collections.abc import Callable
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = [
    "BODY_TIMEOUT",
    "HEAD_TIMEOUT",
    "KEEP_ALIVE_TIMEOUT",
    "MAX_HEAD_BYTES",
    "BoundedHeadersProtocol",
]

MAX_HEAD_BYTES = 64 * 1024
"""The most bytes a request's line and headers may take; browsers send a few KiB."""
HEAD_TIMEOUT = 10.0
"""Seconds a request's line and headers may take by default (PARTNERGRAPH_HEAD_TIMEOUT)."""
BODY_TIMEOUT = 30.0
"""Seconds a request's body may take by default (PARTNERGRAPH_BODY_TIMEOUT): 128 KiB at most."""
KEEP_ALIVE_TIMEOUT = 5.0
"""Seconds an idle keep-alive connection is held by default (PARTNERGRAPH_KEEP_ALIVE_TIMEOUT),
uvicorn's timeout_keep_alive."""
_LINGER = 2.0
"""Seconds a refused connection is read and dropped before it is closed."""


def _answer(status: bytes, reason: str) -> bytes:
    body = reason.encode()
    return b"".join(
        [
            b"HTTP/1.1 " + status + b"\r\n",
            b"content-type: text/plain; charset=utf-8\r\n",
            b"content-length: %d\r\n" % len(body),
            b"connection: close\r\n\r\n",
            body,
        ]
    )


_TOO_LARGE = _answer(
    b"431 Request Header Fields Too Large",
    f"The request's line and headers are over {MAX_HEAD_BYTES // 1024} KiB.\n",
)
_HEAD_LATE = _answer(b"408 Request Timeout", "The request's line and headers came too slowly.\n")
_BODY_LATE = _answer(b"408 Request Timeout", "The request's body came too slowly.\n")


class BoundedHeadersProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, answering 431 to a head over MAX_HEAD_BYTES and 408 to a
    head or body that takes longer than its timeout (seconds, on the loop's clock)."""

    _head_bytes = 0
    """Bytes received since the last request's head ended (or the connection began)."""
    _in_body = False
    _heads = 0
    """Heads parsed on this connection."""
    _refused = False
    _deadline: asyncio.TimerHandle | None = None
    """When the head or body now awaited is late."""

    def __init__(
        self,
        *args: Any,
        head_timeout: float = HEAD_TIMEOUT,
        body_timeout: float = BODY_TIMEOUT,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._head_timeout = head_timeout
        self._body_timeout = body_timeout

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """A new connection must send its first request's head in time."""
        super().connection_made(transport)
        self._await(self._head_timeout, self._head_late)

    def connection_lost(self, exc: Exception | None) -> None:
        """Nothing is awaited any more."""
        self._await(None, None)
        super().connection_lost(exc)

    def handle_websocket_upgrade(self) -> None:
        """The connection speaks WebSocket from here: its own protocol bounds it."""
        self._await(None, None)
        super().handle_websocket_upgrade()

    def on_message_begin(self) -> None:
        """A request's first byte: its head must end in time (a new connection's already
        counts from when it opened)."""
        if self._deadline is None:
            self._await(self._head_timeout, self._head_late)
        super().on_message_begin()

    def data_received(self, data: bytes) -> None:
        """Parse data, but no more of a request's head than the bound allows."""
        if self._refused:
            return  # lingering: dropped
        if self._in_body:
            super().data_received(data)
            return
        room = MAX_HEAD_BYTES - self._head_bytes
        if len(data) <= room:
            self._head_bytes += len(data)
            super().data_received(data)
            return
        heads, self._head_bytes = self._heads, MAX_HEAD_BYTES
        super().data_received(data[:room])
        if self.transport.is_closing():
            return
        if self._heads == heads:  # still in the head the bound allowed room for
            self._refuse()
            return
        self.data_received(data[room:])  # that head ended within the bound

    def _await(self, timeout: float | None, late: Callable[[], None] | None) -> None:
        """Call late after timeout seconds instead of what was awaited; None awaits nothing."""
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = None if late is None else self.loop.call_later(timeout or 0.0, late)

    def _head_late(self) -> None:
        self._deadline = None
        if self._head_bytes == 0 and (self.cycle is None or self.cycle.response_complete):
            self.transport.close()  # nothing asked and nothing being answered: just idle
        else:
            self._refuse(_HEAD_LATE)

    def _body_late(self) -> None:
        self._deadline = None
        cycle = self.cycle
        answered = cycle is not None and cycle.response_started
        if cycle is not None and not cycle.response_complete:
            cycle.disconnected = True  # what the app still sends is dropped, as on a lost client
            cycle.message_event.set()
        if answered:
            self.transport.close()
        else:
            self._refuse(_BODY_LATE)

    def _refuse(self, answer: bytes = _TOO_LARGE) -> None:
        self._await(None, None)
        self._refused = True
        self.transport.write(answer)
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(_LINGER, self.transport.close)

    def on_headers_complete(self) -> None:
        """The head ended: what follows is its body, not counted here but timed."""
        self._heads += 1
        self._in_body = True
        self._await(self._body_timeout, self._body_late)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        """The request ended: the next one's head is counted (and timed) from its first byte."""
        self._in_body = False
        self._head_bytes = 0
        self._await(None, None)
        super().on_message_complete()
