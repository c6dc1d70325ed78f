"""Single-flight: one call per key at a time, its outcome shared with whoever asks meanwhile.

In one process, concurrent callers of a key share one task. Across instances,
the task's holder takes a Redis lease on the key first: callers elsewhere wait
for its announcement and read the value it left, or take the lease over once
it expires (a killed holder blocks a key for one lease at most).
"""

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from redis.asyncio import Redis

from partnergraph.resolvers.state.bus import RedisBus
from partnergraph.resolvers.state.codec import JSON, JsonCodec
from partnergraph.resolvers.state.link import RedisLink, RedisUnavailable

__all__ = ["CHANNEL", "Flights", "LocalFlights", "RedisFlights"]

V = TypeVar("V")

CHANNEL = "partnergraph:flights"
_LEASE = "partnergraph:lease:"
_RESULT = "partnergraph:flight:"
_RESULT_TTL_MS = 5_000
_DONE = b"+"
_FAILED = b"-"

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

    def __len__(self) -> int:
        return len(self._calls)

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


class RedisFlights:
    """Single-flight across every instance sharing a Redis, within this process first."""

    def __init__(self, link: RedisLink, bus: RedisBus, lease: float, local: LocalFlights) -> None:
        self._link = link
        self._bus = bus
        self._lease_ms = max(100, int(lease * 1000))
        self._local = local
        self._codec = JsonCodec()
        self._waiting: dict[str, list[asyncio.Future[bytes]]] = {}
        self._renew = link.redis.register_script(_RENEW)
        self._release = link.redis.register_script(_RELEASE)
        bus.listen(CHANNEL, self._heard)

    async def run(self, key: str, call: Callable[[], Awaitable[JSON]]) -> JSON:
        """The outcome of call(), shared with this process and with every other instance."""
        return await self._local.run(key, lambda: self._across_instances(key, call))

    async def _across_instances(self, key: str, call: Callable[[], Awaitable[JSON]]) -> JSON:
        while True:
            if not self._bus.listening:
                return await call()
            holder = secrets.token_hex(8)
            try:
                taken = await self._link.call(self._taking(key, holder))
            except RedisUnavailable:
                return await call()
            if taken:
                return await self._hold(key, holder, call)
            found = await self._wait_for_holder(key)
            if found is not None:
                return found

    def _taking(self, key: str, holder: str) -> Callable[[Redis], Awaitable[object]]:
        return lambda redis: redis.set(_LEASE + key, holder, nx=True, px=self._lease_ms)

    async def _hold(self, key: str, holder: str, call: Callable[[], Awaitable[JSON]]) -> JSON:
        renewing = asyncio.create_task(self._keep(key, holder))
        try:
            value = await call()
        except BaseException:
            renewing.cancel()
            await self._announce(key, holder, None)
            raise
        renewing.cancel()
        await self._announce(key, holder, value)
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

    async def _announce(self, key: str, holder: str, value: JSON | None) -> None:
        """Leave the value for waiters, tell them, and free the key."""
        message = key.encode() + b" " + (_FAILED if value is None else _DONE)
        try:
            async with self._link.redis.pipeline(transaction=False) as pipe:
                if value is not None:
                    pipe.set(_RESULT + key, self._codec.encode(value), px=_RESULT_TTL_MS)
                pipe.publish(CHANNEL, message)
                await self._link.call(lambda _: pipe.execute())
            await self._link.call(lambda _: self._release(keys=[_LEASE + key], args=[holder]))
        except RedisUnavailable:
            pass  # waiters time out with the lease and take over

    async def _wait_for_holder(self, key: str) -> JSON | None:
        """The holder's value, or None when the key is free again (failed, expired, unknown)."""
        heard: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(key, []).append(heard)
        try:
            left = await self._left(key)  # the holder may have finished before we listened
            if left is not None:
                return left
            async with asyncio.timeout(self._lease_ms / 1000):
                outcome = await heard
        except (TimeoutError, RedisUnavailable):
            return None
        finally:
            waiting = self._waiting.get(key, [])
            if heard in waiting:
                waiting.remove(heard)
            if not waiting:
                self._waiting.pop(key, None)
        return await self._left(key) if outcome == _DONE else None

    async def _left(self, key: str) -> JSON | None:
        try:
            raw = await self._link.call(lambda redis: redis.get(_RESULT + key))
        except RedisUnavailable:
            return None
        return self._codec.decode(_bytes(raw)) if raw is not None else None

    def _heard(self, message: bytes) -> None:
        key, _, outcome = message.decode().rpartition(" ")
        for heard in self._waiting.get(key, ()):
            if not heard.done():
                heard.set_result(outcome.encode())


def _bytes(raw: bytes | str) -> bytes:
    return raw.encode() if isinstance(raw, str) else raw
