"""Key-value stores with a time to live: the protocol, and its bounded in-memory implementation."""

import sys
from typing import Generic, Protocol, TypeVar

from cachetools import TLRUCache

from partnergraph.state.clock import Clock, wall_clock
from partnergraph.state.codec import Codec
from partnergraph.state.flights import LocalFlights
from partnergraph.state.link import RedisLink, RedisUnavailable

__all__ = ["MemoryStore", "RedisStore", "Store"]

_PREFIX = "partnergraph:"

V = TypeVar("V")

ENTRY_BYTES = 400
"""What a MemoryStore keeps per entry besides its value (a key of 64 characters, the
expiry, the cache's links), measured with tracemalloc."""


class Store(Protocol[V]):
    """Values under string keys, each kept for at most its time to live."""

    async def get(self, key: str) -> V | None:
        """The value under key, or None when there is none (or it expired)."""
        ...

    async def set(self, key: str, value: V, ttl: float) -> None:
        """Keep value under key for ttl seconds; a ttl of 0 or less keeps nothing."""
        ...


class MemoryStore(Generic[V]):
    """A Store in this process, holding at most max_entries and dropping the least recently used.

    With max_bytes, it also holds at most about that many bytes: each entry weighs what
    the cache keeps for it and its value's sys.getsizeof (exact for text and bytes, the
    values to bound so), and at least an equal share of max_bytes, so that one bound
    enforces both.
    """

    def __init__(
        self, max_entries: int, clock: Clock = wall_clock, *, max_bytes: int | None = None
    ) -> None:
        self._clock = clock
        if max_bytes is None:
            self._entries: TLRUCache[str, tuple[V, float]] = TLRUCache(
                maxsize=max_entries, ttu=_expiry, timer=clock
            )
            return
        # Each weighs at least max_bytes / max_entries, rounded up (and max_bytes with it).
        share = -(-max_bytes // max_entries)
        self._entries = TLRUCache(
            maxsize=share * max_entries,
            ttu=_expiry,
            timer=clock,
            getsizeof=lambda entry: max(ENTRY_BYTES + sys.getsizeof(entry[0]), share),
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
        """Keep value under key for ttl seconds, without awaiting; a value over max_bytes
        alone is not kept."""
        if ttl <= 0:
            return
        entry = (value, self._clock() + ttl)
        if self._entries.getsizeof(entry) > self._entries.maxsize:
            self._entries.pop(key, None)
            return
        self._entries[key] = entry


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
