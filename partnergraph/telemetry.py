"""What one request did and what the layers below the server report, for its logs and metrics.

The server opens a `RequestRecord` for each HTTP request and WebSocket connection, and
for each operation on a connection (`recording`); code below it
finds the record with `current()`, and reports upstream calls and cache lookups to the
`Observer` it was given, which the server implements.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = [
    "UNOBSERVED",
    "Observer",
    "RequestRecord",
    "UpstreamCall",
    "current",
    "error_extensions",
    "note_error",
    "recording",
]


@dataclass(slots=True)
class RequestRecord:
    """One HTTP request, WebSocket connection or operation on one, as its access line and
    metrics tell it."""

    request_id: str
    operation_name: str | None = None
    operation_type: str | None = None
    answered_from_cache: bool = False
    graphiql_page: bool = False
    """Answered with GraphiQL's page (a browser opening the endpoint): no GraphQL request."""
    upstream_calls: int = 0
    """Graph HTTP requests this request caused (a batch is one)."""
    first_error_code: str | None = None
    """The `extensions.code` of the first error the answer (or operation) told; only the
    first is kept, however many a long subscription tells."""
    operations: int = 0
    """Operations a WebSocket connection ran (subscribe messages it took): subscriptions,
    queries and mutations alike."""

    def outcome(self, status: int) -> str:
        """`ok`, the first error's code, or `HTTP_<status>` for a refusal without one."""
        if self.first_error_code is not None:
            return self.first_error_code
        return "ok" if status < 400 else f"HTTP_{status}"


_current: ContextVar[RequestRecord | None] = ContextVar("partnergraph_request", default=None)


def current() -> RequestRecord | None:
    """The record of the request being served, if any."""
    return _current.get()


@contextmanager
def recording(record: RequestRecord) -> Iterator[RequestRecord]:
    """Make record the current one for the block (and the tasks it starts)."""
    token = _current.set(record)
    try:
        yield record
    finally:
        _current.reset(token)


def error_extensions(extensions: dict[str, Any]) -> dict[str, Any]:
    """An error's extensions with the request's id, its code noted in the request's record."""
    record = _current.get()
    if record is None:
        return extensions
    code = extensions.get("code")
    if isinstance(code, str):
        note_error(code)
    return {**extensions, "requestId": record.request_id}


def note_error(code: str) -> None:
    """Note in the request's record the code of an error, unless one came first: told in an
    answer (error_extensions) or otherwise (a WebSocket closed on it)."""
    record = _current.get()
    if record is not None and record.first_error_code is None:
        record.first_error_code = code


@dataclass(frozen=True, slots=True)
class UpstreamCall:
    """One Graph API HTTP request as it ended."""

    edge: str
    method: str
    status: str
    """The HTTP status, or `timeout`, `unreachable` or `cancelled` when there was no answer."""
    seconds: float
    attempt: int
    """1 for the first try of a read, 2 for its first retry, and so on."""


class Observer(Protocol):
    """Receives what the upstream client and the caches do."""

    def upstream_call(self, call: UpstreamCall) -> None:
        """A Graph API HTTP request ended."""

    def batch_entry(self, edge: str, method: str, status: str) -> None:
        """One call inside a Graph batch was answered."""

    def cache_lookup(self, cache: str, hit: bool) -> None:
        """A cache (`pages`, `answers`) was asked for an entry."""

    def flight_joined(self, cache: str) -> None:
        """A read joined an identical one already in flight instead of calling again."""


class _Unobserved:
    """An observer that ignores everything: for clients and caches used outside a server."""

    def upstream_call(self, call: UpstreamCall) -> None:
        """Ignored."""

    def batch_entry(self, edge: str, method: str, status: str) -> None:
        """Ignored."""

    def cache_lookup(self, cache: str, hit: bool) -> None:
        """Ignored."""

    def flight_joined(self, cache: str) -> None:
        """Ignored."""


UNOBSERVED: Observer = _Unobserved()
