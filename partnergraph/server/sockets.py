"""graphql-transport-ws as Strawberry speaks it, with malformed messages refused, close
reasons that fit a frame, and each operation recorded."""

from collections.abc import Mapping
from typing import TYPE_CHECKING

from graphql import GraphQLError, GraphQLFormattedError
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    Message,
    SubscribeMessage,
)

from partnergraph import telemetry
from partnergraph.errors import BadUserInput, QueryTooComplex
from partnergraph.resolvers.context import RequestContext
from partnergraph.schema.build import documents, unpicked_operation
from partnergraph.server.access import request_id
from partnergraph.server.request import typed
from partnergraph.telemetry import RequestRecord

if TYPE_CHECKING:
    from partnergraph.server.view import GraphQLView

__all__ = ["BoundedClose", "SocketHandler"]

_ACCEPTED = 101
"""The status of a connection whose operations run: its handshake's."""
_REASON_BYTES = 123
"""The longest close reason a WebSocket close frame holds (RFC 6455, 5.5)."""


class SocketHandler(BaseGraphQLTransportWSHandler[RequestContext, None]):
    """Closes the socket with 4400 on a malformed subscribe message, as the protocol says, or
    one whose operation cannot run; runs each operation in a record of its own, counted in
    the connection's and the metrics."""

    view: "GraphQLView"

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        """Run the operation of a subscribe message, unless it is refused."""
        reason = _refusal(message)
        if reason is not None:
            await self.handle_invalid_message(reason)
            return
        await super().handle_subscribe(message)

    async def send_message(self, message: Message) -> None:
        """Send a message, the one error the handler makes itself coded like the rest."""
        if message["type"] == "error":
            message = {**message, "payload": [_coded(error) for error in message["payload"]]}
        await super().send_message(message)

    async def run_operation(self, operation: Operation[RequestContext, None]) -> None:
        """Run an operation in its own record, with the connection's request id."""
        connection = telemetry.current()
        if connection is not None:
            connection.subscriptions += 1
        record = RequestRecord(connection.request_id if connection else request_id(None))
        with telemetry.recording(record):
            try:
                await super().run_operation(operation)
            finally:
                self.view.metrics.operation(record.operation_name, record.outcome(_ACCEPTED))


class BoundedClose(ASGIWebSocketAdapter):
    """Cuts a close reason to what a close frame holds: Strawberry's quote what the client
    sent (an id, an operation name), and a longer one would drop the connection unclosed."""

    async def close(self, code: int, reason: str) -> None:
        """Close the socket with code and as much of reason as a close frame holds."""
        cut = reason.encode()[:_REASON_BYTES].decode(errors="ignore")
        await super().close(code, cut)


def _coded(error: GraphQLFormattedError) -> GraphQLFormattedError:
    """An error as sent: those of operations are coded already; the handler's own (too many
    operations running on the connection) is refused like a document over a limit."""
    if "code" in error.get("extensions", {}):
        return error
    return {**error, "extensions": telemetry.error_extensions({"code": QueryTooComplex.code})}


def _refusal(message: SubscribeMessage) -> str | None:
    """Why a subscribe message closes the socket (4400), or None: it is malformed, its
    document does not parse, or it holds several operations and names none to run.

    Strawberry closes it on a document that does not parse, but only when its own parse
    fails: the cached parse fails outside the stream's handling, where the operation would
    end unanswered; so the document is parsed (and cached) here. On several operations it
    would run the first, which the spec (and the server over HTTP) refuses.
    """
    try:
        _check(message)
        payload = message["payload"]
        documents.parsed(payload["query"])
    except (BadUserInput, GraphQLError) as error:
        return error.message
    return unpicked_operation(payload["query"], payload.get("operationName"))


def _check(message: Mapping[str, object]) -> None:
    """BadUserInput when a subscribe message is not as graphql-transport-ws defines it."""
    if not isinstance(message.get("id"), str):
        raise BadUserInput("`id` must be a string.")
    payload = message.get("payload")
    if not isinstance(payload, dict):
        raise BadUserInput("`payload` must be an object.")
    if not isinstance(payload.get("query"), str):
        raise BadUserInput("`query` must be a string.")
    typed(payload, "operationName", str)
    typed(payload, "variables", dict)
    typed(payload, "extensions", dict)
