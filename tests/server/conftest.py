"""Fixtures of the server tests: API instances on the emulator and a Redis."""

from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pytest

from tests.redis import RedisServer
from tests.servers import Server, started


@pytest.fixture
def start_instances(emulator_url: str, redis: RedisServer) -> Iterator[Callable[..., list[Server]]]:
    """Starts API instances on the emulator and a Redis, stopped after the test."""
    with ExitStack() as stack:

        def start(count: int = 2, redis_url: str | None = None, **env: str) -> list[Server]:
            environment = {"PARTNERGRAPH_REDIS_URL": redis_url or redis.url, **env}
            return [
                stack.enter_context(started("serve", "--graph-url", emulator_url, env=environment))
                for _ in range(count)
            ]

        yield start
