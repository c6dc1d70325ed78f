"""The emulator's Starlette app: admin routes, and every other path answered as the Graph API."""

import asyncio
import logging

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from partnergraph.emulator import batch, graph
from partnergraph.emulator.admin import AdminApi
from partnergraph.emulator.errors import AdminError, GraphError, canned, internal
from partnergraph.emulator.faults import Fault
from partnergraph.emulator.state import Emulator
from partnergraph.emulator.stats import BATCH
from partnergraph.emulator.wire import call_from_request, edge_of

logger = logging.getLogger(__name__)

_ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

_HTML = (
    "<!DOCTYPE html><html><head><title>Error</title></head>"
    "<body>Sorry, something went wrong.</body></html>"
)


def create_emulator_app() -> Starlette:
    """A fresh emulator at its seeded demo data; no lifespan work needed."""
    emulator = Emulator()

    async def graph_endpoint(request: Request) -> Response:
        path = request.path_params["path"]
        if path == "admin" or path.startswith("admin/"):
            return _admin_error(emulator, AdminError("no such admin call", 404))
        edge = edge_of(path, request.method)
        emulator.stats.total += 1
        if edge != BATCH:
            emulator.stats.count(edge, request.method)
        else:
            emulator.stats.count(BATCH, "POST")
        effect = emulator.faults.draw(edge, request.method)
        if effect.latency_ms:
            await asyncio.sleep(effect.latency_ms / 1000)
        fault = effect.outcome
        if fault is not None and fault.body != "truncated":
            return _faulted(emulator, fault)
        response = await _answer(emulator, request, path, edge)
        if fault is not None:
            cut = response.body[: len(response.body) // 2]
            return Response(cut, response.status_code, media_type="application/json")
        return response

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        return _admin_error(emulator, AdminError(str(exc), status))

    return Starlette(
        routes=[
            *AdminApi(emulator).routes(),
            Route("/{path:path}", graph_endpoint, methods=_ANY_METHOD),
        ],
        exception_handlers={HTTPException: http_error},
    )


async def _answer(emulator: Emulator, request: Request, path: str, edge: str) -> JSONResponse:
    try:
        call = await call_from_request(request, path)
        result = batch.run(emulator, call) if edge == BATCH else graph.answer(emulator, call)
    except GraphError as error:
        result = graph.failure(emulator, error)
    except Exception:  # a bug: a Graph error body, never a traceback
        logger.exception("emulator failed to read a Graph request")
        result = graph.failure(emulator, internal())
    return JSONResponse(result.payload, result.status, headers=result.headers)


def _faulted(emulator: Emulator, fault: Fault) -> Response:
    if fault.body == "reset":
        return ResetResponse()
    if fault.body == "html":
        return HTMLResponse(_HTML, fault.status or 502)
    code = fault.error_code or (2 if (fault.status or 500) >= 500 else 1)
    answer = graph.failure(emulator, canned(code, fault.status))
    return JSONResponse(answer.payload, answer.status, headers=answer.headers)


def _admin_error(emulator: Emulator, error: AdminError) -> JSONResponse:
    return JSONResponse(error.payload(emulator.trace_id()), error.status)


class ResetResponse(Response):
    """Starts an answer, then drops the connection before its body: a reset for the client."""

    def __init__(self) -> None:
        super().__init__(b"", 200)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the status line and headers promising a body, then fail the connection."""
        headers = [(b"content-type", b"application/json"), (b"content-length", b"4096")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        raise ConnectionResetError("injected fault: connection reset")
