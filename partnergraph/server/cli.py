"""The `partnergraph` console script: serve, emulator, export-schema."""

import argparse
import os
import sys
from collections.abc import Sequence
from importlib.metadata import version

from starlette.applications import Starlette

from partnergraph.errors import SettingsError
from partnergraph.server import listen, logs
from partnergraph.server.settings import LOG_FORMATS, LOG_LEVELS, Settings, check_log_format

_ENDPOINTS = (
    ("GraphiQL", "/graphql"),
    ("health", "/healthz"),
    ("readiness", "/readyz"),
    ("metrics", "/metrics"),
)


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the command line and run the command it names."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        args.run(args)
    except SettingsError as error:
        parser.exit(2, f"partnergraph: {error}\n")
    except KeyboardInterrupt:
        pass


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="partnergraph",
        description="A GraphQL API for Instagram partnership ads, and a Graph API emulator.",
    )
    parser.add_argument(
        "--version", action="version", version=f"partnergraph {version('partnergraph')}"
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the GraphQL server")
    serve.add_argument("--host", help="address to listen on (PARTNERGRAPH_HOST, 127.0.0.1)")
    serve.add_argument(
        "--port", type=int, help="port, 0 for any free one (PARTNERGRAPH_PORT, 8000)"
    )
    serve.add_argument("--workers", type=int, help="worker processes (PARTNERGRAPH_WORKERS, 1)")
    serve.add_argument(
        "--forwarded-allow-ips",
        help="comma-separated proxy addresses (or *) whose X-Forwarded-For is believed "
        "(PARTNERGRAPH_FORWARDED_ALLOW_IPS, 127.0.0.1)",
    )
    serve.add_argument("--graph-url", help="Graph API base URL; unset runs the embedded emulator")
    serve.add_argument("--graph-version", help="Graph API version (v23.0)")
    serve.add_argument("--app-secret", help="app secret, to send appsecret_proof")
    serve.add_argument("--cache-ttl", type=float, help="seconds upstream data is reused; 0 = off")
    serve.add_argument("--cache-max-entries", type=int, help="entries the memory cache holds")
    serve.add_argument(
        "--redis-url", help="redis://host:port/db: state shared by every instance and worker"
    )
    serve.add_argument("--upstream-timeout", type=float, help="seconds one upstream call may take")
    serve.add_argument("--scan-budget", type=int, help="upstream calls a filtered page may cost")
    serve.add_argument(
        "--poll-interval",
        type=float,
        help="seconds between the polls behind subscriptions (30; 2 in demo mode)",
    )
    serve.add_argument(
        "--log-level",
        type=str.upper,
        choices=LOG_LEVELS,
        help="partnergraph's log level (PARTNERGRAPH_LOG_LEVEL, INFO)",
    )
    serve.add_argument(
        "--log-format",
        choices=LOG_FORMATS,
        help="log lines as json or text (PARTNERGRAPH_LOG_FORMAT; text on a terminal, else json)",
    )
    serve.add_argument("--cors-origins", help="comma-separated origins browsers may call from")
    serve.add_argument("--trusted-documents", help="manifest of the only documents to run")
    serve.add_argument(
        "--persisted-registrations-per-minute",
        type=int,
        help="persisted queries one token may register per minute (60)",
    )
    serve.add_argument("--max-nodes", type=int, help="nodes one answer may hold (10100)")
    serve.add_argument("--max-answer-bytes", type=int, help="bytes one answer may take (4194304)")
    serve.add_argument(
        "--head-timeout", type=float, help="seconds a request's head may take to arrive (10)"
    )
    serve.add_argument(
        "--body-timeout", type=float, help="seconds a request's body may take to arrive (30)"
    )
    serve.add_argument(
        "--keep-alive-timeout", type=float, help="seconds an idle connection is held (5)"
    )
    serve.add_argument(
        "--socket-send-timeout",
        type=float,
        help="seconds a WebSocket may leave answers unread before it is closed (30)",
    )
    serve.add_argument(
        "--max-sockets-per-client",
        type=int,
        help="WebSocket connections one client address may hold (20)",
    )
    serve.add_argument(
        "--max-subscriptions-per-token",
        type=int,
        help="subscriptions one token may hold open (100)",
    )
    serve.set_defaults(run=_serve)

    emulator = commands.add_parser("emulator", help="run the Graph API emulator alone")
    emulator.add_argument(
        "--host", help="address to listen on (PARTNERGRAPH_EMULATOR_HOST, 127.0.0.1)"
    )
    emulator.add_argument(
        "--port", type=int, help="port, 0 for any free one (PARTNERGRAPH_EMULATOR_PORT, 8001)"
    )
    emulator.set_defaults(run=_emulator)

    export = commands.add_parser("export-schema", help="print the GraphQL schema (SDL)")
    export.set_defaults(run=_export_schema)
    return parser


def _serve(args: argparse.Namespace) -> None:
    from partnergraph.server.app import create_app

    settings = Settings.from_env(
        host=args.host,
        port=args.port,
        workers=args.workers,
        forwarded_allow_ips=args.forwarded_allow_ips,
        graph_url=args.graph_url,
        graph_version=args.graph_version,
        app_secret=args.app_secret,
        cache_ttl=args.cache_ttl,
        cache_max_entries=args.cache_max_entries,
        redis_url=args.redis_url,
        upstream_timeout=args.upstream_timeout,
        scan_budget=args.scan_budget,
        poll_interval=args.poll_interval,
        log_level=args.log_level,
        log_format=args.log_format,
        cors_origins=args.cors_origins,
        trusted_documents=args.trusted_documents,
        persisted_registrations_per_minute=args.persisted_registrations_per_minute,
        max_nodes=args.max_nodes,
        max_answer_bytes=args.max_answer_bytes,
        head_timeout=args.head_timeout,
        body_timeout=args.body_timeout,
        keep_alive_timeout=args.keep_alive_timeout,
        socket_send_timeout=args.socket_send_timeout,
        max_sockets_per_client=args.max_sockets_per_client,
        max_subscriptions_per_token=args.max_subscriptions_per_token,
    )
    if settings.workers > 1 and settings.demo_mode:
        raise SettingsError(
            "demo mode runs one worker: each worker would embed its own emulator, and a write "
            "through one would be missing from the others; run `partnergraph emulator` and set "
            "PARTNERGRAPH_GRAPH_URL to its URL to try several workers"
        )
    if settings.workers > 1 and settings.cache_ttl > 0 and not settings.redis_url:
        raise SettingsError(
            "--workers without PARTNERGRAPH_REDIS_URL keeps a cache in each worker, so a write "
            "through one would not refresh what the others have cached: set "
            "PARTNERGRAPH_REDIS_URL, run one worker, or turn caching off with "
            "PARTNERGRAPH_CACHE_TTL=0"
        )
    logs.configure(settings.log_level, settings.log_format)
    sock = listen.bind(
        settings.host,
        settings.port,
        setting="PARTNERGRAPH_PORT or --port",
        host_setting="PARTNERGRAPH_HOST or --host",
    )
    url = listen.url_of(sock)
    timeouts = listen.Timeouts(
        head=settings.head_timeout,
        body=settings.body_timeout,
        keep_alive=settings.keep_alive_timeout,
        socket_send=settings.socket_send_timeout,
    )
    if settings.workers > 1:
        os.environ.update(settings.to_env())
        listen.serve(
            "partnergraph.server.cli:worker_app",
            sock,
            name="partnergraph",
            workers=settings.workers,
            endpoints=_ENDPOINTS,
            forwarded_allow_ips=settings.forwarded_allow_ips,
            timeouts=timeouts,
        )
    else:
        app = create_app(settings, public_url=url)
        listen.serve(
            app,
            sock,
            name="partnergraph",
            endpoints=_ENDPOINTS,
            forwarded_allow_ips=settings.forwarded_allow_ips,
            timeouts=timeouts,
        )


def worker_app() -> Starlette:
    """The app of one worker process of `serve --workers N`, logging as the parent does."""
    from partnergraph.server.app import create_app

    settings = Settings.from_env()
    logs.configure(settings.log_level, settings.log_format)
    return create_app(settings)


def _emulator(args: argparse.Namespace) -> None:
    from partnergraph.emulator.app import create_emulator_app

    log_format = os.environ.get("PARTNERGRAPH_LOG_FORMAT") or None
    check_log_format(log_format)
    logs.configure("INFO", log_format)
    host = args.host or os.environ.get("PARTNERGRAPH_EMULATOR_HOST") or "127.0.0.1"
    port = args.port if args.port is not None else _emulator_port()
    sock = listen.bind(
        host,
        port,
        setting="PARTNERGRAPH_EMULATOR_PORT or --port",
        host_setting="PARTNERGRAPH_EMULATOR_HOST or --host",
    )
    listen.serve(create_emulator_app(), sock, name="partnergraph emulator")


def _emulator_port() -> int:
    """PARTNERGRAPH_EMULATOR_PORT, 8001 when unset."""
    raw = os.environ.get("PARTNERGRAPH_EMULATOR_PORT") or "8001"
    try:
        port = int(raw)
    except ValueError:
        raise SettingsError(f"PARTNERGRAPH_EMULATOR_PORT must be a number, not {raw!r}") from None
    if not 0 <= port <= 65535:
        raise SettingsError("PARTNERGRAPH_EMULATOR_PORT must be between 0 and 65535")
    return port


def _export_schema(args: argparse.Namespace) -> None:
    from partnergraph.schema.build import schema

    sys.stdout.write(schema.as_str() + "\n")
