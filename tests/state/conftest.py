"""Each kind of shared state, in memory and on a real redis-server, with an injected clock."""

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import TypeVar

import pytest

from partnergraph.state.bus import RedisBus
from partnergraph.state.link import RedisLink
from tests.redis import RedisServer

T = TypeVar("T")


@dataclass
class FakeClock:
    """A wall clock that moves only when a test says so."""

    now: float = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    """A clock at a fixed time."""
    return FakeClock()


@pytest.fixture
async def link(redis: RedisServer) -> AsyncIterator[RedisLink]:
    """A link to the session's redis-server (which the `redis` fixture empties)."""
    link = RedisLink(redis.url)
    yield link
    await link.aclose()


class Instances:
    """Instances sharing one Redis, each with a link and a bus of its own."""

    def __init__(self, link: RedisLink) -> None:
        self._first: RedisLink | None = link
        self._url = link.url
        self._links: list[RedisLink] = []
        self._buses: list[RedisBus] = []

    async def build(self, count: int, make: Callable[[RedisLink, RedisBus], T]) -> list[T]:
        """make(link, bus) for count more instances, returned once every one's bus listens.

        The first instance ever built uses the fixture's link; every other, a new one.
        """
        built = []
        buses = []
        for _ in range(count):
            link, self._first = self._first or self._new_link(), None
            bus = RedisBus(link)
            buses.append(bus)
            built.append(make(link, bus))
        self._buses += buses
        for bus in buses:
            bus.start()
            async with asyncio.timeout(5):
                await bus.wait_listening()
        return built

    def _new_link(self) -> RedisLink:
        link = RedisLink(self._url)
        self._links.append(link)
        return link

    async def aclose(self) -> None:
        """Close every bus, and every link but the fixture's."""
        for bus in self._buses:
            await bus.aclose()
        for link in self._links:
            await link.aclose()


@pytest.fixture
async def instances_of(link: RedisLink) -> AsyncIterator[Instances]:
    """Builds instances on the session's Redis, closed after the test."""
    instances = Instances(link)
    yield instances
    await instances.aclose()
