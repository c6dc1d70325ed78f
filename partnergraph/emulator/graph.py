"""Answers one Graph call: authenticates the token, finds the node and edge, runs the edge or
reads the node."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from partnergraph.emulator import accounts, invites, medias, permissions
from partnergraph.emulator.errors import (
    EmulatorError,
    bad_token,
    expired_token,
    internal,
    missing_token,
    nonexisting_field,
    revoked_token,
    unknown_path,
    unsupported,
)
from partnergraph.emulator.state import Emulator
from partnergraph.emulator.stats import ACCOUNTS, INVITES, ME, MEDIAS, PERMISSIONS
from partnergraph.emulator.store import EXPIRED, Store, Token
from partnergraph.emulator.wire import Call

logger = logging.getLogger(__name__)

Handler = Callable[[Emulator, Token, str, Call], dict[str, Any]]
HANDLERS: dict[tuple[str, str], Handler] = {
    (PERMISSIONS, "GET"): permissions.read,
    (PERMISSIONS, "POST"): permissions.write,
    (INVITES, "GET"): invites.read,
    (INVITES, "POST"): invites.write,
    (MEDIAS, "GET"): medias.read,
}
EDGES = frozenset(edge for edge, _ in HANDLERS)
USER_HANDLERS: dict[tuple[str, str], Handler] = {
    (ME, "GET"): accounts.me,
    (ACCOUNTS, "GET"): accounts.read,
}


@dataclass(frozen=True, slots=True)
class Answer:
    """A Graph answer: HTTP status, JSON payload, extra headers."""

    status: int
    payload: Any
    headers: dict[str, str]


def answer(emulator: Emulator, call: Call) -> Answer:
    """The Graph API's answer to a call, errors included, with usage headers."""
    segments = call.segments
    try:
        status, payload = 200, _dispatch(emulator, call, segments)
    except Exception as error:  # every failure becomes a Graph error body
        if not isinstance(error, EmulatorError):
            logger.exception("emulator failed to answer a Graph call")
            error = internal()
        status, payload = error.status, error.payload(emulator.trace_id())
    subject = _subject(emulator.store, segments, status)
    return Answer(status, payload, emulator.usage.headers(subject))


def _subject(store: Store, segments: list[str], status: int) -> str | None:
    """The Instagram user an answer's business use case usage is about, if any."""
    if not segments:
        return None
    if store.is_ig_user(segments[0]):
        return segments[0]
    permission = store.permissions.get(segments[0]) if len(segments) == 1 else None
    return permission.brand_id if permission is not None and status == 200 else None


def failure(emulator: Emulator, error: EmulatorError) -> Answer:
    """An error answer outside any node, with the app's usage headers."""
    return Answer(error.status, error.payload(emulator.trace_id()), emulator.usage.headers(None))


def authenticate(store: Store, token: str | None) -> Token:
    """The token a call carries; 104 without one, 190 for an unknown, revoked or expired one."""
    if token is None:
        raise missing_token()
    if token in store.revoked:
        raise revoked_token()
    found = store.tokens.get(token)
    if found is None:
        raise bad_token()
    if found.role == EXPIRED:
        raise expired_token()
    return found


def _dispatch(emulator: Emulator, call: Call, segments: list[str]) -> dict[str, Any]:
    token = authenticate(emulator.store, call.token)
    if segments == [ME] or (segments[1:] == [ACCOUNTS] and segments[0] in (ME, token.user_id)):
        return _user_call(emulator, token, call, segments[-1])
    if len(segments) == 1:
        return _node_read(emulator, token, call, segments[0])
    if len(segments) != 2:
        raise unknown_path(call.path.strip("/"))
    node, edge = segments
    if node == ME:
        raise nonexisting_field(edge, "User")
    if not emulator.store.is_ig_user(node):
        raise unsupported(call.method, node)
    handler = HANDLERS.get((edge, call.method))
    if handler is not None:
        return handler(emulator, token, node, call)
    if edge in EDGES or call.method != "GET":
        raise unsupported(call.method, node)
    raise nonexisting_field(edge, "IGUser")


def _node_read(emulator: Emulator, token: Token, call: Call, object_id: str) -> dict[str, Any]:
    """`GET /{id}` of a permission; any other object or method is unsupported."""
    permission = emulator.store.permissions.get(object_id)
    if permission is None or call.method != "GET":
        raise unsupported(call.method, object_id)
    return permissions.node(emulator, token, permission, call)


def _user_call(emulator: Emulator, token: Token, call: Call, edge: str) -> dict[str, Any]:
    """`/me` itself, or an edge of the token's user; other methods are unsupported."""
    handler = USER_HANDLERS.get((edge, call.method))
    if handler is None:
        raise unsupported(call.method, ME)
    return handler(emulator, token, token.user_id, call)
