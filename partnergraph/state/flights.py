"""Single-flight: one call per key at a time, its outcome shared with whoever asks meanwhile.

In one process, concurrent callers of a key share one task. Across instances,
the task's holder takes a Redis lease on the key first and renews it three times
a lease while it calls: callers elsewhere wait for its announcement and read
the value it left, or take the lease over once it expires. The lease is short
(LEASE), whatever the upstream timeout: a killed or stopped holder blocks a key
for one lease at most.
"""

import asyncio
import contextlib
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from redis.asyncio import Redis

from partnergraph.state.bus import RedisBus
from partnergraph.state.codec import JSON, JsonCodec
from partnergraph.state.link import RedisLink, RedisUnavailable, as_bytes, as_text

__all__ = ["CHANNEL", "LEASE", "Flights", "LocalFlights", "RedisFlights"]

V = TypeVar("V")

CHANNEL = "partnergraph:flights"
_LEASE = "partnergraph:lease:"
_RESULT = "partnergraph:flight:"
LEASE = 2.0
"""Seconds a holder's lease lives unless renewed: how long a dead holder blocks its key."""
_RESULT_TTL_MS = 5_000
"""How long a holder's value waits for the waiters it announced it to."""
_DONE = "+"
_FAILED = "-"

# Renew or release a lease only while this holder still has it.
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class Flights(Protocol):
    """Runs one call per key at a time, sharing its outcome with concurrent callers."""

    async def run(self, key: str, call: Callable[[], Awaitable[JSON]]) -> JSON:
        """The outcome of call(), or of the call of the same key already in flight."""
        ...


class LocalFlights:
    """Single-flight within this process."""

    def __init__(self, on_join: Callable[[], None] | None = None) -> None:
        self._calls: dict[str, asyncio.Task[Any]] = {}
        self._on_join = on_join

    async def run(self, key: str, call: Callable[[], Awaitable[V]]) -> V:
        """The outcome of call(), shared with every concurrent run of the same key."""
        task = self._calls.get(key)
        if task is None:
            task = asyncio.ensure_future(call())
            self._calls[key] = task
            task.add_done_callback(lambda done: self._finish(key, done))
        elif self._on_join is not None:
            self._on_join()
        result: V = await asyncio.shield(task)
        return result

    def _finish(self, key: str, task: asyncio.Task[Any]) -> None:
        if self._calls.get(key) is task:
            del self._calls[key]
        if not task.cancelled():
            task.exception()  # retrieved here so a failure nobody awaits is not reported


@dataclass(frozen=True, slots=True)
class _Left:
    """A value a holder left for its waiters (any JSON value, null included)."""

    value: JSON


