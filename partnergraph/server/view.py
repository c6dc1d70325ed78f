"""The GraphQL endpoint: GraphQL over HTTP with persisted documents and whole answers cached,
GraphiQL for browsers, and Strawberry's WebSocket protocols."""

import re
from collections.abc import Callable
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET, UnsetType

from partnergraph import telemetry
from partnergraph.errors import (
    BadUserInput,
    PartnergraphError,
    PersistedQueryNotFound,
    RateLimited,
)
from partnergraph.graph.client import MAX_TOKEN
from partnergraph.resolvers.context import RequestContext, Services
from partnergraph.resolvers.echo import echo
from partnergraph.schema.build import schema
from partnergraph.schema.errors import coded, coded_refusal
from partnergraph.server.answer_limit import too_large
from partnergraph.server.answers import answer_key
from partnergraph.server.metrics import Metrics
from partnergraph.server.persisted import PersistedDocuments
from partnergraph.server.request import (
    GRAPHQL_RESPONSE,
    Params,
    read_params,
    response_type,
    shows_graphiql,
)
from partnergraph.server.sockets import BoundedClose, SocketHandler
from partnergraph.server.tallies import Tally

_SCHEMES = ("bearer", "oauth")
_BY_POST = frozenset({OperationType.QUERY, OperationType.MUTATION})
_BY_GET = frozenset({OperationType.QUERY})
_TRY_AGAIN_LATER = 1013
"""The WebSocket close code of a connection past its client address's cap."""


class GraphQLView(GraphQL[RequestContext, None]):
    """Serves /graphql: queries by GET or POST, mutations by POST, GraphiQL to browsers, and
    any operation over WebSocket (graphql-transport-ws), counting those in metrics."""

    graphql_transport_ws_handler_class = SocketHandler
    websocket_adapter_class = BoundedClose

    def __init__(
        self,
        services: Callable[[], Services],
        graphiql_page: Callable[[Request], str],
        persisted: PersistedDocuments,
        *,
        metrics: Metrics,
        local_origins: str | None = None,
        max_answer_bytes: int,
        max_sockets_per_client: int,
        max_subscriptions_per_token: int,
        **kwargs: Any,
    ) -> None:
        super().__init__(schema, subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,), **kwargs)
        self.metrics = metrics
        self.max_answer_bytes = max_answer_bytes
        self.sockets = Tally(max_sockets_per_client)
        """WebSocket connections open per client address."""
        self.subscriptions = Tally(max_subscriptions_per_token)
        """Subscriptions open per token scope."""
        self._local_origins = re.compile(local_origins) if local_origins else None
        self._services = services
        self._graphiql_page = graphiql_page
        self.persisted = persisted

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self._socket(scope, receive, send)
            return
        request = Request(scope, receive)
        if shows_graphiql(request):
            record = telemetry.current()
            if record is not None:
                record.graphiql_page = True
            response: Response = HTMLResponse(self._graphiql_page(request))
        else:
            media_type = response_type(request.headers.get("accept"))
            try:
                response = await self._answer(request, media_type)
            except PartnergraphError as error:
                response = _refusal(error, media_type)
        await response(scope, receive, send)

    async def _socket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A WebSocket connection, unless its client address holds as many open as it may:
        then it is accepted and closed with 1013 (Try Again Later) and the reason."""
        client = scope.get("client")
        address = str(client[0]) if client else ""
        if not self.sockets.take(address):
            socket = WebSocket(scope, receive, send)
            asked = GRAPHQL_TRANSPORT_WS_PROTOCOL in scope.get("subprotocols", ())
            await socket.accept(GRAPHQL_TRANSPORT_WS_PROTOCOL if asked else None)
            reason = f"This address holds {self.sockets.cap} WebSocket connections, the limit."
            await socket.close(_TRY_AGAIN_LATER, reason)
            return
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.sockets.give_back(address)

    async def _answer(self, request: Request, media_type: str) -> Response:
        """The answer to a GraphQL request; raises the PartnergraphError that refuses one."""
        params = await read_params(request)
        services = self._services()
        answers = services.answers
        token = bearer_token(request.headers.get("authorization"))
        credentials = services.credentials(token) if token else None
        document = self.persisted.document(params, credentials)
        record = telemetry.current()
        key = None
        if answers is not None and credentials is not None:
            key = answer_key(
                credentials.scope,
                document.hash,
                params.operation_name,
                params.variables,
                params.extensions,
            )
            cached = await answers.get(key)
            if cached is not None:
                if record is not None:
                    record.operation_name = cached.operation_name
                return Response(cached.body, media_type=media_type)
        query = await self.persisted.text(document, services.documents, services.windows)
        context = RequestContext(services=services, credentials=credentials)
        result = await self._execute(query, params, context, by_post=request.method == "POST")
        if not isinstance(result, PreExecutionError):  # it parsed and validated
            await self.persisted.register(document, services.documents)
        refused = _refused(result)
        body = orjson.dumps(_formatted(result, refused))
        if len(body) > self.max_answer_bytes:
            body = orjson.dumps({"errors": [too_large(len(body), self.max_answer_bytes)]})
        elif key is not None and answers is not None and not result.errors and not context.live:
            operation_name = record.operation_name if record is not None else None
            await answers.put(key, body, context.touched, operation_name, context.oldest_read)
        status = 400 if refused and media_type == GRAPHQL_RESPONSE else 200
        return Response(body, status_code=status, media_type=media_type)

    def is_websocket_origin_allowed(self, request: WebSocket, origin: str) -> bool:
        """A page on another origin may open a WebSocket when it may call over HTTP (CORS)."""
        local = self._local_origins
        return super().is_websocket_origin_allowed(request, origin) or bool(
            local and local.fullmatch(origin)
        )

    async def get_context(self, request: Request | WebSocket, response: object) -> RequestContext:
        """A WebSocket connection's context: the token of its upgrade request, if any."""
        services = self._services()
        token = bearer_token(request.headers.get("authorization"))
        return RequestContext(
            services=services, credentials=services.credentials(token) if token else None
        )

    async def on_ws_connect(self, context: RequestContext) -> UnsetType | dict[str, object] | None:
        """Take the token from connection_init's `Authorization` when the upgrade had none."""
        params = context.connection_params or {}
        header = params.get("Authorization", params.get("authorization"))
        token = bearer_token(header if isinstance(header, str) else None)
        if context.credentials is None and token:
            context.credentials = context.services.credentials(token)
        unset: UnsetType = UNSET
        return unset

    async def admitted(self, params: Params, context: RequestContext) -> str:
        """The text a WebSocket operation runs, decided as over HTTP (trusted documents,
        persisted queries, registration); the PartnergraphError that refuses it."""
        services = context.services
        document = self.persisted.document(params, context.credentials)
        query = await self.persisted.text(document, services.documents, services.windows)
        await self.persisted.register(document, services.documents)
        return query

    async def _execute(
        self, query: str, params: Params, context: RequestContext, *, by_post: bool
    ) -> ExecutionResult:
        """The result of a document; GET runs queries only."""
        try:
            return await self.schema.execute(
                query,
                variable_values=params.variables,
                context_value=context,
                operation_name=params.operation_name,
                allowed_operation_types=_BY_POST if by_post else _BY_GET,
                operation_extensions=params.extensions,
            )
        except InvalidOperationTypeError as error:
            if error.operation_type is OperationType.MUTATION:
                raise _MutationByGet("Send mutations by POST: GET runs queries only.") from None
            raise BadUserInput("Subscriptions run over WebSocket (graphql-transport-ws).") from None
        except CannotGetOperationTypeError as error:
            if error.operation_name is None:
                raise BadUserInput(error.as_http_error_reason()) from None
            raise BadUserInput(f"Unknown operation named {echo(error.operation_name)}.") from None


