"""graphql-transport-ws as Strawberry speaks it, with malformed messages refused, close
reasons that fit a frame, each operation recorded, a few queries run at once per connection,
subscriptions capped per token and answers capped in size."""

import asyncio
import logging
from collections.abc import Mapping
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, cast

from graphql import GraphQLError, GraphQLFormattedError, OperationType, get_operation_ast
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import WebSocketDisconnected
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
from partnergraph.schema.errors import INTERNAL_MESSAGE, coded, coded_refusal, shown
from partnergraph.server.access import request_id
from partnergraph.server.answer_limit import too_large
from partnergraph.server.request import Params, typed
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
RUNNING_AT_ONCE = 4
"""Queries and mutations one connection runs at once; the others wait their turn, holding
no answer. Each answer waits for the client to read the one before (backpressure), so a
connection holds at most this many answers."""


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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._running = asyncio.Semaphore(RUNNING_AT_ONCE)
        self._places: dict[str, _Place] = {}
        """The subscriptions of this connection counted in their token's tally, by id."""

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
        the connection was acknowledged is Strawberry's to refuse (4401). Its document is
        decided as over HTTP (trusted documents, persisted queries): one not admitted gets
        an `error` message with the code it gets over HTTP."""
        refusal = None
        if self.connection_acknowledged:
            try:
                message = await self._admitted(message)
            except BadUserInput as error:
                refusal = error.message, error.code
            except PartnergraphError as error:
                await self._refuse_operation(message["id"], error)
                return
            else:
                refusal = _refusal(message)
        if refusal is None:
            await super().handle_subscribe(message)
            return
        reason, code = refusal
        self.view.metrics.operation(None, code)
        await self.handle_invalid_message(reason)

    async def _admitted(self, message: SubscribeMessage) -> SubscribeMessage:
        """The message with the document the view admits for it as its query."""
        payload = _checked_payload(message)
        query = await self.view.admitted(payload, self.context)
        return {**message, "payload": {**message["payload"], "query": query}}

    async def _refuse_operation(self, id_: str, error: PartnergraphError) -> None:
        self.view.metrics.operation(None, error.code)
        payload = [coded_refusal(error).formatted]
        await self.send_message({"id": id_, "type": "error", "payload": payload})

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
                if _kind(operation) is OperationType.SUBSCRIPTION:
                    await self._subscribe(operation)
                else:
                    async with self._running:
                        await super().run_operation(operation)
            finally:
                if connection is not None:
                    connection.upstream_calls += record.upstream_calls
                self.view.metrics.operation(record.operation_name, record.outcome(_ACCEPTED))

    async def handle_task_exception(self, error: Exception) -> None:
        """Log an operation's failure, but not a client gone while it was sent its answer."""
        if not isinstance(error, WebSocketDisconnected):
            await super().handle_task_exception(error)

    async def cleanup_operation(self, operation_id: str) -> None:
        """End an operation (completed by the client, or the connection closed); a
        subscription's place in its token's count is free at once."""
        self._give_back(operation_id, self._places.get(operation_id))
        await super().cleanup_operation(operation_id)

    def _give_back(self, operation_id: str, place: "_Place | None") -> None:
        if place is not None and self._places.get(operation_id) is place:
            del self._places[operation_id]
            self.view.subscriptions.give_back(place.token)

    async def _subscribe(self, operation: Operation[RequestContext, None]) -> None:
        """Run a subscription, unless its token holds as many open as it may (an error)."""
        subscriptions = self.view.subscriptions
        place = _Place(self.context.scope or "")
        if not subscriptions.take(place.token):
            message = (
                f"The token holds {subscriptions.cap} subscriptions open; the limit is "
                f"{subscriptions.cap}. Complete one before subscribing again."
            )
            await operation.send_initial_errors([coded_refusal(QueryTooComplex(message))])
            return
        self._places[operation.id] = place
        try:
            await super().run_operation(operation)
        finally:
            self._give_back(operation.id, place)


class _Place:
    """A subscription's place in its token's count (each one a distinct object, so that an
    operation id used again is not given back by the operation that used it before)."""

    __slots__ = ("token",)

    def __init__(self, token: str) -> None:
        self.token = token


