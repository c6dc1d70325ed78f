"""create_app(): the Starlette app, its lifespan-owned clients and caches, and its routes."""

import contextlib
import logging
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route

from partnergraph.resolvers.budgets import DailyBudgets
from partnergraph.resolvers.cache import AnswerCache, BoundedMemoryCache, ReadCache
from partnergraph.resolvers.context import Services
from partnergraph.resolvers.state.store import MemoryStore
from partnergraph.resolvers.upstream.client import GraphClient
from partnergraph.resolvers.upstream.usage import UsageLedger
from partnergraph.server import demo
from partnergraph.server.graphiql import graphiql_assets, render_graphiql
from partnergraph.server.settings import Settings
from partnergraph.server.view import GraphQLView

logger = logging.getLogger("partnergraph")

_EXAMPLE_QUERY = Path(__file__).resolve().parents[2] / "queries" / "BrandPermissions.graphql"
_DEMO_GRAPH_URL = "http://emulator.demo"


def create_app(settings: Settings | None = None) -> Starlette:
    """The partnergraph ASGI app for settings (read from the environment when omitted)."""
    settings = settings or Settings.from_env()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    emulator = demo.emulator_app() if settings.demo_mode else None
    shown: list[demo.Showcase] = []

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        transport = httpx.ASGITransport(app=emulator) if emulator is not None else None
        async with httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(settings.upstream_timeout),
            limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
        ) as http:
            app.state.services = _services(settings, http)
            if emulator is not None:
                showcase = await demo.showcase(http, _DEMO_GRAPH_URL)
                shown[:] = [showcase] if showcase else []
            yield

    def graphiql_page(request: Request) -> str:
        root_path = request.scope.get("root_path", "")
        return render_graphiql(
            endpoint=root_path + "/graphql",
            query=_example_query(),
            headers={"Authorization": shown[0].authorization} if shown else {},
            variables={"brandId": shown[0].brand_id, "first": 10} if shown else None,
            root_path=root_path,
        )

    view = GraphQLView(lambda: app.state.services, graphiql_page)
    routes: list[BaseRoute] = [
        Route("/graphql", view, methods=["GET", "POST"]),
        Route("/healthz", _health),
        graphiql_assets(),
    ]
    if emulator is not None:
        routes.append(Mount("/emulator", app=emulator))
    app = Starlette(routes=routes, lifespan=lifespan)
    return app


def _services(settings: Settings, http: httpx.AsyncClient) -> Services:
    ledger = UsageLedger()
    client = GraphClient(
        http,
        graph_url=settings.graph_url or _DEMO_GRAPH_URL,
        version=settings.graph_version,
        app_secret=settings.app_secret,
        ledger=ledger,
    )
    reads = ReadCache(BoundedMemoryCache(settings.cache_max_entries), settings.cache_ttl)
    answers = (
        AnswerCache(BoundedMemoryCache(settings.cache_max_entries), reads, settings.cache_ttl)
        if settings.cache_ttl > 0
        else None
    )
    scope_key = (settings.app_secret or secrets.token_hex(32)).encode()
    return Services(
        client=client,
        cache=reads,
        answers=answers,
        ledger=ledger,
        budgets=DailyBudgets(),
        scope_key=scope_key,
        scan_budget=settings.scan_budget,
        documents=MemoryStore(settings.cache_max_entries),
    )


def _example_query() -> str:
    try:
        return _EXAMPLE_QUERY.read_text()
    except OSError:
        return ""


async def _health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})
