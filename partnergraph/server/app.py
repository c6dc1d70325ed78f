"""create_app(): the Starlette app, its lifespan-owned clients and caches, and its routes."""

import contextlib
import functools
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute

from partnergraph.graph.client import GraphClient
from partnergraph.graph.usage import UsageLedger
from partnergraph.resolvers.budgets import DailyBudgets
from partnergraph.resolvers.cache import AnswerCache, ReadCache
from partnergraph.resolvers.context import Services
from partnergraph.resolvers.shared import SharedState, in_memory, on_redis
from partnergraph.resolvers.watch import Watchers
from partnergraph.schema.build import schema
from partnergraph.server import demo
from partnergraph.server.access import AccessLog, RequestObserver
from partnergraph.server.graphiql import (
    Tab,
    graphiql_assets,
    operation_documents,
    render_graphiql,
)
from partnergraph.server.health import UpstreamProbe, healthz, readyz
from partnergraph.server.lifecycle import Lifetime
from partnergraph.server.limits import BodyLimit
from partnergraph.server.metrics import Metrics
from partnergraph.server.persisted import PersistedDocuments, read_manifest
from partnergraph.server.settings import Settings
from partnergraph.server.view import GraphQLView
from partnergraph.state.clock import Clock, wall_clock

logger = logging.getLogger("partnergraph")

_QUERIES = Path(__file__).resolve().parents[2] / "queries"
SHIPPED_MANIFEST = (
    Path(__file__).resolve().parents[2] / "clients" / "typescript" / "persisted-documents.json"
)
"""The trusted-documents manifest of queries/ that `make codegen` writes: known by hash in any
mode. A missing file (an installed package without the repository's clients/) names none."""
_DEMO_GRAPH_URL = "http://emulator.demo"
_LOCAL_ORIGINS = r"http://(localhost|127\.0\.0\.1)(:[0-9]+)?"


def create_app(
    settings: Settings | None = None,
    *,
    public_url: str | None = None,
    clock: Callable[[], float] = time.monotonic,
    state_clock: Clock = wall_clock,
) -> Starlette:
    """The partnergraph ASGI app for settings (read from the environment when omitted).

    `public_url` is where clients reach it, for the demo banner; `clock` times the
    readiness probe's freshness; `state_clock` is the wall clock of shared state (cache
    expiries, budget windows, usage reports).
    """
    settings = settings or Settings.from_env()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    emulator = demo.emulator_app() if settings.demo_mode else None
    shown: list[demo.Showcase] = []
    metrics = Metrics(redis=settings.redis_url is not None)
    graph_url = settings.graph_url or _DEMO_GRAPH_URL
    lifetime = Lifetime(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        transport = demo.EmulatorTransport(emulator) if emulator is not None else None
        async with httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(settings.upstream_timeout),
            limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
        ) as http:
            observer = RequestObserver(metrics)
            state = await _shared_state(settings, observer, state_clock)
            services = app.state.services = _services(settings, http, state, observer, state_clock)
            probe = UpstreamProbe(
                http, f"{graph_url}/{settings.graph_version}/", observer=observer, clock=clock
            )
            app.state.readiness = {"upstream": probe}
            app.state.degradable = {}
            if settings.redis_url:
                app.state.degradable["redis"] = _redis_check(state)
                if metrics.redis_available is not None:
                    redis_up = metrics.redis_available

                    def tell_availability() -> None:
                        redis_up.set(float(state.available()))

                    tell_availability()
                    state.on_availability(tell_availability)
            try:
                if emulator is not None:
                    showcase = await demo.showcase(http, _DEMO_GRAPH_URL, public_url or "")
                    shown[:] = [showcase] if showcase else []
                lifetime.started(state.available())
                yield
            finally:
                await services.watchers.aclose()
                await state.close()
                lifetime.stopped()

    sdl = schema.as_str()

    def graphiql_page(request: Request) -> str:
        root_path = request.scope.get("root_path", "")
        documents = operation_documents(_QUERIES)
        tabs = shown[0].tabs(documents) if shown else [Tab(doc) for doc in documents.values()]
        return render_graphiql(
            endpoint=root_path + "/graphql", tabs=tabs, root_path=root_path, schema=sdl
        )

    trusted = read_manifest(settings.trusted_documents) if settings.trusted_documents else None
    persisted = PersistedDocuments(
        trusted,
        shipped=read_manifest(str(SHIPPED_MANIFEST)) if SHIPPED_MANIFEST.exists() else None,
        registrations_per_minute=settings.persisted_registrations_per_minute,
    )
    view = GraphQLView(
        lambda: app.state.services,
        graphiql_page,
        persisted,
        metrics=metrics,
        allowed_origins=settings.cors_origin_list,
        local_origins=_local_origins(settings),
        max_answer_bytes=settings.max_answer_bytes,
        max_sockets_per_client=settings.max_sockets_per_client,
        max_subscriptions_per_token=settings.max_subscriptions_per_token,
    )
    routes: list[BaseRoute] = [
        Route("/", _to_graphiql),
        Route("/graphql", view, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", view),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics.endpoint),
        graphiql_assets(),
    ]
    if emulator is not None:
        routes.append(Mount("/emulator", app=emulator))
    # CORS outside the body limit, so that a browser can read a 413 too.
    middleware = [
        Middleware(AccessLog, metrics=metrics),
        *_cors(settings),
        Middleware(BodyLimit),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, middleware=middleware)
    app.state.metrics = metrics
    return app


def _local_origins(settings: Settings) -> str | None:
    """The pattern of the origins allowed besides the listed ones: this machine's, in demo mode."""
    return _LOCAL_ORIGINS if settings.demo_mode else None


def _cors(settings: Settings) -> list[Middleware]:
    """CORS for the configured origins, and in demo mode for pages on this machine; the view
    allows the same origins' WebSockets."""
    origins = settings.cors_origin_list
    local = _local_origins(settings)
    if not origins and local is None:
        return []
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_origin_regex=local,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-Request-Id"],
            expose_headers=["X-Request-Id"],
            max_age=3600,
        )
    ]


