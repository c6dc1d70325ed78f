"""Each kind of shared state, in memory and on a real redis-server, with an injected clock."""

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from partnergraph.resolvers.state.bus import RedisBus
from partnergraph.resolvers.state.link import RedisLink
from tests.redis import RedisServer


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
    """A link to the session's redis-server, emptied first."""
    link = RedisLink(redis.url)
    await link.redis.flushdb()
    yield link
    await link.aclose()


@pytest.fixture
async def bus(link: RedisLink) -> AsyncIterator[RedisBus]:
    """A started bus on the link; listening is awaited by each test after adding its channels."""
    bus = RedisBus(link)
    yield bus
    await bus.aclose()
