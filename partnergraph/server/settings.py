"""The server's settings, read from PARTNERGRAPH_* environment variables."""

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields

from partnergraph.errors import SettingsError
from partnergraph.schema.complexity import MAX_NODES
from partnergraph.server.answer_limit import MAX_ANSWER_BYTES
from partnergraph.server.headers import BODY_TIMEOUT, HEAD_TIMEOUT, KEEP_ALIVE_TIMEOUT
from partnergraph.server.persisted import read_manifest
from partnergraph.server.unread import SEND_TIMEOUT

_PREFIX = "PARTNERGRAPH_"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOG_FORMATS = ("json", "text")
_POLL_INTERVAL = 30.0
_DEMO_POLL_INTERVAL = 2.0
_ORIGIN = re.compile(r"https?://[^\s/?#]+")
_GUARDED = ("graph_url", "app_secret", "redis_url", "cors_origins")
"""The secret and URL settings, whose values are often pasted from an example."""
_PLACEHOLDER = re.compile(r"…|\.\.\.|<[^<>]*>|change[-_]?me|(?<![a-z0-9])your[-_]", re.I)
"""A placeholder: `…` or `...`, anything in angle brackets, `changeme` (or `change-me`,
`change_me`), or a word starting `your-` or `your_`, in any case."""
_AT_LEAST_ONE = (
    "cache_max_entries",
    "workers",
    "scan_budget",
    "persisted_registrations_per_minute",
    "max_nodes",
    "max_answer_bytes",
    "max_sockets_per_client",
    "max_subscriptions_per_token",
)
_MORE_THAN_ZERO = (
    "upstream_timeout",
    "head_timeout",
    "body_timeout",
    "keep_alive_timeout",
    "socket_send_timeout",
)


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything an operator can set; each field is PARTNERGRAPH_<FIELD> in the environment."""

    graph_url: str | None = None
    graph_version: str = "v23.0"
    app_secret: str | None = None
    cache_ttl: float = 60.0
    cache_max_entries: int = 10_000
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    """Worker processes of `serve`."""
    forwarded_allow_ips: str = "127.0.0.1"
    """Comma-separated addresses (or `*`) whose X-Forwarded-For and X-Forwarded-Proto are
    believed: the proxies in front; uvicorn's --forwarded-allow-ips."""
    redis_url: str | None = None
    upstream_timeout: float = 10.0
    scan_budget: int = 5
    poll_interval: float | None = None
    """Seconds between the polls behind subscriptions; unset: 2 in demo mode, else 30."""
    log_level: str = "INFO"
    log_format: str | None = None
    """`json` or `text`; unset: text on a terminal, json otherwise."""
    cors_origins: str | None = None
    """Comma-separated origins whose pages may call the API (CORS); unset sends no CORS headers."""
    trusted_documents: str | None = None
    """A manifest of the only documents to run ({"<sha256>": "<document>"}); unset runs any."""
    persisted_registrations_per_minute: int = 60
    """Persisted queries (APQ) one token may register per minute, across instances."""
    max_nodes: int = MAX_NODES
    """Nodes one answer may hold (each connection's page size times the lists above it)."""
    max_answer_bytes: int = MAX_ANSWER_BYTES
    """Bytes one answer may take; a longer one is replaced by an ANSWER_TOO_LARGE error."""
    head_timeout: float = HEAD_TIMEOUT
    """Seconds a request's line and headers may take to arrive (HTTP 408 past them)."""
    body_timeout: float = BODY_TIMEOUT
    """Seconds a request's body may take to arrive (HTTP 408 past them)."""
    keep_alive_timeout: float = KEEP_ALIVE_TIMEOUT
    """Seconds an idle keep-alive connection is held."""
    socket_send_timeout: float = SEND_TIMEOUT
    """Seconds a WebSocket may leave what the server sends it unread before it is closed."""
    max_sockets_per_client: int = 20
    """WebSocket connections one client address may hold open at once."""
    max_subscriptions_per_token: int = 100
    """Subscriptions one token may hold open at once in this process."""

    @property
    def demo_mode(self) -> bool:
        """Whether the embedded emulator is the upstream."""
        return self.graph_url is None

    @property
    def poll_seconds(self) -> float:
        """The poll interval in force: as set, or 2 s in demo mode (a change made in GraphiQL
        is pushed while the user watches) and 30 s against the Graph API."""
        if self.poll_interval is not None:
            return self.poll_interval
        return _DEMO_POLL_INTERVAL if self.demo_mode else _POLL_INTERVAL

    @property
    def cors_origin_list(self) -> list[str]:
        """The origins of cors_origins, one each."""
        return [origin.strip() for origin in (self.cors_origins or "").split(",") if origin.strip()]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ, **overrides: object) -> "Settings":
        """Settings from environment variables, then explicit overrides that are not None."""
        values: dict[str, object] = {}
        for field in fields(cls):
            raw = environ.get(_PREFIX + field.name.upper())
            if raw is not None and raw != "":
                values[field.name] = _parse(field.name, field.type, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)  # type: ignore[arg-type]
        settings.check()
        return settings

    def check(self) -> None:
        """Raise SettingsError on values that cannot work."""
        _refuse_placeholders(self)
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, float) and not math.isfinite(value):
                raise SettingsError(
                    f"{_PREFIX}{field.name.upper()} must be a finite number, not {value}"
                )
        if self.cache_ttl < 0:
            raise SettingsError("PARTNERGRAPH_CACHE_TTL must be 0 or more seconds")
        if not 0 <= self.port <= 65535:
            raise SettingsError("PARTNERGRAPH_PORT must be between 0 and 65535")
        if not self.forwarded_allow_ips.strip():
            raise SettingsError(
                "PARTNERGRAPH_FORWARDED_ALLOW_IPS must name at least one address, or *"
            )
        if self.poll_interval is not None and self.poll_interval <= 0:
            raise SettingsError("PARTNERGRAPH_POLL_INTERVAL must be more than 0 seconds")
        for name in _AT_LEAST_ONE:
            if getattr(self, name) < 1:
                raise SettingsError(f"{_PREFIX}{name.upper()} must be at least 1")
        for name in _MORE_THAN_ZERO:
            if getattr(self, name) <= 0:
                raise SettingsError(f"{_PREFIX}{name.upper()} must be more than 0 seconds")
        if self.redis_url is not None and not self.redis_url.startswith(
            ("redis://", "rediss://", "unix://")
        ):
            raise SettingsError(
                "PARTNERGRAPH_REDIS_URL must be a redis://, rediss:// or unix:// URL"
            )
        if self.log_level.upper() not in LOG_LEVELS:
            raise SettingsError(f"PARTNERGRAPH_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")
        check_log_format(self.log_format)
        if self.graph_url is not None and not self.graph_url.startswith(("http://", "https://")):
            raise SettingsError("PARTNERGRAPH_GRAPH_URL must be an http:// or https:// URL")
        for origin in self.cors_origin_list:
            if origin != "*" and not _ORIGIN.fullmatch(origin):
                raise SettingsError(
                    f"PARTNERGRAPH_CORS_ORIGINS: {origin!r} is not an origin such as "
                    "https://app.example.com (a scheme, a host and maybe a port; no path)"
                )
        if self.trusted_documents is not None:
            read_manifest(self.trusted_documents)

    def to_env(self) -> dict[str, str]:
        """These settings as environment variables, for worker processes."""
        env = {}
        for field in fields(self):
            value = getattr(self, field.name)
            if value is not None:
                env[_PREFIX + field.name.upper()] = str(value)
        return env


