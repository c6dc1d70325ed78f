"""Key-value stores with a time to live: the protocol, and its bounded in-memory implementation."""

from typing import Generic, Protocol, TypeVar

from cachetools import TLRUCache

from partnergraph.resolvers.state.clock import Clock, wall_clock
from partnergraph.resolvers.state.codec import Codec
from partnergraph.resolvers.state.flights import LocalFlights
from partnergraph.resolvers.state.link import RedisLink, RedisUnavailable

__all__ = ["MemoryStore", "RedisStore", "Store"]

_PREFIX = "partnergraph:"

V = TypeVar("V")


class Store(Protocol[V]):
    """Values under string keys, each kept for at most its time to live."""

    async def get(self, key: str) -> V | None:
        """The value under key, or None when there is none (or it expired)."""
        ...

    async def set(self, key: str, value: V, ttl: float) -> None:
        """Keep value under key for ttl seconds; a ttl of 0 or less keeps nothing."""
        ...


class MemoryStore(Generic[V]):
    """A Store in this process, holding at most max_entries and dropping the least recently used."""

    def __init__(self, max_entries: int, clock: Clock = wall_clock) -> None:
        self._clock = clock
        self._entries: TLRUCache[str, tuple[V, float]] = TLRUCache(
            maxsize=max_entries, ttu=_expiry, timer=clock
        )

    async def get(self, key: str) -> V | None:
        """The value under key, or None."""
        return self.peek(key)

    def peek(self, key: str) -> V | None:
        """The value under key, or None, without awaiting: for callers on a hot path."""
        entry = self._entries.get(key)
        return entry[0] if entry is not None else None

    async def set(self, key: str, value: V, ttl: float) -> None:
        """Keep value under key for ttl seconds."""
        self.put(key, value, ttl)

    def put(self, key: str, value: V, ttl: float) -> None:
        """Keep value under key for ttl seconds, without awaiting."""
        if ttl > 0:
            self._entries[key] = (value, self._clock() + ttl)


def _expiry(_key: str, entry: tuple[object, float], _now: float) -> float:
    return entry[1]


class RedisStore(Generic[V]):
    """A Store in Redis, shared by every instance, with this process's store beside it.

    With `first_level`, the local store answers first and keeps what Redis gave
    for as long as Redis still would: for keys whose value never changes (a
    generation or a hash is part of the key), so the warm path needs no round
    trip. Without it, the local store is used only while Redis is away.
    """

    def __init__(
        self,
        link: RedisLink,
        name: str,
        codec: Codec[V],
        local: MemoryStore[V],
        *,
        first_level: bool,
    ) -> None:
        self._link = link
        self._prefix = f"{_PREFIX}{name}:"
        self._codec = codec
        self._local = local
        self._first_level = first_level
        self._reads = LocalFlights()

    async def get(self, key: str) -> V | None:
        """The value under key: from this process when it has it first-level, else from Redis."""
        if not self._link.available:
            return self._local.peek(key)
        if self._first_level and (value := self._local.peek(key)) is not None:
            return value
        try:
            raw, ttl_ms = await self._reads.run(key, lambda: self._read(key))
        except RedisUnavailable:
            return self._local.peek(key)
        if raw is None:
            return None
        try:
            value = self._codec.decode(raw)
        except ValueError:
            return None  # written by an incompatible version: a miss
        if self._first_level and ttl_ms > 0:
            self._local.put(key, value, ttl_ms / 1000)
        return value

    async def _read(self, key: str) -> tuple[bytes | None, int]:
        """The raw value and milliseconds to live of key; concurrent reads of a key share one."""
        async with self._link.redis.pipeline(transaction=False) as pipe:
            pipe.get(self._prefix + key)
            pipe.pttl(self._prefix + key)
            raw, ttl_ms = await self._link.call(lambda _: pipe.execute())
        return raw, int(ttl_ms)

    async def set(self, key: str, value: V, ttl: float) -> None:
        """Keep value under key in Redis (and first-level here) for ttl seconds."""
        if ttl <= 0:
            return
        if self._first_level:
            self._local.put(key, value, ttl)
        raw = self._codec.encode(value)
        try:
            await self._link.call(
                lambda redis: redis.set(self._prefix + key, raw, px=max(1, int(ttl * 1000)))
            )
        except RedisUnavailable:
            self._local.put(key, value, ttl)
