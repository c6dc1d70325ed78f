"""The state instances share, built once at start-up: in this process, or in Redis."""

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from redis.asyncio import Redis

from partnergraph.resolvers.cache import AnswerCodec, CachedAnswer
from partnergraph.state.announcements import (
    Announcements,
    LocalAnnouncements,
    RedisAnnouncements,
)
from partnergraph.state.bus import RedisBus
from partnergraph.state.clock import Clock, wall_clock
from partnergraph.state.codec import JSON, JsonCodec
from partnergraph.state.flights import Flights, LocalFlights, RedisFlights
from partnergraph.state.generations import (
    Generations,
    MemoryGenerations,
    RedisGenerations,
)
from partnergraph.state.leases import Leases, MemoryLeases, RedisLeases
from partnergraph.state.link import RedisLink, RedisUnavailable
from partnergraph.state.store import MemoryStore, RedisStore, Store
from partnergraph.state.windows import MemoryWindows, RedisWindows, Windows

__all__ = ["REGISTRATIONS_MAX_BYTES", "SharedState", "in_memory", "on_redis"]

logger = logging.getLogger("partnergraph.redis")

REGISTRATIONS_MAX_BYTES = 64 * 1024 * 1024
"""The persisted queries this process keeps in memory at most (PARTNERGRAPH_CACHE_MAX_ENTRIES of
them at most, as well): their text, as Python holds it."""
_TOKEN_SCOPES = 10_000
_FIRST_LISTEN = 2.0
"""Seconds start-up waits for the pub/sub subscription before serving without Redis."""
_SCOPE_KEY = "partnergraph:scope-key"
_SCOPE_KEY_LIFETIME = 30 * 24 * 3600
_FIRST_LEVEL_SHARE = 10
"""With Redis, the in-process first level holds PARTNERGRAPH_CACHE_MAX_ENTRIES divided by this."""


@dataclass(frozen=True, slots=True)
class SharedState:
    """Every piece of state that must be one truth across instances and workers."""

    pages: Store[JSON]
    answers: Store[CachedAnswer]
    documents: Store[str]
    usage: Store[JSON]
    last_users: Store[str]
    generations: Generations
    flights: Flights
    windows: Windows
    leases: Leases
    announcements: Announcements
    snapshots: Store[JSON]
    """What each watched brand's permissions were at the last poll."""
    scope_key: bytes
    """The key of token hashes: the same for every instance, so they share cached reads."""
    available: Callable[[], bool]
    """Whether the shared state answers now (always, in memory)."""
    on_availability: Callable[[Callable[[], None]], None]
    """Call a listener whenever `available()` may have changed (never, in memory)."""
    ready: Callable[[], Awaitable[bool]]
    """Whether the shared state answers a probe now (for /readyz)."""
    close: Callable[[], Awaitable[None]]


def in_memory(
    *,
    ttl: float,
    max_entries: int,
    clock: Clock = wall_clock,
    on_join: Callable[[], None] | None = None,
) -> SharedState:
    """State in this process alone: the embedded default for one process."""
    return SharedState(
        pages=MemoryStore(max_entries, clock),
        answers=MemoryStore(max_entries, clock),
        documents=MemoryStore(max_entries, clock, max_bytes=REGISTRATIONS_MAX_BYTES),
        usage=MemoryStore(_TOKEN_SCOPES, clock),
        last_users=MemoryStore(_TOKEN_SCOPES, clock),
        generations=MemoryGenerations(ttl, clock),
        flights=LocalFlights(on_join),
        windows=MemoryWindows(clock),
        leases=MemoryLeases(clock),
        announcements=LocalAnnouncements(),
        snapshots=MemoryStore(max_entries, clock),
        scope_key=secrets.token_bytes(32),
        available=lambda: True,
        on_availability=_never,
        ready=_always,
        close=_nothing,
    )


async def on_redis(
    url: str,
    *,
    ttl: float,
    max_entries: int,
    clock: Clock = wall_clock,
    on_join: Callable[[], None] | None = None,
) -> SharedState:
    """State in the Redis at url, a small first level here; in this process while Redis is away."""
    link = RedisLink(url)
    bus = RedisBus(link)
    try:
        scope_key = await link.call(_shared_scope_key)
    except RedisUnavailable:
        # Correct, but this instance shares no cached reads with the others until it restarts.
        logger.warning(
            "Redis did not answer at start-up: this instance keys token hashes on its own; "
            "set PARTNERGRAPH_APP_SECRET to share cached reads whatever Redis does"
        )
        scope_key = secrets.token_bytes(32)
    first_level = max(1, max_entries // _FIRST_LEVEL_SHARE)
    json_codec = JsonCodec()
    state = SharedState(
        pages=RedisStore(
            link, "page", json_codec, MemoryStore(first_level, clock), first_level=True
        ),
        answers=RedisStore(
            link, "answer", AnswerCodec(), MemoryStore(first_level, clock), first_level=True
        ),
        documents=RedisStore(
            link,
            "document",
            _TextCodec(),
            MemoryStore(max_entries, clock, max_bytes=REGISTRATIONS_MAX_BYTES),
            first_level=True,
        ),
        usage=RedisStore(
            link, "usage", json_codec, MemoryStore(_TOKEN_SCOPES, clock), first_level=False
        ),
        last_users=RedisStore(
            link, "last-user", _TextCodec(), MemoryStore(_TOKEN_SCOPES, clock), first_level=False
        ),
        generations=RedisGenerations(link, bus, ttl),
        flights=RedisFlights(link, bus, LocalFlights(on_join)),
        windows=RedisWindows(link, MemoryWindows(clock), clock),
        leases=RedisLeases(link, MemoryLeases(clock)),
        announcements=RedisAnnouncements(bus),
        snapshots=RedisStore(
            link, "snapshot", json_codec, MemoryStore(first_level, clock), first_level=False
        ),
        scope_key=scope_key,
        available=lambda: link.available and bus.listening,
        on_availability=lambda listener: _on_availability(link, bus, listener),
        ready=link.check,
        close=lambda: _close(bus, link),
    )
    bus.start()
    try:
        async with asyncio.timeout(_FIRST_LISTEN):
            await bus.wait_listening()
    except TimeoutError:
        link.lost()  # serve from this process until Redis answers
    return state


async def _shared_scope_key(redis: Redis) -> bytes:
    """The scope key every instance uses: the first instance's, kept for a month from each start."""
    await redis.set(_SCOPE_KEY, secrets.token_bytes(32), nx=True, ex=_SCOPE_KEY_LIFETIME)
    key = await redis.getex(_SCOPE_KEY, ex=_SCOPE_KEY_LIFETIME)
    return key if isinstance(key, bytes) else secrets.token_bytes(32)


class _TextCodec:
    """Text as UTF-8."""

    def encode(self, value: str) -> bytes:
        return value.encode()

    def decode(self, raw: bytes) -> str:
        return raw.decode()


def _on_availability(link: RedisLink, bus: RedisBus, listener: Callable[[], None]) -> None:
    link.on_down(listener)
    link.on_up(listener)
    bus.on_reset(listener)
    bus.on_listening(listener)


def _never(listener: Callable[[], None]) -> None:
    """Memory is always available: nothing to tell."""


async def _always() -> bool:
    return True


async def _nothing() -> None:
    return None


async def _close(bus: RedisBus, link: RedisLink) -> None:
    await bus.aclose()
    await link.aclose()
