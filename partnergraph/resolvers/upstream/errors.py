"""Maps Graph API error answers onto partnergraph's error classes."""

from typing import Any

from partnergraph.errors import (
    BadUserInput,
    Forbidden,
    GraphErrorDetail,
    NotFound,
    PartnergraphError,
    RateLimited,
    Unauthenticated,
    UpstreamUnavailable,
)

_UNAUTHENTICATED = {102, 104, 190}
_RATE_LIMITED = {4, 17, 32, 613, 80002}
_UNAVAILABLE = {1, 2}
_NOT_FOUND = {803}
_UNKNOWN_OBJECT_SUBCODE = 33
_CURSOR_CODES = {2642}
_DEFAULT_RETRY_AFTER = 60.0


def detail_from_body(body: Any, http_status: int) -> GraphErrorDetail | None:
    """The error detail of a Graph answer body, or None when the body is no Graph error."""
    if not isinstance(body, dict) or not isinstance(body.get("error"), dict):
        return None
    error = body["error"]
    return GraphErrorDetail(
        code=_int_or_none(error.get("code")),
        subcode=_int_or_none(error.get("error_subcode")),
        type=error.get("type") if isinstance(error.get("type"), str) else None,
        message=str(error.get("message") or "The Graph API refused the call."),
        fbtrace_id=error.get("fbtrace_id") if isinstance(error.get("fbtrace_id"), str) else None,
        is_transient=bool(error.get("is_transient")),
        http_status=http_status,
    )


def error_for(detail: GraphErrorDetail, retry_after: float | None = None) -> PartnergraphError:
    """The partnergraph error a Graph error becomes."""
    code = detail.code
    message = detail.message
    if code in _UNAUTHENTICATED:
        return Unauthenticated(message, graph=detail)
    if code == 10 or (code is not None and 200 <= code <= 299):
        return Forbidden(message, graph=detail)
    if code in _NOT_FOUND or (code == 100 and detail.subcode == _UNKNOWN_OBJECT_SUBCODE):
        return NotFound(message, graph=detail)
    if code in _RATE_LIMITED:
        return RateLimited(message, graph=detail, retry_after=retry_after or _DEFAULT_RETRY_AFTER)
    if code in _UNAVAILABLE or detail.is_transient or detail.http_status >= 500:
        return UpstreamUnavailable(message, graph=detail)
    if code in _CURSOR_CODES:
        return BadUserInput(f"The cursor is no longer valid: {message}", graph=detail)
    if code == 100:
        return BadUserInput(message, graph=detail)
    return UpstreamUnavailable(message, graph=detail)  # a code the Graph API does not document


def refused(error: BaseException) -> bool:
    """Whether the Graph API turned a call away for whom or what it names: nothing changed."""
    return isinstance(error, Unauthenticated | Forbidden | NotFound)


def is_retryable(error: PartnergraphError) -> bool:
    """Whether a failed read may be sent again: transient Graph errors, 5xx and timeouts.

    An error code the Graph API does not document is its fault, but not one to send again for.
    """
    if not isinstance(error, UpstreamUnavailable):
        return False
    graph = error.graph
    return (
        graph is None
        or graph.is_transient
        or graph.code in _UNAVAILABLE
        or graph.http_status >= 500
    )


def _int_or_none(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None