class _MutationByGet(BadUserInput):
    """A mutation sent by GET, which runs queries only."""


def bearer_token(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` (or `OAuth <token>`) header, if usable."""
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() not in _SCHEMES or not 0 < len(token) <= MAX_TOKEN:
        return None
    if not (token.isascii() and token.isprintable()):
        return None  # Graph tokens are printable ASCII; anything else could not be sent on
    return token


def _refused(result: ExecutionResult) -> bool:
    """Whether the document was refused before it ran: it did not parse or validate, or its
    variables did not coerce. Errors of fields that ran have a path."""
    errors = result.errors
    return result.data is None and bool(errors) and all(not error.path for error in errors or ())


def _formatted(result: ExecutionResult, refused: bool) -> dict[str, object]:
    """The GraphQL response: no `data` for a refused document, as the spec says."""
    body: dict[str, object] = {} if refused else {"data": result.data}
    if result.errors:
        body["errors"] = [coded(error).formatted for error in result.errors]
    if result.extensions:
        body["extensions"] = result.extensions
    return body


def _refusal(error: PartnergraphError, media_type: str) -> Response:
    """The answer to a request refused before its document ran: a 400 when it is malformed,
    a 405 for a mutation by GET, and a 200 for an unknown persisted query, the only status on
    which Apollo's clients then send its text; a 429 for a registration past its token's bound."""
    status, headers = 400, None
    if isinstance(error, PersistedQueryNotFound):
        status = 200
    elif isinstance(error, RateLimited):
        status = 429
        headers = {"Retry-After": str(error.extensions["retryAfter"])}
    elif isinstance(error, _MutationByGet):
        status, headers = 405, {"Allow": "POST"}
    body = orjson.dumps({"errors": [coded_refusal(error).formatted]})
    return Response(body, status_code=status, media_type=media_type, headers=headers)
