"""Which requests the whole-answer cache may serve, and the key each is cached under."""

import hashlib
import json
from functools import lru_cache
from typing import Any

from graphql import FieldNode, GraphQLError, OperationType, Visitor, get_operation_ast, parse, visit
from starlette.requests import Request

LIVE_FIELDS = frozenset({"rateLimit"})
"""Fields whose answer must be computed on every request."""

_DOCUMENTS = 1024


async def answer_key(request: Request, scope: str) -> str | None:
    """The cache key of a read request of a token scope, or None when it may not be cached."""
    payload = await _payload(request)
    if payload is None:
        return None
    query, operation_name, variables = payload
    if not cacheable_document(query, operation_name):
        return None
    raw = json.dumps([scope, query, operation_name, variables], sort_keys=True)
    return hashlib.sha256(raw.encode()).hexdigest()


@lru_cache(maxsize=_DOCUMENTS)
def cacheable_document(query: str, operation_name: str | None) -> bool:
    """Whether a document is a query that reads no live field."""
    try:
        document = parse(query)
    except GraphQLError:
        return False
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation is not OperationType.QUERY:
        return False
    finder = _LiveFieldFinder()
    visit(document, finder)
    return not finder.found


class _LiveFieldFinder(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def enter_field(self, node: FieldNode, *_args: object) -> None:
        if node.name.value in LIVE_FIELDS:
            self.found = True


async def _payload(request: Request) -> tuple[str, str | None, Any] | None:
    if request.method == "GET":
        if "text/html" in request.headers.get("accept", ""):
            return None
        params = request.query_params
        try:
            variables = json.loads(params["variables"]) if "variables" in params else None
        except ValueError:
            return None
        return _fields({**params, "variables": variables})
    if request.method != "POST" or "json" not in request.headers.get("content-type", ""):
        return None
    try:
        body = json.loads(await request.body())
    except ValueError:
        return None
    return _fields(body) if isinstance(body, dict) else None


def _fields(body: dict[str, Any]) -> tuple[str, str | None, Any] | None:
    query, operation_name = body.get("query"), body.get("operationName")
    if not isinstance(query, str) or not isinstance(operation_name, str | None):
        return None
    return query, operation_name, body.get("variables")
