"""The GraphQL endpoint: Strawberry's ASGI view with our context, GraphiQL page and JSON errors."""

import json
from collections.abc import Callable
from typing import Any

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, process_result
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET, UnsetType

from partnergraph import telemetry
from partnergraph.resolvers.context import RequestContext, Services
from partnergraph.schema.build import schema
from partnergraph.schema.errors import coded
from partnergraph.server.answers import answer_key

_SCHEMES = ("bearer", "oauth")


class GraphQLView(GraphQL[RequestContext, None]):
    """Serves /graphql: queries by GET or POST, mutations by POST, GraphiQL to browsers."""

    def __init__(
        self,
        services: Callable[[], Services],
        graphiql_page: Callable[[Request], str],
        **kwargs: Any,
    ) -> None:
        super().__init__(schema, **kwargs)
        self._services = services
        self._graphiql_page = graphiql_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        services = self._services()
        answers = services.answers
        token = bearer_token(request.headers.get("authorization"))
        credentials = services.credentials(token) if token else None
        key = await answer_key(request, credentials.scope) if answers and credentials else None
        cached = await answers.get(key) if answers and key else None
        record = telemetry.current()
        if cached is not None:
            if record is not None:
                record.operation_name = cached.operation_name
            await Response(cached.body, media_type="application/json")(scope, receive, send)
            return
        context = RequestContext(services=services, credentials=credentials)
        try:
            response = await self.run(request, context=context)
        except HTTPException as error:
            response = _error_response(error.reason, error.status_code)
        clean = response.status_code == 200 and getattr(request.state, "clean", False)
        if answers and key and clean and not context.live:
            operation_name = record.operation_name if record else None
            await answers.put(key, bytes(response.body), context.touched, operation_name)
        await response(scope, receive, send)

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

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        request.state.clean = not result.errors
        if result.errors:
            result.errors = [coded(error) for error in result.errors]
        return process_result(result)

    def decode_json(self, data: str | bytes) -> object:
        try:
            decoded = json.loads(data)
        except (ValueError, RecursionError):
            raise HTTPException(400, "Unable to parse request body as JSON") from None
        # A body arrives as bytes and Strawberry reads it as an object (or a batch); GET's
        # `variables` and `extensions` arrive as text and may also be null.
        allowed = (dict, list) if isinstance(data, bytes) else (dict, list, type(None))
        if not isinstance(decoded, allowed):
            raise HTTPException(400, "Expected a JSON object.")
        return decoded

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(self._graphiql_page(request))


def bearer_token(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` (or `OAuth <token>`) header."""
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() not in _SCHEMES or not token or not (token.isascii() and token.isprintable()):
        return None  # Graph tokens are printable ASCII; anything else could not be sent on
    return token


def _error_response(message: str, status_code: int) -> JSONResponse:
    extensions = telemetry.error_extensions({"code": "BAD_USER_INPUT"})
    body = {"errors": [{"message": message, "extensions": extensions}]}
    return JSONResponse(body, status_code=status_code)
