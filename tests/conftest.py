"""Fixtures shared by the whole suite: the standalone emulator and its seeded demo data."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tests.demo import Demo, demo_of
from tests.redis import RedisServer, redis_server
from tests.servers import running


@pytest.fixture(scope="session")
def emulator_url() -> Iterator[str]:
    """Base URL of `partnergraph emulator` running for the whole session."""
    with running("emulator") as url:
        yield url


@pytest.fixture
async def emulator(emulator_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the emulator, which is back at its seeded demo data."""
    async with httpx.AsyncClient(base_url=emulator_url, timeout=30) as client:
        response = await client.post("/admin/reset")
        response.raise_for_status()
        yield client


@pytest.fixture
async def demo(emulator: httpx.AsyncClient) -> Demo:
    """The seeded demo data, fresh for each test."""
    return demo_of((await emulator.get("/admin/state")).json())


@pytest.fixture(scope="session")
def redis_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A redis-server on a free loopback port for the whole session."""
    directory: Path = tmp_path_factory.mktemp("redis")
    with redis_server(directory) as server:
        yield server


@pytest.fixture
def redis(redis_process: RedisServer) -> RedisServer:
    """The session's redis-server, emptied: the emulator is reset per test, so is Redis."""
    redis_process.flush()
    return redis_process
