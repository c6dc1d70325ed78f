"""Announcements every instance hears: what one instance saw change, told to all."""

from collections.abc import Callable
from typing import Protocol

from partnergraph.state.bus import RedisBus
from partnergraph.state.link import RedisUnavailable

__all__ = ["Announcements", "LocalAnnouncements", "RedisAnnouncements"]

CHANNEL = "partnergraph:permission-changes"

Listener = Callable[[bytes], None]


class Announcements(Protocol):
    """A channel every instance listens on."""

    async def announce(self, message: bytes) -> None:
        """Tell every instance's listeners."""
        ...

    def listen(self, listener: Listener) -> Callable[[], None]:
        """Call listener with every announcement; the result stops it."""
        ...


class LocalAnnouncements:
    """Announcements within one process."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    async def announce(self, message: bytes) -> None:
        """Tell this process's listeners."""
        self.tell(message)

    def tell(self, message: bytes) -> None:
        """Tell this process's listeners, without awaiting."""
        for listener in list(self._listeners):
            listener(message)

    def listen(self, listener: Listener) -> Callable[[], None]:
        """Call listener with every announcement."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)


class RedisAnnouncements:
    """Announcements over Redis pub/sub; within this process while Redis is away."""

    def __init__(self, bus: RedisBus) -> None:
        self._bus = bus
        self._local = LocalAnnouncements()
        bus.listen(CHANNEL, self._heard)

    async def announce(self, message: bytes) -> None:
        """Publish to every instance (this one hears it back through the bus)."""
        try:
            await self._bus.publish(CHANNEL, message)
        except RedisUnavailable:
            self._local.tell(message)

    def listen(self, listener: Listener) -> Callable[[], None]:
        """Call listener with every announcement any instance makes."""
        return self._local.listen(listener)

    def _heard(self, message: bytes) -> None:
        self._local.tell(message)