class BoundedClose(ASGIWebSocketAdapter):
    """Cuts a close reason to what a close frame holds: Strawberry's quote what the client
    sent (an id, an operation name), and a longer one would drop the connection unclosed.
    Replaces a `next` message over the view's answer limit by an ANSWER_TOO_LARGE error."""

    def __init__(self, view: Any, request: WebSocket, response: WebSocket) -> None:
        super().__init__(view, request, response)
        self._max_bytes: int = cast("GraphQLView", view).max_answer_bytes

    async def send_json(self, message: Mapping[str, object]) -> None:
        """Send a message, an answer over the limit replaced by the error saying so."""
        encoded = self.view.encode_json(message)
        size = len(encoded) if isinstance(encoded, bytes) else len(encoded.encode())
        if size > self._max_bytes and message.get("type") == "next":
            payload = {"data": None, "errors": [too_large(size, self._max_bytes)]}
            encoded = self.view.encode_json({**message, "payload": payload})
        try:
            if isinstance(encoded, bytes):
                await self.ws.send_bytes(encoded)
            else:
                await self.ws.send_text(encoded)
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc

    async def close(self, code: int, reason: str) -> None:
        """Close the socket with code and as much of reason, shown as error messages are, as a
        close frame holds."""
        cut = shown(reason).encode()[:_REASON_BYTES].decode(errors="ignore")
        await super().close(code, cut)


def _kind(operation: Operation[RequestContext, None]) -> OperationType | None:
    """The type of operation a subscribe message runs (its document parsed and cached when
    the message came), None when the document names none."""
    try:
        document = documents.parsed(operation.query).document
    except GraphQLError:
        return None  # answered as Strawberry answers it
    found = get_operation_ast(document, operation.operation_name)
    return found.operation if found is not None else None


def _coded(error: GraphQLFormattedError) -> GraphQLFormattedError:
    """An error as sent: those of operations are coded already; the handler's own (too many
    operations running on the connection) is refused like a document over a limit, and
    any other it might make is masked as unexpected."""
    if "code" in error.get("extensions", {}):
        return error
    if error["message"] == _LIMIT_REACHED:
        return {**error, **coded_refusal(QueryTooComplex(_LIMIT_REACHED)).formatted}
    logger.error("the WebSocket handler sent an error of its own: %s", error["message"])
    return coded_refusal(PartnergraphError(INTERNAL_MESSAGE)).formatted


def _refusal(message: SubscribeMessage) -> tuple[str, str] | None:
    """Why an admitted subscribe message closes the socket (4400), and the code its operation
    counts under, or None: its document does not parse, or it holds several operations and
    names none to run.

    Strawberry closes it on a document that does not parse, but only when its own parse
    fails: the cached parse fails outside the stream's handling, where the operation would
    end unanswered; so the document is parsed (and cached) here. On several operations it
    would run the first, which the spec (and the server over HTTP) refuses.
    """
    payload = message["payload"]
    try:
        documents.parsed(payload["query"])
    except GraphQLError as error:
        return error.message, coded(error).formatted["extensions"]["code"]
    unpicked = unpicked_operation(payload["query"], payload.get("operationName"))
    return (unpicked, BadUserInput.code) if unpicked else None


def _checked_payload(message: Mapping[str, object]) -> Params:
    """The GraphQL parameters of a subscribe message (its `query` may be missing when it names
    a persisted document); BadUserInput when it is not as graphql-transport-ws defines it."""
    if not isinstance(message.get("id"), str):
        raise BadUserInput("`id` must be a string.")
    payload = message.get("payload")
    if not isinstance(payload, dict):
        raise BadUserInput("`payload` must be an object.")
    query = payload.get("query")
    document_id = typed(payload, "documentId", str)
    extensions = typed(payload, "extensions", dict)
    if not isinstance(query, str) and (query is not None or not (document_id or extensions)):
        raise BadUserInput("`query` must be a string.")
    return Params(
        query=query,
        operation_name=typed(payload, "operationName", str),
        variables=typed(payload, "variables", dict),
        extensions=extensions,
        document_id=document_id,
    )