def check_log_format(log_format: str | None) -> None:
    """SettingsError unless log_format is unset or one of LOG_FORMATS: the server's setting,
    which the emulator's log lines follow too."""
    if log_format is not None and log_format not in LOG_FORMATS:
        raise SettingsError(f"PARTNERGRAPH_LOG_FORMAT must be {' or '.join(LOG_FORMATS)}")


def _refuse_placeholders(settings: Settings) -> None:
    """SettingsError when a secret or URL setting holds a placeholder, named without its
    value: it may be a secret after all."""
    for name in _GUARDED:
        value = getattr(settings, name)
        found = _PLACEHOLDER.search(value) if value is not None else None
        if found is not None:
            shown = "text in angle brackets" if found[0].startswith("<") else repr(found[0])
            raise SettingsError(
                f"{_PREFIX}{name.upper()} (--{name.replace('_', '-')}) holds a placeholder "
                f"({shown}), not a real value: set the real one, or leave it unset"
            )


def _parse(name: str, kind: object, raw: str) -> object:
    number = next((k for k in (int, float) if kind is k or kind == k | None), None)
    if number is None:
        return raw
    try:
        return number(raw)
    except ValueError:
        raise SettingsError(f"{_PREFIX}{name.upper()} must be a number, not {raw!r}") from None
