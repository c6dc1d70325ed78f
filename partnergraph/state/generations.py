"""Owner generations: a per-owner value in every cache key, changed by each write to the owner.

A read cached under an owner's generation is found only while that generation
is current, so moving it hides every cached read of the owner at once, for all
tokens. A generation is never used twice for an owner while anything cached
under it may live.
"""

import itertools
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Protocol

from cachetools import LRUCache
from redis.asyncio import Redis

from partnergraph.state.bus import RedisBus
from partnergraph.state.clock import Clock, wall_clock
from partnergraph.state.flights import LocalFlights
from partnergraph.state.link import RedisLink, RedisUnavailable

__all__ = ["CHANNEL", "Generations", "MemoryGenerations", "RedisGenerations"]

CHANNEL = "partnergraph:generations"
_KEY = "partnergraph:generation:"
_MIRRORED_OWNERS = 100_000

# Redis's clock in microseconds, the source of every new generation.
_CLOCK = """
local now = redis.call('TIME')
local clock = tonumber(now[1]) * 1000000 + tonumber(now[2])
"""

# A new generation: Redis's clock in microseconds, or one past the current one, so it
# stays unique for the owner even after the key expires; announced to every instance.
_BUMP = (
    _CLOCK
    + """
local generation = clock
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if generation <= current then generation = current + 1 end
local text = string.format('%.0f', generation)
redis.call('SET', KEYS[1], text, 'PX', ARGV[1])
redis.call('PUBLISH', ARGV[2], ARGV[3] .. ' ' .. text)
return text
"""
)

# The current generation; an owner with none (never written, expired, evicted, or a Redis
# that restarted empty) gets one from Redis's clock, never a value used before.
_CURRENT = (
    _CLOCK
    + """
local current = redis.call('GET', KEYS[1])
if current then return current end
local text = string.format('%.0f', clock)
redis.call('SET', KEYS[1], text, 'PX', ARGV[1])
return text
"""
)


class Generations(Protocol):
    """The current data generation of each owner (a brand's or a user's Instagram ID)."""

    async def current(self, owner: str) -> int | None:
        """The owner's generation, or None when it cannot be known now: then cache nothing."""
        ...

    async def bump(self, owner: str) -> None:
        """Give owner a new generation: every read cached under the old one is hidden."""
        ...


class MemoryGenerations:
    """Generations of one process, forgotten once older than the cache TTL."""

    def __init__(self, ttl: float, clock: Clock = wall_clock) -> None:
        self._ttl = ttl
        self._clock = clock
        self._current: OrderedDict[str, tuple[int, float]] = OrderedDict()
        self._counter = itertools.count(1)

    async def current(self, owner: str) -> int:
        """The owner's generation (0 until its first write)."""
        entry = self._current.get(owner)
        return entry[0] if entry is not None else 0

    async def bump(self, owner: str) -> None:
        """Give owner a generation never used before; forget those older than the TTL.

        A forgotten owner is back at 0, which only reads cached before its first
        write used: they are older than the TTL, so gone.
        """
        now = self._clock()
        self._current.pop(owner, None)
        self._current[owner] = (next(self._counter), now)
        while self._current:
            first, (_, changed) = next(iter(self._current.items()))
            if now - changed <= self._ttl:
                break
            del self._current[first]


class RedisGenerations:
    """Generations in Redis, mirrored in this process from what every bump announces.

    The mirror answers without a round trip, and is trusted only while the bus
    listens: a bump is announced by the same script that makes it, so once this
    process subscribed, no bump after a read of the key can be missed. When Redis
    is away, generations are unknown (None) and reads go around the caches; a bump
    that could not be made is made on Redis's return, before it is used again.

    The one window left: a read that reaches this process at the very moment a bump's
    announcement does may be served from the mirror before the announcement is handled.
    Both arrive on this process's sockets; the announcement left Redis before the writer
    answered its client, so only a read racing it by microseconds can see the old value.
    """

    def __init__(self, link: RedisLink, bus: RedisBus, ttl: float) -> None:
        self._link = link
        self._bus = bus
        self._ttl_ms = max(1000, int(ttl * 2000))
        self._mirror: LRUCache[str, int] = LRUCache(maxsize=_MIRRORED_OWNERS)
        self._unsent: set[str] = set()
        self._reads = LocalFlights()
        self._resets = 0
        """How often the mirror was dropped: what a call started before a drop learns is stale."""
        self._bump = link.redis.register_script(_BUMP)
        self._current = link.redis.register_script(_CURRENT)
        bus.listen(CHANNEL, self._heard)
        bus.on_reset(self._drop_mirror)
        link.on_recovery(self._send_unsent)

    async def current(self, owner: str) -> int | None:
        """The owner's generation, from the mirror or else Redis; None while either is away."""
        if not (self._bus.listening and self._link.available) or owner in self._unsent:
            return None
        known = self._mirror.get(owner)
        if known is not None:
            return known
        try:
            return await self._reads.run(owner, lambda: self._fetch(owner))
        except RedisUnavailable:
            return None

    async def _fetch(self, owner: str) -> int:
        """Read the owner's generation into the mirror; concurrent reads of an owner share one."""
        resets = self._resets
        raw = await self._link.call(
            lambda _: self._current(keys=[_KEY + owner], args=[self._ttl_ms])
        )
        return self._learn(owner, int(raw), resets)

    async def bump(self, owner: str) -> None:
        """Move the owner's generation in Redis and announce it; later if Redis is away."""
        self._mirror.pop(owner, None)
        resets = self._resets
        try:
            generation = await self._link.call(self._sending(owner))
        except RedisUnavailable:
            self._unsent.add(owner)
            return
        self._learn(owner, generation, resets)

    def _sending(self, owner: str) -> Callable[[Redis], Awaitable[int]]:
        """The call that makes and announces a new generation of owner."""
        return lambda _: self._send(owner)

    async def _send(self, owner: str) -> int:
        generation = await self._bump(keys=[_KEY + owner], args=[self._ttl_ms, CHANNEL, owner])
        return int(generation)

    async def _send_unsent(self) -> None:
        # Owners added while this runs are sent too: the set is read until empty.
        while self._unsent:
            owner = next(iter(self._unsent))
            await self._link.call(self._sending(owner), recovering=True)
            self._unsent.discard(owner)

    def _heard(self, message: bytes) -> None:
        owner, _, generation = message.decode().rpartition(" ")
        self._learn(owner, int(generation), self._resets)

    def _drop_mirror(self) -> None:
        self._resets += 1
        self._mirror.clear()

    def _learn(self, owner: str, generation: int, resets: int) -> int:
        """Mirror what a call started at `resets` learned, unless the mirror was dropped since."""
        if resets != self._resets:
            return generation
        newest = max(generation, self._mirror.get(owner, 0))
        self._mirror[owner] = newest
        return newest