class RedisFlights:
    """Single-flight across every instance sharing a Redis, within this process first.

    A waiter reads who holds the lease, then waits for that holder's announcement
    and reads the value it left under its own name, so no waiter takes an older
    holder's value. Whenever Redis or the bus goes, every waiter is woken and
    calls for itself.
    """

    def __init__(
        self, link: RedisLink, bus: RedisBus, local: LocalFlights, *, lease: float = LEASE
    ) -> None:
        self._link = link
        self._bus = bus
        self._lease_ms = max(100, int(lease * 1000))
        self._local = local
        self._codec = JsonCodec()
        self._waiting: dict[str, list[asyncio.Future[tuple[str, str]]]] = {}
        self._renew = link.redis.register_script(_RENEW)
        self._release = link.redis.register_script(_RELEASE)
        bus.listen(CHANNEL, self._heard)
        bus.on_reset(self._wake_all)
        link.on_down(self._wake_all)

    async def run(self, key: str, call: Callable[[], Awaitable[JSON]]) -> JSON:
        """The outcome of call(), shared with this process and with every other instance."""
        return await self._local.run(key, lambda: self._across_instances(key, call))

    async def _across_instances(self, key: str, call: Callable[[], Awaitable[JSON]]) -> JSON:
        while True:
            if not (self._bus.listening and self._link.available):
                return await call()
            holder = secrets.token_hex(8)
            try:
                taken = await self._link.call(self._taking(key, holder))
            except RedisUnavailable:
                return await call()
            if taken:
                return await self._hold(key, holder, call)
            left = await self._wait_for_holder(key)
            if left is not None:
                return left.value

    def _taking(self, key: str, holder: str) -> Callable[[Redis], Awaitable[object]]:
        return lambda redis: redis.set(_LEASE + key, holder, nx=True, px=self._lease_ms)

    async def _hold(self, key: str, holder: str, call: Callable[[], Awaitable[JSON]]) -> JSON:
        renewing = asyncio.create_task(self._keep(key, holder))
        try:
            value = await call()
        except BaseException:
            await _stopped(renewing)
            await self._announce(key, holder, None)
            raise
        await _stopped(renewing)
        await self._announce(key, holder, _Left(value))
        return value

    async def _keep(self, key: str, holder: str) -> None:
        while True:
            await asyncio.sleep(self._lease_ms / 3000)
            try:
                await self._link.call(
                    lambda _: self._renew(keys=[_LEASE + key], args=[holder, self._lease_ms])
                )
            except RedisUnavailable:
                return

    async def _announce(self, key: str, holder: str, left: _Left | None) -> None:
        """Leave the value for waiters, tell them, and free the key."""
        message = f"{key} {holder} {_FAILED if left is None else _DONE}".encode()
        try:
            async with self._link.redis.pipeline(transaction=False) as pipe:
                if left is not None:
                    result = _result_key(key, holder)
                    pipe.set(result, self._codec.encode(left.value), px=_RESULT_TTL_MS)
                pipe.publish(CHANNEL, message)
                await self._link.call(lambda _: pipe.execute())
            await self._link.call(lambda _: self._release(keys=[_LEASE + key], args=[holder]))
        except RedisUnavailable:
            pass  # the link is down: every waiter was woken and calls for itself

    async def _wait_for_holder(self, key: str) -> _Left | None:
        """The holder's value, or None when the key is free again (failed, expired, unknown)."""
        heard: asyncio.Future[tuple[str, str]] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(key, []).append(heard)
        try:
            holder, lease_ms = await self._link.call(lambda redis: _holder(redis, key))
            if holder is None:
                return None  # freed before we listened: take the lease now
            # It may have finished (left its value, not yet freed the key) before we listened.
            left = await self._left(key, as_text(holder))
            if left is not None:
                return left
            # Until the lease would lapse unrenewed: then the holder is alive (and renewed
            # it: wait on) or dead (take it over), whatever time its call may take.
            async with asyncio.timeout(max(lease_ms, 1) / 1000):
                holder_heard, outcome = await heard
        except (TimeoutError, RedisUnavailable):
            return None
        finally:
            waiting = self._waiting.get(key, [])
            if heard in waiting:
                waiting.remove(heard)
            if not waiting:
                self._waiting.pop(key, None)
        return await self._left(key, holder_heard) if outcome == _DONE else None

    async def _left(self, key: str, holder: str) -> _Left | None:
        try:
            raw = await self._link.call(lambda redis: redis.get(_result_key(key, holder)))
        except RedisUnavailable:
            return None
        return _Left(self._codec.decode(as_bytes(raw))) if raw is not None else None

    def _heard(self, message: bytes) -> None:
        key, holder, outcome = message.decode().rsplit(" ", 2)
        for heard in self._waiting.get(key, ()):
            if not heard.done():
                heard.set_result((holder, outcome))

    def _wake_all(self) -> None:
        """Redis or the bus went: no announcement may come, so every waiter calls for itself."""
        for waiting in self._waiting.values():
            for heard in waiting:
                if not heard.done():
                    heard.set_result(("", _FAILED))


async def _holder(redis: Redis, key: str) -> tuple[bytes | None, int]:
    """Who holds key's lease (None: nobody) and the milliseconds it has left."""
    async with redis.pipeline(transaction=False) as pipe:
        pipe.get(_LEASE + key)
        pipe.pttl(_LEASE + key)
        holder, lease_ms = await pipe.execute()
    return holder, int(lease_ms)


def _result_key(key: str, holder: str) -> str:
    return f"{_RESULT}{key}:{holder}"


async def _stopped(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
