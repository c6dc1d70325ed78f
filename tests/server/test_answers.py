"""Answer keys: what makes two requests the same question for the whole-answer cache."""

import json
from typing import Any

from starlette.requests import Request
from starlette.types import Message

from partnergraph.server.answers import answer_key


def _post(payload: Any, content_type: str = "application/json") -> Request:
    body = json.dumps(payload).encode()
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/graphql",
        "query_string": b"",
        "headers": [(b"content-type", content_type.encode())],
    }

    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    return Request(scope, receive)


async def test_same_question_same_key_and_scopes_apart() -> None:
    question = {"query": "{ rateLimit { appPercent } }", "variables": {"a": 1, "b": 2}}
    reordered = {"variables": {"b": 2, "a": 1}, "query": "{ rateLimit { appPercent } }"}
    first = await answer_key(_post(question), "scope-1")
    assert first is not None
    assert await answer_key(_post(reordered), "scope-1") == first
    assert await answer_key(_post(question), "scope-2") != first
    assert await answer_key(_post({**question, "variables": {"a": 2}}), "scope-1") != first


async def test_not_a_question_has_no_key() -> None:
    assert await answer_key(_post({"query": 3}), "scope") is None
    assert await answer_key(_post(["not", "an", "object"]), "scope") is None
    assert await answer_key(_post({"query": "{ a }"}, "text/plain"), "scope") is None
