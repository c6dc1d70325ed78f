"""uvicorn's httptools protocol with a bound on a request's header bytes: HTTP 431 past it.

httptools parses headers of any size, and uvicorn keeps every one: a request of ten
megabytes of headers holds the event loop while it is parsed, and is then handed to
the app. Here the headers are counted as the parser reports them, and the connection
is answered 431 and closed as soon as they pass the bound, before more is parsed.
"""

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["MAX_HEADER_BYTES", "BoundedHeadersProtocol"]

MAX_HEADER_BYTES = 64 * 1024
"""The most header bytes (names and values) a request may carry; browsers send a few KiB."""

_REASON = f"The request's headers are over {MAX_HEADER_BYTES // 1024} KiB.\n".encode()
_REFUSAL = b"".join(
    [
        b"HTTP/1.1 431 Request Header Fields Too Large\r\n",
        b"content-type: text/plain; charset=utf-8\r\n",
        b"content-length: %d\r\n" % len(_REASON),
        b"connection: close\r\n\r\n",
        _REASON,
    ]
)


class _HeadersTooLarge(httptools.HttpParserError):
    """Raised from the parser's header callback to stop parsing the request."""


class BoundedHeadersProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, answering 431 to headers over MAX_HEADER_BYTES."""

    _header_bytes = 0
    _refused = False

    def on_message_begin(self) -> None:
        """A new request: no header bytes counted yet."""
        super().on_message_begin()
        self._header_bytes = 0

    def on_header(self, name: bytes, value: bytes) -> None:
        """Count the header; past the bound, answer 431, close, and stop the parser."""
        self._header_bytes += len(name) + len(value)
        if self._header_bytes > MAX_HEADER_BYTES:
            self._refused = True
            self.transport.write(_REFUSAL)
            self.transport.close()
            raise _HeadersTooLarge
        super().on_header(name, value)

    def send_400_response(self, msg: str) -> None:
        """uvicorn's 400 for a request the parser refused, unless it was answered 431."""
        if not self._refused:
            super().send_400_response(msg)
