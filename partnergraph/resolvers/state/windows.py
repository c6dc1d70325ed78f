"""Sliding windows of counted calls: at most `limit` calls per key within `window` seconds.

In Redis, a window is a sorted set of call tickets scored by time, checked and
added to by one script, so the limit holds whichever instance a call reaches.
While Redis is away, calls are counted in this process instead.
"""

import secrets
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Protocol

from partnergraph.resolvers.state.clock import Clock, wall_clock
from partnergraph.resolvers.state.link import RedisLink, RedisUnavailable

__all__ = ["Admission", "MemoryWindows", "RedisWindows", "WindowUse", "Windows"]

_KEY = "partnergraph:window:"
_MAX_KEYS = 100_000

# Drop calls older than the window, then admit this one if the count allows.
# Returns {admitted (0/1), count after, oldest score}.
_TAKE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1] - ARGV[2])
local count = redis.call('ZCARD', KEYS[1])
local admitted = 0
if count < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
  redis.call('PEXPIRE', KEYS[1], math.ceil(ARGV[2] * 1000))
  count = count + 1
  admitted = 1
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {admitted, count, oldest[2] or ''}
"""


@dataclass(frozen=True, slots=True)
class WindowUse:
    """Calls counted in a window now, and when the oldest of them was made."""

    used: int
    oldest: float | None


@dataclass(frozen=True, slots=True)
class Admission:
    """Whether a call was admitted, the window's use after it, and how to give it back."""

    admitted: bool
    use: WindowUse
    ticket: str


class Windows(Protocol):
    """Counted calls per key in a sliding window."""

    async def take(self, key: str, limit: int, window: float) -> Admission:
        """Count a call under key if fewer than limit were made in the last window seconds."""
        ...

    async def give_back(self, key: str, ticket: str) -> None:
        """Uncount an admitted call."""
        ...

    async def use(self, key: str, window: float) -> WindowUse:
        """The calls counted under key in the last window seconds."""
        ...


class MemoryWindows:
    """Windows of one process, for at most 100,000 keys (the least recently used go)."""

    def __init__(self, clock: Clock = wall_clock) -> None:
        self._clock = clock
        self._calls: OrderedDict[str, deque[tuple[float, str]]] = OrderedDict()

    async def take(self, key: str, limit: int, window: float) -> Admission:
        """Count a call under key if the window has room."""
        now = self._clock()
        calls = self._window(key, window, now)
        ticket = secrets.token_hex(8)
        admitted = len(calls) < limit
        if admitted:
            calls.append((now, ticket))
        return Admission(admitted, _use_of(calls), ticket)

    async def give_back(self, key: str, ticket: str) -> None:
        """Uncount the call with ticket."""
        calls = self._calls.get(key)
        if calls is None:
            return
        for call in calls:
            if call[1] == ticket:
                calls.remove(call)
                break

    async def use(self, key: str, window: float) -> WindowUse:
        """The calls counted under key now."""
        return _use_of(self._window(key, window, self._clock()))

    def _window(self, key: str, window: float, now: float) -> deque[tuple[float, str]]:
        calls = self._calls.pop(key, None) or deque()
        self._calls[key] = calls
        while calls and now - calls[0][0] >= window:
            calls.popleft()
        while len(self._calls) > _MAX_KEYS:
            self._calls.popitem(last=False)
        return calls


class RedisWindows:
    """Windows in Redis, shared by every instance; in this process while Redis is away."""

    def __init__(self, link: RedisLink, fallback: MemoryWindows, clock: Clock = wall_clock) -> None:
        self._link = link
        self._fallback = fallback
        self._clock = clock
        self._take = link.redis.register_script(_TAKE)

    async def take(self, key: str, limit: int, window: float) -> Admission:
        """Count a call under key, atomically across instances, if the window has room."""
        ticket = f"r{secrets.token_hex(8)}"
        now = self._clock()
        try:
            admitted, used, oldest = await self._link.call(
                lambda _: self._take(keys=[_KEY + key], args=[now, window, limit, ticket])
            )
        except RedisUnavailable:
            return await self._fallback.take(key, limit, window)
        first = float(oldest) if oldest else None
        return Admission(bool(admitted), WindowUse(int(used), first), ticket)

    async def give_back(self, key: str, ticket: str) -> None:
        """Uncount the call with ticket, wherever it was counted."""
        if not ticket.startswith("r"):
            await self._fallback.give_back(key, ticket)
            return
        try:
            await self._link.call(lambda redis: redis.zrem(_KEY + key, ticket))
        except RedisUnavailable:
            return  # the call stays counted: the safe side of a limit

    async def use(self, key: str, window: float) -> WindowUse:
        """The calls counted under key now, across instances."""
        now = self._clock()
        redis_key = _KEY + key
        try:
            async with self._link.redis.pipeline(transaction=False) as pipe:
                pipe.zremrangebyscore(redis_key, "-inf", now - window)
                pipe.zcard(redis_key)
                pipe.zrange(redis_key, 0, 0, withscores=True)
                _, used, oldest = await self._link.call(lambda _: pipe.execute())
        except RedisUnavailable:
            return await self._fallback.use(key, window)
        return WindowUse(int(used), float(oldest[0][1]) if oldest else None)


def _use_of(calls: deque[tuple[float, str]]) -> WindowUse:
    return WindowUse(len(calls), calls[0][0] if calls else None)
