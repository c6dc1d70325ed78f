"""Redis pub/sub for one process: a fixed set of channels, each dispatched to its handlers.

Its connection is its own (a subscribed connection can do nothing else) and has
no read timeout, since it waits for messages. `listening` is true only while the
connection is up and every channel's subscription is confirmed: what was pushed
before then may have been missed, so state mirrored from pushes must not be
trusted while it is false, and is dropped (the `on_reset` hooks) whenever the
connection goes.
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable

from redis.asyncio import Redis
from redis.exceptions import RedisError

from partnergraph.state.link import RedisLink, as_text

__all__ = ["RedisBus"]

logger = logging.getLogger("partnergraph.redis")

Handler = Callable[[bytes], None]

_WAIT = 5.0
"""Seconds one wait for a message lasts before the connection's health is checked again."""


class RedisBus:
    """Publishes to and listens on a fixed set of channels for one process."""

    def __init__(self, link: RedisLink) -> None:
        self._link = link
        self._client: Redis = Redis.from_url(
            link.url, socket_connect_timeout=link.timeout, health_check_interval=5
        )
        self._handlers: dict[str, list[Handler]] = {}
        self._resets: list[Callable[[], None]] = []
        self._listens: list[Callable[[], None]] = []
        self._listening = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def listening(self) -> bool:
        """Whether every message published from now on reaches this process's handlers."""
        return self._listening.is_set()

    def listen(self, channel: str, handler: Handler) -> None:
        """Call handler with each message on channel (before start())."""
        self._handlers.setdefault(channel, []).append(handler)

    def on_reset(self, hook: Callable[[], None]) -> None:
        """Call hook whenever messages may have been missed: the connection went."""
        self._resets.append(hook)

    def on_listening(self, hook: Callable[[], None]) -> None:
        """Call hook whenever the bus starts listening again (`listening` turned true)."""
        self._listens.append(hook)

    async def publish(self, channel: str, message: bytes) -> None:
        """Send message to every process listening on channel; RedisUnavailable if it cannot."""
        await self._link.call(lambda redis: redis.publish(channel, message))

    def start(self) -> None:
        """Start listening, and keep reconnecting whenever the connection goes."""
        self._task = asyncio.create_task(self._run())

    async def wait_listening(self) -> None:
        """Return once the bus listens; callers bound the wait with asyncio.timeout."""
        await self._listening.wait()

    async def aclose(self) -> None:
        """Stop listening and close the connection."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._client.aclose()

    async def _run(self) -> None:
        while True:
            try:
                await self._listen_once()
            except (RedisError, OSError) as error:
                self._stopped()
                logger.debug("Redis pub/sub connection lost: %s", type(error).__name__)
                self._link.lost()
            await asyncio.sleep(self._link.timeout)

    async def _listen_once(self) -> None:
        pubsub = self._client.pubsub()
        try:
            await pubsub.subscribe(*self._handlers)
            unconfirmed = set(self._handlers)
            while True:
                # A bounded wait, so redis-py's health check notices a half-open connection.
                message = await pubsub.get_message(timeout=_WAIT)
                if message is None:
                    continue
                channel = as_text(message["channel"])
                if message["type"] == "subscribe":
                    unconfirmed.discard(channel)
                    if not unconfirmed and not self._listening.is_set():
                        self._listening.set()
                        for hook in self._listens:
                            hook()
                elif message["type"] == "message":
                    self._dispatch(channel, message["data"])
        finally:
            self._stopped()
            await pubsub.aclose()

    def _dispatch(self, channel: str, data: bytes) -> None:
        for handler in self._handlers.get(channel, ()):
            try:
                handler(data)
            except Exception:
                logger.exception("a handler of %s failed on a message; the bus goes on", channel)

    def _stopped(self) -> None:
        self._listening.clear()
        for hook in self._resets:
            hook()
