"""create_app(): the Starlette app, its lifespan-owned clients and caches, and its routes."""

import contextlib
import logging
import secrets
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import BaseRoute, Mount, Route

from partnergraph.resolvers.budgets import DailyBudgets
from partnergraph.resolvers.cache import AnswerCache, BoundedMemoryCache, ReadCache
from partnergraph.resolvers.context import Services
from partnergraph.resolvers.state.store import MemoryStore
from partnergraph.resolvers.upstream.client import GraphClient
from partnergraph.resolvers.upstream.usage import UsageLedger
from partnergraph.server import demo
from partnergraph.server.access import AccessLog, RequestObserver
from partnergraph.server.graphiql import (
    Tab,
    graphiql_assets,
    operation_documents,
    render_graphiql,
)
from partnergraph.server.health import UpstreamProbe, healthz, readyz
from partnergraph.server.metrics import Metrics
from partnergraph.server.settings import Settings
from partnergraph.server.view import GraphQLView

logger = logging.getLogger("partnergraph")

_QUERIES = Path(__file__).resolve().parents[2] / "queries"
_DEMO_GRAPH_URL = "http://emulator.demo"


def create_app(
    settings: Settings | None = None,
    *,
    public_url: str | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Starlette:
    """The partnergraph ASGI app for settings (read from the environment when omitted).

    `public_url` is where clients reach it, for the demo banner; `clock` times the
    readiness probe's freshness.
    """
    settings = settings or Settings.from_env()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    emulator = demo.emulator_app() if settings.demo_mode else None
    shown: list[demo.Showcase] = []
    metrics = Metrics(redis=settings.redis_url is not None)
    graph_url = settings.graph_url or _DEMO_GRAPH_URL

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        transport = httpx.ASGITransport(app=emulator) if emulator is not None else None
        async with httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(settings.upstream_timeout),
            limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
        ) as http:
            app.state.services = _services(settings, http, RequestObserver(metrics))
            probe = UpstreamProbe(http, f"{graph_url}/{settings.graph_version}/", clock=clock)
            app.state.readiness = {"upstream": probe}
            if emulator is not None:
                showcase = await demo.showcase(http, _DEMO_GRAPH_URL, public_url or "")
                shown[:] = [showcase] if showcase else []
            yield

    def graphiql_page(request: Request) -> str:
        root_path = request.scope.get("root_path", "")
        documents = operation_documents(_QUERIES)
        tabs = shown[0].tabs(documents) if shown else [Tab(doc) for doc in documents.values()]
        return render_graphiql(endpoint=root_path + "/graphql", tabs=tabs, root_path=root_path)

    view = GraphQLView(lambda: app.state.services, graphiql_page)
    routes: list[BaseRoute] = [
        Route("/", _to_graphiql),
        Route("/graphql", view, methods=["GET", "POST"]),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics.endpoint),
        graphiql_assets(),
    ]
    if emulator is not None:
        routes.append(Mount("/emulator", app=emulator))
    app = Starlette(
        routes=routes, lifespan=lifespan, middleware=[Middleware(AccessLog, metrics=metrics)]
    )
    app.state.metrics = metrics
    return app


def _services(settings: Settings, http: httpx.AsyncClient, observer: RequestObserver) -> Services:
    ledger = UsageLedger()
    client = GraphClient(
        http,
        graph_url=settings.graph_url or _DEMO_GRAPH_URL,
        version=settings.graph_version,
        app_secret=settings.app_secret,
        ledger=ledger,
        observer=observer,
    )
    reads = ReadCache(BoundedMemoryCache(settings.cache_max_entries), settings.cache_ttl, observer)
    answers = (
        AnswerCache(
            BoundedMemoryCache(settings.cache_max_entries), reads, settings.cache_ttl, observer
        )
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


def _to_graphiql(request: Request) -> RedirectResponse:
    return RedirectResponse(request.scope.get("root_path", "") + "/graphql")
