"""Maps Graph API error answers onto partnergraph's error classes, saying for a refused token
which object it may not use and what it lacks."""

import re
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
_CODE_PREFIX = re.compile(r"\(#(\d{1,9})\)\s*")
"""How the Graph API starts most messages: `(#10) Application does not have…`."""
_ON_BRAND = "instagram_branded_content_ads_brand and business_management on that brand"
_ON_ACCOUNT = "instagram_basic on that account"
_REFUSALS = {
    ("GET", "branded_content_ad_permissions"): ("read the permissions of brand", _ON_BRAND),
    ("POST", "branded_content_ad_permissions"): (
        "ask for or revoke the permissions of brand",
        _ON_BRAND,
    ),
    ("GET", "collaboration_invites"): (
        "read the collaboration invites of Instagram user",
        _ON_ACCOUNT,
    ),
    ("POST", "collaboration_invites"): (
        "answer the collaboration invites of Instagram user",
        _ON_ACCOUNT,
    ),
}
"""What a call on an edge does, and the Graph permissions its token needs (reference/)."""


def detail_from_body(body: Any, http_status: int) -> GraphErrorDetail | None:
    """The error detail of a Graph answer body, or None when the body is no Graph error."""
    if not isinstance(body, dict) or not isinstance(body.get("error"), dict):
        return None
    error = body["error"]
    message = str(error.get("message") or "")
    prefix = _CODE_PREFIX.match(message)
    code = _int_or_none(error.get("code"))
    if prefix is not None:
        message = message[prefix.end() :]
        code = int(prefix[1]) if code is None else code
    return GraphErrorDetail(
        code=code,
        subcode=_int_or_none(error.get("error_subcode")),
        type=error.get("type") if isinstance(error.get("type"), str) else None,
        message=message or "The Graph API refused the call.",
        fbtrace_id=error.get("fbtrace_id") if isinstance(error.get("fbtrace_id"), str) else None,
        is_transient=bool(error.get("is_transient")),
        http_status=http_status,
    )


def error_for(
    detail: GraphErrorDetail,
    retry_after: float | None = None,
    *,
    method: str = "GET",
    path: str = "",
) -> PartnergraphError:
    """The partnergraph error a Graph error becomes, for a call of method on path (below the
    version; empty for a batch)."""
    code = detail.code
    message = detail.message
    if code in _UNAUTHENTICATED:
        return Unauthenticated(message, graph=detail)
    if code == 10 or (code is not None and 200 <= code <= 299):
        return Forbidden(_refusal(detail, method, path), graph=detail)
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


def _refusal(detail: GraphErrorDetail, method: str, path: str) -> str:
    """What a token lacking a permission may not do, on which object, and what it needs."""
    owner, _, edge = path.strip("/").partition("/")
    known = _REFUSALS.get((method, edge))
    if known is None:
        where = f" on {owner}" if owner else ""
        return f"The Graph API refused this token's call{where}: {detail.message}"
    action, needs = known
    return f"The token may not {action} {owner}: it needs {needs}."


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
