"""uvicorn's httptools protocol with a bound on a request's head: HTTP 431 past it.

httptools buffers a request line or a header of any size until its line ends, and
uvicorn keeps every header: ten megabytes of headers held the event loop while they
were parsed, and one endless header grew the process as long as it was sent. Here
the bytes of each request's head (its request line and headers) are counted before
the parser sees them, and the connection is answered 431 and closed as soon as the
head would pass the bound, so no more than it is ever buffered. The close lingers, as
HTTP servers' early answers do: what the client still sends is read and dropped for a
moment, since closing on unread data would reset the connection and could lose the 431.
"""

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["MAX_HEAD_BYTES", "BoundedHeadersProtocol"]

MAX_HEAD_BYTES = 64 * 1024
"""The most bytes a request's line and headers may take; browsers send a few KiB."""
_LINGER = 2.0
"""Seconds a refused connection is read and dropped before it is closed."""

_REASON = f"The request's line and headers are over {MAX_HEAD_BYTES // 1024} KiB.\n".encode()
_REFUSAL = b"".join(
    [
        b"HTTP/1.1 431 Request Header Fields Too Large\r\n",
        b"content-type: text/plain; charset=utf-8\r\n",
        b"content-length: %d\r\n" % len(_REASON),
        b"connection: close\r\n\r\n",
        _REASON,
    ]
)


class BoundedHeadersProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, answering 431 to a head over MAX_HEAD_BYTES."""

    _head_bytes = 0
    """Bytes received since the last request's head ended (or the connection began)."""
    _in_body = False
    _heads = 0
    """Heads parsed on this connection."""
    _refused = False

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

    def _refuse(self) -> None:
        self._refused = True
        self.transport.write(_REFUSAL)
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(_LINGER, self.transport.close)

    def on_headers_complete(self) -> None:
        """The head ended: what follows is its body, not counted here."""
        self._heads += 1
        self._in_body = True
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        """The request ended: the next one's head is counted from here."""
        self._in_body = False
        self._head_bytes = 0
        super().on_message_complete()
