"""The key a request's answer is cached under: its document, variables and token scope.

Whether an answer may be cached is known once it is computed: see the request
context's `live` flag.
"""

import hashlib
import json
from typing import Any

from starlette.requests import Request


async def answer_key(request: Request, scope: str) -> str | None:
    """The cache key of a GraphQL request of a token scope, or None when it is not one."""
    payload = await _payload(request)
    if payload is None:
        return None
    query, operation_name, variables = payload
    raw = json.dumps([scope, query, operation_name, variables], sort_keys=True)
    return hashlib.sha256(raw.encode()).hexdigest()


async def _payload(request: Request) -> tuple[str, str | None, Any] | None:
    if request.method == "GET":
        if "text/html" in request.headers.get("accept", ""):
            return None
        params = request.query_params
        try:
            variables = json.loads(params["variables"]) if "variables" in params else None
        except (ValueError, RecursionError):
            return None
        return _fields({**params, "variables": variables})
    if request.method != "POST" or "json" not in request.headers.get("content-type", ""):
        return None
    try:
        body = json.loads(await request.body())
    except (ValueError, RecursionError):
        return None
    return _fields(body) if isinstance(body, dict) else None


def _fields(body: dict[str, Any]) -> tuple[str, str | None, Any] | None:
    query, operation_name = body.get("query"), body.get("operationName")
    if not isinstance(query, str) or not isinstance(operation_name, str | None):
        return None
    # the request's extensions may ask for more in the answer (`extensions.cost`)
    return query, operation_name, [body.get("variables"), body.get("extensions")]
