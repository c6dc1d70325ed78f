"""The server's settings, read from PARTNERGRAPH_* environment variables."""

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields

from partnergraph.errors import SettingsError
from partnergraph.server.persisted import read_manifest

_PREFIX = "PARTNERGRAPH_"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOG_FORMATS = ("json", "text")
_POLL_INTERVAL = 30.0
_DEMO_POLL_INTERVAL = 2.0
_ORIGIN = re.compile(r"https?://[^\s/?#]+")


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
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, float) and not math.isfinite(value):
                raise SettingsError(
                    f"{_PREFIX}{field.name.upper()} must be a finite number, not {value}"
                )
        if self.cache_ttl < 0:
            raise SettingsError("PARTNERGRAPH_CACHE_TTL must be 0 or more seconds")
        if self.cache_max_entries < 1:
            raise SettingsError("PARTNERGRAPH_CACHE_MAX_ENTRIES must be at least 1")
        if not 0 <= self.port <= 65535:
            raise SettingsError("PARTNERGRAPH_PORT must be between 0 and 65535")
        if self.upstream_timeout <= 0:
            raise SettingsError("PARTNERGRAPH_UPSTREAM_TIMEOUT must be more than 0 seconds")
        if self.workers < 1:
            raise SettingsError("PARTNERGRAPH_WORKERS must be at least 1")
        if not self.forwarded_allow_ips.strip():
            raise SettingsError(
                "PARTNERGRAPH_FORWARDED_ALLOW_IPS must name at least one address, or *"
            )
        if self.poll_interval is not None and self.poll_interval <= 0:
            raise SettingsError("PARTNERGRAPH_POLL_INTERVAL must be more than 0 seconds")
        if self.scan_budget < 1:
            raise SettingsError("PARTNERGRAPH_SCAN_BUDGET must be at least 1")
        if self.redis_url is not None and not self.redis_url.startswith(
            ("redis://", "rediss://", "unix://")
        ):
            raise SettingsError(
                "PARTNERGRAPH_REDIS_URL must be a redis://, rediss:// or unix:// URL"
            )
        if self.log_level.upper() not in LOG_LEVELS:
            raise SettingsError(f"PARTNERGRAPH_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")
        if self.log_format is not None and self.log_format not in LOG_FORMATS:
            raise SettingsError(f"PARTNERGRAPH_LOG_FORMAT must be {' or '.join(LOG_FORMATS)}")
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


def _parse(name: str, kind: object, raw: str) -> object:
    number = next((k for k in (int, float) if kind is k or kind == k | None), None)
    if number is None:
        return raw
    try:
        return number(raw)
    except ValueError:
        raise SettingsError(f"{_PREFIX}{name.upper()} must be a number, not {raw!r}") from None
