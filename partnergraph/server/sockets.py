"""graphql-transport-ws as Strawberry speaks it, with malformed messages refused, close
reasons that fit a frame, and each operation recorded."""

import asyncio
import logging
from collections.abc import Mapping
from contextvars import ContextVar
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
from partnergraph.errors import BadUserInput, PartnergraphError, QueryTooComplex
from partnergraph.resolvers.context import RequestContext
from partnergraph.schema.build import documents, unpicked_operation
from partnergraph.schema.errors import INTERNAL_MESSAGE, coded
from partnergraph.server.access import request_id
from partnergraph.server.request import typed
from partnergraph.telemetry import RequestRecord

if TYPE_CHECKING:
    from partnergraph.server.view import GraphQLView

__all__ = ["BoundedClose", "SocketHandler"]

logger = logging.getLogger("partnergraph.errors")

_ACCEPTED = 101
"""The status of a connection whose operations run: its handshake's."""
_REASON_BYTES = 123
"""The longest close reason a WebSocket close frame holds (RFC 6455, 5.5)."""
_OPERATION_CONTEXT: ContextVar[RequestContext | None] = ContextVar(
    "operation_context", default=None
)
"""The context of the operation the current task runs, if it runs one."""
_LIMIT_REACHED = "Subscription limit reached"
"""The one error Strawberry's handler sends itself: an operation past those a connection
runs at once."""


class SocketHandler(BaseGraphQLTransportWSHandler[RequestContext, None]):
    """Closes the socket with 4400 on a malformed subscribe message, as the protocol says, or
    one whose operation cannot run; runs each operation in a record of its own, counted in
    the connection's and the metrics."""

    view: "GraphQLView"
    _connection: RequestContext

    @property
    def context(self) -> RequestContext:
        """The context of the operation this task runs, its own as each HTTP request has
        one; outside any operation, the connection's (its token, its connection_init)."""
        return _OPERATION_CONTEXT.get() or self._connection

    @context.setter
    def context(self, connection: RequestContext) -> None:
        self._connection = connection

    async def handle_message(self, message: Message) -> None:
        """Handle a message, unless it is not one of graphql-transport-ws's shapes (4400):
        it is whatever JSON the client sent. Other requests run first: a burst of messages
        (thousands of pings in one write) is handled between them, not ahead of them."""
        await asyncio.sleep(0)
        sent: object = message
        if not isinstance(sent, dict) or not isinstance(sent.get("type"), str):
            await self.handle_invalid_message("A message must be an object with a `type`.")
        elif sent["type"] == "complete" and not isinstance(sent.get("id"), str):
            await self.handle_invalid_message("`id` must be a string.")
        else:
            await super().handle_message(message)

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        """Run the operation of a subscribe message, unless it is refused; one sent before
        the connection was acknowledged is Strawberry's to refuse (4401)."""
        refusal = _refusal(message) if self.connection_acknowledged else None
        if refusal is None:
            await super().handle_subscribe(message)
            return
        reason, code = refusal
        self.view.metrics.operation(None, code)
        await self.handle_invalid_message(reason)

    async def send_message(self, message: Message) -> None:
        """Send a message, the one error the handler makes itself coded like the rest."""
        if message["type"] == "error":
            payload = message["payload"]
            if any(error["message"] == _LIMIT_REACHED for error in payload):
                self.view.metrics.operation(None, QueryTooComplex.code)
            message = {**message, "payload": [_coded(error) for error in payload]}
        await super().send_message(message)

    async def run_operation(self, operation: Operation[RequestContext, None]) -> None:
        """Run an operation in its own context and record, with the connection's request
        id; its upstream calls count in the connection's too. Each operation's task has its
        own context variables: the context set here is this operation's alone."""
        _OPERATION_CONTEXT.set(self._connection.operation())
        connection = telemetry.current()
        if connection is not None:
            connection.operations += 1
        record = RequestRecord(connection.request_id if connection else request_id(None))
        with telemetry.recording(record):
            try:
                await super().run_operation(operation)
            finally:
                if connection is not None:
                    connection.upstream_calls += record.upstream_calls
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
    operations running on the connection) is refused like a document over a limit, and
    any other it might make is masked as unexpected."""
    if "code" in error.get("extensions", {}):
        return error
    if error["message"] == _LIMIT_REACHED:
        extensions = telemetry.error_extensions({"code": QueryTooComplex.code})
        return {**error, "extensions": extensions}
    logger.error("the WebSocket handler sent an error of its own: %s", error["message"])
    extensions = telemetry.error_extensions({"code": PartnergraphError.code})
    return {"message": INTERNAL_MESSAGE, "extensions": extensions}


def _refusal(message: SubscribeMessage) -> tuple[str, str] | None:
    """Why a subscribe message closes the socket (4400), and the code its operation counts
    under, or None: it is malformed, its document does not parse, or it holds several
    operations and names none to run.

    Strawberry closes it on a document that does not parse, but only when its own parse
    fails: the cached parse fails outside the stream's handling, where the operation would
    end unanswered; so the document is parsed (and cached) here. On several operations it
    would run the first, which the spec (and the server over HTTP) refuses.
    """
    try:
        _check(message)
        payload = message["payload"]
        documents.parsed(payload["query"])
    except BadUserInput as error:
        return error.message, error.code
    except GraphQLError as error:
        return error.message, coded(error).formatted["extensions"]["code"]
    unpicked = unpicked_operation(payload["query"], payload.get("operationName"))
    return (unpicked, BadUserInput.code) if unpicked else None


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
