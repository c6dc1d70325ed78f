"""Each HTTP request's and WebSocket connection's id, record and access line, and what it
caused upstream.

`AccessLog` wraps the app: it opens the request's record, echoes its id in the
`X-Request-Id` header, answers an unhandled exception with a coded 500 (the traceback
goes to the log only), then writes one access line and counts the GraphQL request. A
WebSocket connection gets its id and record the same way, and its access line when it
ends; its operations are counted as they end (partnergraph.server.sockets).
`RequestObserver` is what the upstream client and the caches report to.
"""

import json
import logging
import os
import re
import time
from collections.abc import Mapping

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from partnergraph import telemetry
from partnergraph.schema.errors import INTERNAL_MESSAGE
from partnergraph.server.metrics import Metrics
from partnergraph.telemetry import RequestRecord, UpstreamCall

__all__ = ["AccessLog", "RequestObserver", "request_id"]

_access = logging.getLogger("partnergraph.access")
_upstream = logging.getLogger("partnergraph.upstream")

_REQUEST_ID = re.compile(r"[A-Za-z0-9._:/+=@-]{1,128}")
_PROBES = frozenset({"/healthz", "/readyz", "/metrics"})
"""Paths whose access lines are DEBUG: probes and scrapes would drown the rest."""
_SHOWN = 200
_CLIENT_CLOSED = 499
"""The status logged for a client that left before its request was read (nginx's)."""


def request_id(header: bytes | None) -> str:
    """The client's X-Request-Id when it is 1-128 token characters, else a new random id."""
    if header is not None:
        sent = header.decode("latin-1")
        if _REQUEST_ID.fullmatch(sent):
            return sent
    return os.urandom(16).hex()  # as random as uuid4().hex, a few times cheaper


