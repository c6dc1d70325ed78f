"""A bug's traceback reaches the log only: the client gets a coded 500 with the request id."""

import logging

import httpx
import pytest
from graphql import GraphQLError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from strawberry.types import ExecutionResult

from partnergraph import telemetry
from partnergraph.schema import errors
from partnergraph.schema.errors import INTERNAL_MESSAGE
from partnergraph.server.access import AccessLog
from partnergraph.server.metrics import Metrics
from partnergraph.telemetry import RequestRecord


async def _broken(request: Request) -> Response:
    raise RuntimeError("a bug, with a secret detail")


async def test_an_unhandled_error_is_a_coded_500_and_a_logged_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = Starlette(
        routes=[Route("/broken", _broken)],
        middleware=[Middleware(AccessLog, metrics=Metrics())],
    )
    caplog.set_level(logging.INFO, logger="partnergraph")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://app"
    ) as client:
        response = await client.get("/broken", headers={"X-Request-Id": "bug-1"})
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "bug-1"
    assert response.json() == {
        "errors": [
            {
                "message": INTERNAL_MESSAGE,
                "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": "bug-1"},
            }
        ]
    }
    assert "secret" not in response.text
    failure, access = caplog.records
    assert failure.exc_info is not None
    assert failure.exc_info[0] is RuntimeError
    assert access.getMessage() == "GET /broken 500"


def test_an_unexpected_resolver_error_logs_its_traceback(caplog: pytest.LogCaptureFixture) -> None:
    try:
        raise KeyError("missing")
    except KeyError as bug:
        error = GraphQLError("boom", path=["brand", "permissions"], original_error=bug)
    with caplog.at_level(logging.ERROR, logger="partnergraph.errors"):
        errors.log(error)
    (record,) = caplog.records
    assert record.getMessage() == "unexpected KeyError at brand.permissions"
    assert record.exc_info is not None
    assert record.exc_info[1] is error.original_error


def test_an_unexpected_error_streamed_over_a_socket_is_masked_and_coded() -> None:
    try:
        raise KeyError("a bug, with a secret detail")
    except KeyError as bug:
        error = GraphQLError("a secret detail", path=["brand"], original_error=bug)
    result = ExecutionResult(data=None, errors=[error])
    with telemetry.recording(RequestRecord("socket-1")) as record:
        for _ in errors.StreamedErrorCodes().on_stream_result(result):
            pass
    (masked,) = result.errors or []
    assert masked.message == INTERNAL_MESSAGE
    assert masked.extensions == {"code": "INTERNAL_SERVER_ERROR", "requestId": "socket-1"}
    assert record.outcome(101) == "INTERNAL_SERVER_ERROR"
