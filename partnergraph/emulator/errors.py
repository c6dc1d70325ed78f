"""The emulator's one exception hierarchy: Graph API errors and admin API errors, as JSON bodies."""

from typing import Any

DOCS = "Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api"

_TRANSIENT_CODES = frozenset({2, 4, 17, 32, 613, 80002})
_FORBIDDEN_CODES = frozenset({4, 10, 17, 32, 613})
_CANNED_MESSAGES = {
    1: "An unknown error has occurred.",
    2: "An unexpected error has occurred. Please retry your request later.",
    4: "(#4) Application request limit reached",
    10: "(#10) Application does not have permission for this action",
    17: "(#17) User request limit reached",
    32: "(#32) Page request limit reached",
    102: "Session key invalid or no longer valid",
    190: "Invalid OAuth access token - Cannot parse access token",
    613: "(#613) Calls to this api have exceeded the rate limit.",
    80002: (
        "There have been too many calls to this Instagram account. Wait a bit and try again. "
        "For more info, please refer to "
        "https://developers.facebook.com/docs/graph-api/overview/rate-limiting."
    ),
}


def default_status(code: int) -> int:
    """The HTTP status the Graph API answers a given error code with."""
    if code in (1, 2):
        return 500
    if code in _FORBIDDEN_CODES or 200 <= code <= 299:
        return 403
    return 400


class EmulatorError(Exception):
    """Base of every error the emulator answers with a JSON body."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status

    def payload(self, trace_id: str) -> dict[str, Any]:
        """The JSON body of the answer."""
        return {"error": {"message": self.message, "fbtrace_id": trace_id}}


class AdminError(EmulatorError):
    """A malformed admin call, or one naming something the emulator does not hold."""


class GraphError(EmulatorError):
    """A Graph API error, answered in Meta's `{"error": {...}}` envelope."""

    def __init__(
        self,
        code: int,
        message: str,
        *,
        subcode: int | None = None,
        kind: str = "OAuthException",
        transient: bool | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message, default_status(code) if status is None else status)
        self.code = code
        self.subcode = subcode
        self.kind = kind
        self.transient = code in _TRANSIENT_CODES if transient is None else transient

    def payload(self, trace_id: str) -> dict[str, Any]:
        """Meta's error envelope, `error_subcode` only when there is one."""
        error: dict[str, Any] = {"message": self.message, "type": self.kind, "code": self.code}
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        error["is_transient"] = self.transient
        error["fbtrace_id"] = trace_id
        return {"error": error}


def canned(code: int, status: int | None = None) -> GraphError:
    """An error with the stock message of its code, e.g. for an injected fault."""
    message = _CANNED_MESSAGES.get(code, f"(#{code}) An error occurred.")
    return GraphError(code, message, status=status)


def missing_token() -> GraphError:
    """No access token anywhere in the request."""
    return GraphError(104, "An access token is required to request this resource.")


def bad_token() -> GraphError:
    """A token the emulator never issued."""
    return canned(190)


def expired_token() -> GraphError:
    """A token past its expiry."""
    return GraphError(
        190,
        "Error validating access token: Session has expired on Monday, 01-Jan-24 "
        "00:00:00 PST. The current time is later.",
        subcode=463,
    )


def revoked_token() -> GraphError:
    """A token whose user revoked the app: its session was invalidated."""
    return GraphError(
        190,
        "Error validating access token: The session has been invalidated because the user "
        "changed their password or Facebook has changed the session for security reasons.",
        subcode=460,
    )


def unsupported(method: str, object_id: str) -> GraphError:
    """An object that does not exist, cannot be seen, or does not support the method."""
    return GraphError(
        100,
        f"Unsupported {method.lower()} request. Object with ID '{object_id}' does not exist, "
        f"cannot be loaded due to missing permissions, or does not support this operation. "
        f"{DOCS}",
        subcode=33,
        kind="GraphMethodException",
    )


def not_permitted() -> GraphError:
    """The token lacks the permission or the scope this call needs."""
    return canned(10)


def invalid_parameter(message: str) -> GraphError:
    """A missing or malformed parameter."""
    return GraphError(100, f"(#100) {message}")


def unknown_creator(name: str) -> GraphError:
    """A creator ID or username that names no Instagram creator."""
    return invalid_parameter(f"Instagram creator '{name}' was not found")


def nonexisting_field(name: str, node_type: str) -> GraphError:
    """A `fields=` entry, or an edge, the node type does not have."""
    return invalid_parameter(
        f"Tried accessing nonexisting field ({name}) on node type ({node_type})"
    )


def invalid_cursor() -> GraphError:
    """A cursor that is not one of this edge's cursors."""
    return GraphError(2642, "Invalid cursors values")


def cursor_beyond(direction: str) -> GraphError:
    """A well-formed cursor pointing past anything the emulator has issued."""
    return invalid_parameter(f"The {direction} Cursor specified exceeds the max limit of the list")


def unknown_path(path: str) -> GraphError:
    """A path that names no node and edge."""
    return GraphError(2500, f"Unknown path components: /{path}")


def user_limit() -> GraphError:
    """The per-Instagram-user daily limit of an edge is spent."""
    return canned(80002, 400)


def internal() -> GraphError:
    """An unexpected failure inside the emulator, without its detail."""
    return canned(1)
