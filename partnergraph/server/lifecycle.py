"""The one line a process writes when it starts serving, and the one when it stops."""

import logging
import os
import time
from importlib.metadata import version
from urllib.parse import urlsplit, urlunsplit

from partnergraph.schema.complexity import MAX_ALIASES, MAX_COST, MAX_DEPTH
from partnergraph.schema.documents import MAX_TOKENS
from partnergraph.server.headers import MAX_HEAD_BYTES
from partnergraph.server.limits import MAX_BODY_BYTES
from partnergraph.server.settings import Settings

__all__ = ["Lifetime"]

logger = logging.getLogger("partnergraph")

_EMBEDDED = "embedded emulator"
"""The upstream shown in demo mode."""


class Lifetime:
    """Writes a process's start-up line, then its shutdown line with how long it served."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._began = time.monotonic()

    def started(self, redis_available: bool) -> None:
        """The start-up line: version, mode, workers, upstream, Redis, and the limits in force."""
        settings = self._settings
        redis = "off"
        if settings.redis_url:
            redis = "connected" if redis_available else "unreachable"
        fields = {
            "version": version("partnergraph"),
            "mode": "demo" if settings.demo_mode else "graph",
            "workers": settings.workers,
            "pid": os.getpid(),
            "upstream": _shown_url(settings.graph_url) if settings.graph_url else _EMBEDDED,
            "graphVersion": settings.graph_version,
            "redis": redis,
            "limits": {
                "bodyBytes": MAX_BODY_BYTES,
                "headBytes": MAX_HEAD_BYTES,
                "depth": MAX_DEPTH,
                "cost": MAX_COST,
                "aliases": MAX_ALIASES,
                "tokens": MAX_TOKENS,
                "scanBudget": settings.scan_budget,
                "upstreamTimeout": settings.upstream_timeout,
                "cacheTtl": settings.cache_ttl,
                "cacheMaxEntries": settings.cache_max_entries,
                "pollInterval": settings.poll_seconds,
                "nodes": settings.max_nodes,
                "answerBytes": settings.max_answer_bytes,
                "headTimeout": settings.head_timeout,
                "bodyTimeout": settings.body_timeout,
                "keepAliveTimeout": settings.keep_alive_timeout,
                "socketSendTimeout": settings.socket_send_timeout,
                "socketsPerClient": settings.max_sockets_per_client,
                "subscriptionsPerToken": settings.max_subscriptions_per_token,
                "registrationsPerMinute": settings.persisted_registrations_per_minute,
            },
        }
        self._began = time.monotonic()
        logger.info("partnergraph started", extra={"fields": fields})

    def stopped(self) -> None:
        """The shutdown line."""
        served = round(time.monotonic() - self._began, 3)
        fields = {"pid": os.getpid(), "servedSeconds": served}
        logger.info("partnergraph stopped", extra={"fields": fields})


def _shown_url(url: str) -> str:
    """url as logged: no user or password, query string or fragment (where tokens hide)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
