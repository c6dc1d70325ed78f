"""A GraphQL-over-HTTP request as the view reads it once: its parameters, the type it accepts."""

from dataclasses import dataclass
from typing import Any

import orjson
from starlette.requests import Request

from partnergraph.errors import BadUserInput

__all__ = [
    "GRAPHQL_RESPONSE",
    "JSON",
    "Params",
    "read_params",
    "response_type",
    "shows_graphiql",
    "typed",
]

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"

_PERSISTED_KEYS = ("extensions", "documentId")


@dataclass(frozen=True, slots=True)
class Params:
    """The GraphQL request parameters: from the query string of a GET or the JSON body of a POST."""

    query: str | None
    operation_name: str | None
    variables: dict[str, Any] | None
    extensions: dict[str, Any] | None
    document_id: str | None
    """A persisted document's ID (`sha256:<hash>`), sent instead of `query`."""


async def read_params(request: Request) -> Params:
    """The request's parameters (a POST's in its body, others' in the query string);
    BadUserInput when they are not a GraphQL request."""
    if request.method != "POST":
        raw: dict[str, Any] = dict(request.query_params)
        for name in ("variables", "extensions"):
            if name in raw:
                raw[name] = _decode(raw[name], f"`{name}`") if raw[name] else None
    else:
        content_type = request.headers.get("content-type", "")
        if content_type.partition(";")[0].strip().lower() != JSON:
            raise BadUserInput("Send a POST body as JSON, with `Content-Type: application/json`.")
        body = _decode(await request.body(), "The request body")
        if not isinstance(body, dict):
            raise BadUserInput("The request body must be a JSON object (batches are not taken).")
        raw = body
    return Params(
        query=typed(raw, "query", str),
        operation_name=typed(raw, "operationName", str),
        variables=typed(raw, "variables", dict),
        extensions=typed(raw, "extensions", dict),
        document_id=typed(raw, "documentId", str),
    )


def shows_graphiql(request: Request) -> bool:
    """Whether the request is a browser opening the endpoint: it gets GraphiQL, not a result."""
    if request.method != "GET":
        return False  # before parsing a query string a POST does not use
    params = request.query_params
    accept = request.headers.get("accept", "")
    return (
        "query" not in params
        and not any(key in params for key in _PERSISTED_KEYS)
        and ("text/html" in accept or "*/*" in accept)
    )


def response_type(accept: str | None) -> str:
    """The media type to answer with: `application/graphql-response+json` when the client
    prefers it to `application/json`, which is the answer otherwise."""
    if not accept or GRAPHQL_RESPONSE not in accept:
        return JSON
    weights: dict[str, float] = {}
    for entry in accept.split(","):
        media_type, *parameters = entry.split(";")
        weights[media_type.strip().lower()] = _quality(parameters)
    preferred = weights.get(GRAPHQL_RESPONSE, 0.0)
    return GRAPHQL_RESPONSE if preferred > 0 and preferred >= weights.get(JSON, 0.0) else JSON


def _quality(parameters: list[str]) -> float:
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


def _decode(data: str | bytes, what: str) -> object:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        raise BadUserInput(f"{what} is not JSON (or nests deeper than 1024 levels).") from None


def typed(raw: dict[str, Any], name: str, kind: type) -> Any:
    """A parameter's value, null or of kind (str or dict); BadUserInput when it is not."""
    value = raw.get(name)
    if value is not None and not isinstance(value, kind):
        expected = "a string" if kind is str else "an object"
        raise BadUserInput(f"`{name}` must be {expected} or null.")
    return value
