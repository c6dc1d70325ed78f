"""The one exception hierarchy of partnergraph, each class carrying its GraphQL error code."""

from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True, slots=True)
class GraphErrorDetail:
    """What the Graph API said about a failed call, safe to show a client."""

    code: int | None
    subcode: int | None
    type: str | None
    message: str
    fbtrace_id: str | None
    is_transient: bool
    http_status: int

    def as_extension(self) -> dict[str, Any]:
        """The `extensions.graph` object of a GraphQL error."""
        return {"code": self.code, "subcode": self.subcode, "fbtraceId": self.fbtrace_id}


class PartnergraphError(Exception):
    """Base of every error partnergraph raises; `code` becomes `extensions.code`."""

    code: ClassVar[str] = "INTERNAL_SERVER_ERROR"

    def __init__(
        self,
        message: str,
        *,
        graph: GraphErrorDetail | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.graph = graph
        self.retry_after = retry_after

    @property
    def extensions(self) -> dict[str, Any]:
        """The `extensions` object of the GraphQL error this becomes (graphql-core copies it)."""
        extensions: dict[str, Any] = {"code": self.code}
        if self.retry_after is not None:
            extensions["retryAfter"] = max(1, round(self.retry_after))
        if self.graph is not None:
            extensions["graph"] = self.graph.as_extension()
            if self.graph.code is not None:
                extensions["graphCode"] = self.graph.code  # what the Graph API prefixes `(#N)`
        return extensions


class SettingsError(PartnergraphError, ValueError):
    """A setting has a value the server cannot run with."""


class BadUserInput(PartnergraphError):
    """The request is malformed: a bad argument, cursor, ID or page size."""

    code = "BAD_USER_INPUT"


class Unauthenticated(PartnergraphError):
    """No access token, or one the Graph API does not accept."""

    code = "UNAUTHENTICATED"


class Forbidden(PartnergraphError):
    """The token lacks the permission or scope the call needs."""

    code = "FORBIDDEN"


class NotFound(PartnergraphError):
    """The Graph API knows no such object, or will not show it to this token."""

    code = "NOT_FOUND"


class BeyondScanBudget(PartnergraphError):
    """What was asked for may be in a list, but past what one request may scan of it."""

    code = "SCAN_BUDGET_EXCEEDED"


class RateLimited(PartnergraphError):
    """A Graph API or local rate limit refuses the call for now."""

    code = "RATE_LIMITED"


class UpstreamUnavailable(PartnergraphError):
    """The Graph API failed, timed out or answered something unreadable."""

    code = "UPSTREAM_UNAVAILABLE"


class QueryTooComplex(PartnergraphError):
    """The document asks for more work than one request may cost."""

    code = "QUERY_TOO_COMPLEX"


class AnswerTooLarge(PartnergraphError):
    """The answer ran to more bytes than one answer may take."""

    code = "ANSWER_TOO_LARGE"


class PersistedQueryNotFound(PartnergraphError):
    """A persisted-query hash this server has no document for: send the query with it."""

    code = "PERSISTED_QUERY_NOT_FOUND"


class PersistedQueryNotAllowed(PartnergraphError):
    """A document outside the trusted-documents manifest, on a server that runs only those."""

    code = "PERSISTED_QUERY_NOT_ALLOWED"