async def _shared_state(settings: Settings, observer: RequestObserver, clock: Clock) -> SharedState:
    """The state instances share: in Redis when PARTNERGRAPH_REDIS_URL is set, else here."""
    on_join = functools.partial(observer.flight_joined, "pages")
    if settings.redis_url:
        return await on_redis(
            settings.redis_url,
            ttl=settings.cache_ttl,
            max_entries=settings.cache_max_entries,
            clock=clock,
            on_join=on_join,
        )
    return in_memory(
        ttl=settings.cache_ttl,
        max_entries=settings.cache_max_entries,
        clock=clock,
        on_join=on_join,
    )


def _redis_check(state: SharedState) -> Callable[[], Awaitable[str | None]]:
    async def check() -> str | None:
        return None if await state.ready() else "Redis does not answer"

    return check


def _services(
    settings: Settings,
    http: httpx.AsyncClient,
    state: SharedState,
    observer: RequestObserver,
    clock: Clock,
) -> Services:
    ledger = UsageLedger(state.usage)
    client = GraphClient(
        http,
        graph_url=settings.graph_url or _DEMO_GRAPH_URL,
        version=settings.graph_version,
        app_secret=settings.app_secret,
        ledger=ledger,
        observer=observer,
        clock=clock,
    )
    reads = ReadCache(
        state.pages,
        state.generations,
        state.flights,
        settings.cache_ttl,
        clock=clock,
        observer=observer,
    )
    answers = (
        AnswerCache(state.answers, state.generations, settings.cache_ttl, observer, clock=clock)
        if settings.cache_ttl > 0
        else None
    )
    return Services(
        client=client,
        cache=reads,
        answers=answers,
        ledger=ledger,
        budgets=DailyBudgets(state.windows, state.last_users, clock),
        scope_key=settings.app_secret.encode() if settings.app_secret else state.scope_key,
        scan_budget=settings.scan_budget,
        documents=state.documents,
        windows=state.windows,
        watchers=Watchers(state, settings.poll_seconds),
        max_nodes=settings.max_nodes,
    )


def _to_graphiql(request: Request) -> RedirectResponse:
    return RedirectResponse(request.scope.get("root_path", "") + "/graphql")