class AccessLog:
    """ASGI middleware: one record, one `X-Request-Id` and one access line per HTTP request
    or WebSocket connection."""

    def __init__(self, app: ASGIApp, metrics: Metrics, graphql_path: str = "/graphql") -> None:
        self._app = app
        self._metrics = metrics
        self._graphql_path = graphql_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self._connection(scope, receive, send)
            return
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        record = RequestRecord(request_id(_header(scope, b"x-request-id")))
        began = time.perf_counter()
        status = 500
        started = finished = False

        def finish() -> None:
            nonlocal finished
            finished = True
            self._finish(scope, record, status, time.perf_counter() - began)

        async def send_with_id(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                status, started = message["status"], True
                id_header = (b"x-request-id", record.request_id.encode())
                message["headers"] = [*message.get("headers", ()), id_header]
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                finish()  # logged before the last byte leaves: a client that has it can read it
            await send(message)

        with telemetry.recording(record):
            try:
                await self._app(scope, receive, send_with_id)
            except ClientDisconnect:
                status = _CLIENT_CLOSED  # nothing can be answered; no fault of the server's
            except Exception:
                _access.exception("unhandled error answering %s", _shown(scope["path"]))
                if started:
                    raise
                await send_with_id(_internal_error_start())
                await send_with_id(_internal_error_body())
            finally:
                if not finished:
                    finish()

    async def _connection(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A WebSocket connection: its id in the handshake's answer, its access line when it
        ends, with the status of the handshake and the close code either side sent."""
        record = RequestRecord(request_id(_header(scope, b"x-request-id")))
        began = time.perf_counter()
        status = 500  # what the server answers a handshake the app neither takes nor refuses
        close_code: int | None = None

        async def receive_closing() -> Message:
            nonlocal close_code
            message = await receive()
            if message["type"] == "websocket.disconnect" and close_code is None:
                close_code = message.get("code", 1005)
            return message

        async def send_with_id(message: Message) -> None:
            nonlocal status, close_code
            if message["type"] == "websocket.accept":
                status = 101
                id_header = (b"x-request-id", record.request_id.encode())
                message["headers"] = [*message.get("headers", ()), id_header]
            elif message["type"] == "websocket.close":
                status = 101 if status == 101 else 403  # a handshake closed is refused
                close_code = message.get("code", 1000) if close_code is None else close_code
            await send(message)

        with telemetry.recording(record):
            try:
                await self._app(scope, receive_closing, send_with_id)
            finally:
                if _access.isEnabledFor(logging.INFO):
                    more = {
                        "operations": record.operations,
                        "upstreamCalls": record.upstream_calls,
                        "closeCode": close_code,
                    }
                    seconds = time.perf_counter() - began
                    _write(
                        logging.INFO,
                        scope,
                        record,
                        method="GET",
                        status=status,
                        seconds=seconds,
                        more=more,
                    )

    def _finish(self, scope: Scope, record: RequestRecord, status: int, seconds: float) -> None:
        relative = scope["path"][len(scope.get("root_path", "")) :]
        graphql = relative == self._graphql_path and not record.graphiql_page
        outcome = record.outcome(status)
        if graphql:
            self._metrics.request(record.operation_name, outcome, seconds)
        level = logging.DEBUG if relative in _PROBES else logging.INFO
        if not _access.isEnabledFor(level):
            return
        fields: dict[str, object] = {}
        if graphql:
            fields = {
                "operationName": _shown(record.operation_name) if record.operation_name else None,
                # only queries are answered from the cache
                "operationType": record.operation_type
                or ("query" if record.answered_from_cache else None),
                "cached": record.answered_from_cache,
                "upstreamCalls": record.upstream_calls,
                "outcome": outcome,
            }
        _write(
            level,
            scope,
            record,
            method=scope["method"],
            status=status,
            seconds=seconds,
            more=fields,
        )


class RequestObserver:
    """Feeds the metrics, counts upstream calls in the request's record, logs each at DEBUG."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def upstream_call(self, call: UpstreamCall) -> None:
        """A Graph API HTTP request ended."""
        record = telemetry.current()
        if record is not None:
            record.upstream_calls += 1
        self._metrics.upstream_call(call)
        if not _upstream.isEnabledFor(logging.DEBUG):
            return  # nothing built for a line that would not be written
        _upstream.debug(
            "%s %s %s",
            call.method,
            call.edge,
            call.status,
            extra={
                "fields": {
                    "edge": call.edge,
                    "method": call.method,
                    "status": call.status,
                    "durationMs": round(call.seconds * 1000, 2),
                    "attempt": call.attempt,
                }
            },
        )

    def batch_entry(self, edge: str, method: str, status: str) -> None:
        """One call inside a Graph batch was answered."""
        self._metrics.batch_entry(edge, method, status)

    def cache_lookup(self, cache: str, hit: bool) -> None:
        """A cache was asked for an entry; a whole answer found marks the request cached."""
        self._metrics.cache_lookup(cache, hit)
        record = telemetry.current()
        if hit and cache == "answers" and record is not None:
            record.answered_from_cache = True

    def flight_joined(self, cache: str) -> None:
        """A read joined one in flight."""
        self._metrics.flight_joined(cache)


def _write(
    level: int,
    scope: Scope,
    record: RequestRecord,
    *,
    method: str,
    status: int,
    seconds: float,
    more: Mapping[str, object],
) -> None:
    """Write an access line: the request's id, method, path, status and duration, the
    client's address (a trusted proxy's X-Forwarded-For, as uvicorn reads it) and user
    agent, and more."""
    path = _shown(scope["path"])
    client = scope.get("client")
    agent = _header(scope, b"user-agent")
    fields: dict[str, object] = {
        "requestId": record.request_id,
        "method": method,
        "path": path,
        "status": status,
        "durationMs": round(seconds * 1000, 2),
        "client": client[0] if client else None,
        "userAgent": _shown(agent.decode("latin-1")) if agent is not None else None,
        **more,
    }
    # As _access.log() would, without looking up the caller's frame, which no line shows.
    args = (method, path, status)
    line = _access.makeRecord(
        _access.name, level, "", 0, "%s %s %d", args, None, extra={"fields": fields}
    )
    _access.handle(line)


def _header(scope: Scope, name: bytes) -> bytes | None:
    """The value of a request header (by its lowercase name), the last if repeated."""
    found: bytes | None = None
    for key, value in scope["headers"]:
        if key == name:
            found = value
    return found


def _shown(text: str) -> str:
    """A path (never its query string, which can hold a document) or an operation name as
    logged: printable and bounded."""
    shown = text[:_SHOWN]
    if shown.isprintable():
        return shown
    return "".join(char if char.isprintable() else "?" for char in shown)


def _internal_error_start() -> Message:
    return {
        "type": "http.response.start",
        "status": 500,
        "headers": [(b"content-type", b"application/json")],
    }


def _internal_error_body() -> Message:
    error = {
        "message": INTERNAL_MESSAGE,
        "extensions": telemetry.error_extensions({"code": "INTERNAL_SERVER_ERROR"}),
    }
    return {"type": "http.response.body", "body": json.dumps({"errors": [error]}).encode()}
