"""Refuses request bodies over a size with HTTP 413 and a GraphQL error, before they are read.

A declared Content-Length over the limit is refused at once; a body streamed
without one is counted as it arrives and refused as soon as it goes over.
"""

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from partnergraph.errors import QueryTooComplex
from partnergraph.schema.errors import coded_refusal

__all__ = ["MAX_BODY_BYTES", "BodyLimit"]

MAX_BODY_BYTES = 128 * 1024
"""The largest request body the server reads (a bulk mutation of 500 creators is ~20 KiB)."""


class _TooLarge(Exception):
    """The body went over the limit while it was read."""


class BodyLimit:
    """ASGI middleware: HTTP 413 for a body over max_bytes, whether declared or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self._app = app
        self._max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        if self._declared_too_large(scope):
            await self._refusal()(scope, receive, send)
            return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self._max_bytes:
                    raise _TooLarge
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self._app(scope, counted_receive, watched_send)
        except _TooLarge:
            if started:  # the app answered before it read the whole body: nothing to add
                return
            await self._refusal()(scope, receive, send)

    def _declared_too_large(self, scope: Scope) -> bool:
        for name, value in scope["headers"]:
            if name == b"content-length":
                return value.isdigit() and int(value) > self._max_bytes
        return False

    def _refusal(self) -> JSONResponse:
        message = f"The request body is larger than {self._max_bytes} bytes."
        error = coded_refusal(QueryTooComplex(message)).formatted
        return JSONResponse({"errors": [error]}, status_code=413)
