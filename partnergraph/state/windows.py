"""Sliding windows of counted calls: at most `limit` calls per key within `window` seconds.

In Redis, a window is a sorted set of call tickets scored by time, checked and
added to by one script, so the limit holds whichever instance a call reaches.
Each process also keeps the tickets it added: when Redis lost a window (FLUSHALL,
eviction, a restart) the process adds them back before it counts, so the window is
rebuilt from every instance's own calls as each next calls, never started from
zero. While Redis is away, calls are counted in this process instead (its own
earlier calls included). A window the upstream said is spent is closed until it
resets, in Redis and in this process.
"""

import math
import secrets
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Any, Protocol

from partnergraph.state.clock import Clock, wall_clock
from partnergraph.state.link import RedisLink, RedisUnavailable

__all__ = ["Admission", "MemoryWindows", "RedisWindows", "WindowUse", "Windows"]

_KEY = "partnergraph:window:"
_CLOSED = "partnergraph:window-closed:"
_MAX_KEYS = 100_000
_LOST = -1
"""What the take script answers when the caller's last ticket is gone: the window was lost."""

# Drop calls older than the window; unless closed, or lost (this caller's last ticket,
# ARGV[5], gone while no tickets are given back), add the given-back tickets (pairs of
# score and ticket from ARGV[6]) and admit this call if the count allows.
# Returns {admitted (0/1, or -1: lost), count after, oldest score}.
_TAKE = """
local closed = tonumber(redis.call('GET', KEYS[2]) or '0')
if closed > tonumber(ARGV[1]) then
  return {0, tonumber(ARGV[3]), tostring(closed - ARGV[2])}
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1] - ARGV[2])
if #ARGV == 5 and ARGV[5] ~= '' and not redis.call('ZSCORE', KEYS[1], ARGV[5]) then
  return {-1, 0, ''}
end
for i = 6, #ARGV, 2 do
  redis.call('ZADD', KEYS[1], 'NX', ARGV[i], ARGV[i + 1])
end
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

    async def close(self, key: str, limit: int, until: float, window: float) -> None:
        """Count the window as spent (limit calls) until the time `until`."""
        ...


class MemoryWindows:
    """Windows of one process, for at most 100,000 keys (the least recently used go)."""

    def __init__(self, clock: Clock = wall_clock) -> None:
        self._clock = clock
        self._calls: OrderedDict[str, deque[tuple[float, str]]] = OrderedDict()
        self._closed: dict[str, float] = {}

    async def take(self, key: str, limit: int, window: float) -> Admission:
        """Count a call under key if the window has room."""
        now = self._clock()
        ticket = secrets.token_hex(8)
        closed = self.closed(key, limit, window, now)
        if closed is not None:
            return Admission(False, closed, ticket)
        calls = self._window(key, window, now)
        admitted = len(calls) < limit
        if admitted:
            calls.append((now, ticket))
        return Admission(admitted, _use_of(calls), ticket)

    def note(self, key: str, ticket: str, at: float, window: float) -> None:
        """Count a call admitted elsewhere (in Redis) here too, as of the time at."""
        self._window(key, window, at).append((at, ticket))

    def tickets(self, key: str, window: float, now: float) -> list[tuple[float, str]]:
        """The calls counted under key at the time now, oldest first."""
        return list(self._window(key, window, now))

    def closed(self, key: str, limit: int, window: float, now: float) -> WindowUse | None:
        """The use of a window closed at the time now (spent until it reopens), else None."""
        until = self._closed.get(key)
        if until is None:
            return None
        if until <= now:
            del self._closed[key]
            return None
        return WindowUse(limit, until - window)

    async def close(self, key: str, limit: int, until: float, window: float) -> None:
        """Count the window as spent until the time `until`."""
        self._closed[key] = max(until, self._closed.get(key, until))
        if len(self._closed) > _MAX_KEYS:
            now = self._clock()
            self._closed = {name: end for name, end in self._closed.items() if end > now}

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
        self._own = fallback
        """This process's calls: counted alone while Redis is away, given back to a lost window."""
        self._clock = clock
        self._take = link.redis.register_script(_TAKE)

    async def take(self, key: str, limit: int, window: float) -> Admission:
        """Count a call under key, atomically across instances, if the window has room; a
        window Redis lost gets this process's calls back first."""
        ticket = f"r{secrets.token_hex(8)}"
        now = self._clock()
        closed = self._own.closed(key, limit, window, now)
        if closed is not None:
            return Admission(False, closed, ticket)
        own = self._own.tickets(key, window, now)
        last = own[-1][1] if own else ""
        try:
            admitted, used, oldest = await self._call_take(key, [now, window, limit, ticket, last])
            if admitted == _LOST:
                given_back: list[str | float] = [part for call in own for part in call]
                admitted, used, oldest = await self._call_take(
                    key, [now, window, limit, ticket, "", *given_back]
                )
        except RedisUnavailable:
            return await self._own.take(key, limit, window)
        if admitted:
            self._own.note(key, ticket, now, window)
        first = float(oldest) if oldest else None
        return Admission(bool(admitted), WindowUse(int(used), first), ticket)

    async def _call_take(self, key: str, args: list[str | float]) -> list[Any]:
        script = self._take
        answer: list[Any] = await self._link.call(
            lambda _: script(keys=[_KEY + key, _CLOSED + key], args=args)
        )
        return answer

    async def give_back(self, key: str, ticket: str) -> None:
        """Uncount the call with ticket, wherever it was counted."""
        await self._own.give_back(key, ticket)
        if not ticket.startswith("r"):
            return
        try:
            await self._link.call(lambda redis: redis.zrem(_KEY + key, ticket))
        except RedisUnavailable:
            return  # the call stays counted: the safe side of a limit

    async def use(self, key: str, window: float) -> WindowUse:
        """The calls counted under key now, across instances (this one's own at least)."""
        now = self._clock()
        redis_key = _KEY + key
        own = _use_of(deque(self._own.tickets(key, window, now)))
        try:
            async with self._link.redis.pipeline(transaction=False) as pipe:
                pipe.zremrangebyscore(redis_key, "-inf", now - window)
                pipe.zcard(redis_key)
                pipe.zrange(redis_key, 0, 0, withscores=True)
                _, used, oldest = await self._link.call(lambda _: pipe.execute())
        except RedisUnavailable:
            return own
        if int(used) < own.used:
            return own  # Redis lost the window: the next take gives it back
        return WindowUse(int(used), float(oldest[0][1]) if oldest else None)

    async def close(self, key: str, limit: int, until: float, window: float) -> None:
        """Count the window as spent until the time `until`, on every instance."""
        await self._own.close(key, limit, until, window)
        lasting_ms = max(1, math.ceil((until - self._clock()) * 1000))
        try:
            await self._link.call(
                lambda redis: redis.set(_CLOSED + key, repr(until), px=lasting_ms)
            )
        except RedisUnavailable:
            return  # closed here; the others learn it from the upstream


def _use_of(calls: deque[tuple[float, str]]) -> WindowUse:
    return WindowUse(len(calls), calls[0][0] if calls else None)
