"""One Redis client with short timeouts, and whether Redis answers now.

Every call goes through `RedisLink.call`. The first failure marks Redis down
(one warning), later calls fail at once instead of waiting for a timeout each,
and a background probe marks it up again (one notice) once it answers, running
the recovery hooks first so that shared state resumes consistent.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

__all__ = ["RedisLink", "RedisUnavailable", "as_bytes", "as_text"]

T = TypeVar("T")

logger = logging.getLogger("partnergraph.redis")

_CONNECTIONS = 32
"""Connections to Redis at most; more concurrent calls wait for one (within the timeout)."""

RecoveryHook = Callable[[], Awaitable[None]]


class RedisUnavailable(Exception):
    """Redis did not answer in time, or is known to be down: fall back to this process."""


class RedisLink:
    """A Redis client whose failures are noticed once and recovered from by themselves."""

    def __init__(self, url: str, *, timeout: float = 0.5, probe_every: float = 0.5) -> None:
        self.url = url
        self.timeout = timeout
        self._probe_every = probe_every
        pool = BlockingConnectionPool.from_url(
            url,
            max_connections=_CONNECTIONS,
            timeout=timeout,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
        )
        # No retries inside redis-py: a failure falls back to this process at once.
        self.redis: Redis = Redis(connection_pool=pool, retry=Retry(NoBackoff(), 0))
        self._available = True
        self._probe: asyncio.Task[None] | None = None
        self._hooks: list[RecoveryHook] = []
        self._down_listeners: list[Callable[[], None]] = []
        self._up_listeners: list[Callable[[], None]] = []

    @property
    def available(self) -> bool:
        """Whether Redis answered the last call (or the probe since)."""
        return self._available

    def on_recovery(self, hook: RecoveryHook) -> None:
        """Run hook each time Redis answers again, before calls go to it again."""
        self._hooks.append(hook)

    def on_down(self, listener: Callable[[], None]) -> None:
        """Call listener each time Redis is found down."""
        self._down_listeners.append(listener)

    def on_up(self, listener: Callable[[], None]) -> None:
        """Call listener each time Redis counts as back."""
        self._up_listeners.append(listener)

    async def call(
        self, operation: Callable[[Redis], Awaitable[T]], *, recovering: bool = False
    ) -> T:
        """The result of operation on the client; RedisUnavailable when Redis does not answer.

        Recovery hooks pass `recovering=True`: they run before Redis counts as back.
        """
        if not (self._available or recovering):
            raise RedisUnavailable(self.url)
        try:
            async with asyncio.timeout(self.timeout):
                return await operation(self.redis)
        except (RedisError, OSError, TimeoutError):
            self.lost()
            raise RedisUnavailable(self.url) from None

    def lost(self) -> None:
        """Mark Redis down (logged once) and start probing for its return."""
        if not self._available:
            return
        self._available = False
        logger.warning("Redis at %s does not answer: serving from this process", _safe(self.url))
        for listener in self._down_listeners:
            listener()
        if self._probe is None or self._probe.done():
            self._probe = asyncio.create_task(self._wait_for_return())

    async def check(self) -> bool:
        """Whether Redis answers a PING now (for readiness), without changing the state."""
        try:
            async with asyncio.timeout(self.timeout):
                await self.redis.ping()
        except (RedisError, OSError, TimeoutError):
            return False
        return True

    async def _wait_for_return(self) -> None:
        while not await self.check():  # noqa: ASYNC110 - nothing to wait on but Redis itself
            await asyncio.sleep(self._probe_every)
        for hook in self._hooks:
            try:
                await hook()
            except RedisUnavailable:
                self._probe = asyncio.create_task(self._wait_for_return())
                return
        self._available = True
        logger.info("Redis at %s answers again: shared state resumed", _safe(self.url))
        for listener in self._up_listeners:
            listener()

    async def aclose(self) -> None:
        """Stop probing and close the client's connections."""
        if self._probe is not None:
            self._probe.cancel()
        await self.redis.aclose()


def _safe(url: str) -> str:
    """The URL without its password, for logs."""
    scheme, _, rest = url.partition("://")
    _credentials, at, host = rest.rpartition("@")
    return f"{scheme}://{host}" if at else url


def as_text(reply: bytes | str) -> str:
    """A Redis reply as text (redis-py types replies as either)."""
    return reply.decode() if isinstance(reply, bytes) else reply


def as_bytes(reply: bytes | str) -> bytes:
    """A Redis reply as bytes (redis-py types replies as either)."""
    return reply.encode() if isinstance(reply, str) else reply
