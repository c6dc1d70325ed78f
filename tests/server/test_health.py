"""`/readyz` before and after the upstream goes away, on an injected clock; `/healthz` stays up."""

import asyncio
import logging
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import ExitStack, asynccontextmanager
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette

from partnergraph.server.app import create_app
from partnergraph.server.settings import Settings
from tests.redis import redis_server
from tests.servers import running


class Clock:
    """A monotonic clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@asynccontextmanager
async def _serving(
    graph_url: str, clock: Callable[[], float], redis_url: str | None = None
) -> AsyncIterator[tuple[Starlette, httpx.AsyncClient]]:
    app = create_app(Settings(graph_url=graph_url, redis_url=redis_url), clock=clock)
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://partnergraph"
        ) as client,
    ):
        yield app, client


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_readiness_follows_the_upstream_a_few_seconds_late() -> None:
    clock = Clock()
    with ExitStack() as upstream:
        emulator_url = upstream.enter_context(running("emulator"))
        async with _serving(emulator_url, clock) as (_, client):
            ready = await client.get("/readyz")
            assert (ready.status_code, ready.json()) == (
                200,
                {"status": "ready", "checks": ["upstream"]},
            )
            upstream.close()  # the emulator process ends
            clock.now += 4.9
            assert (await client.get("/readyz")).status_code == 200  # the last probe, remembered
            clock.now += 0.1
            unready = await client.get("/readyz")
            assert unready.status_code == 503
            (reason,) = unready.json()["failing"].values()
            assert reason.startswith("the Graph API could not be reached")
            assert (await client.get("/healthz")).json() == {"status": "ok"}


async def test_a_registered_check_decides_readiness_too(emulator_url: str) -> None:
    async def redis_down() -> str | None:
        return "Redis did not answer PING"

    async with _serving(emulator_url, Clock()) as (app, client):
        app.state.readiness["redis"] = redis_down
        unready = await client.get("/readyz")
        assert (unready.status_code, unready.json()) == (
            503,
            {"status": "unavailable", "failing": {"redis": "Redis did not answer PING"}},
        )
        del app.state.readiness["redis"]
        assert (await client.get("/readyz")).status_code == 200


async def test_readiness_is_503_with_a_reason_when_the_upstream_is_away() -> None:
    clock = Clock()
    async with _serving(f"http://127.0.0.1:{_closed_port()}", clock) as (_, client):
        unready = await client.get("/readyz")
        assert unready.status_code == 503
        assert unready.json() == {
            "status": "unavailable",
            "failing": {"upstream": "the Graph API could not be reached (ConnectError)"},
        }
        assert (await client.get("/healthz")).json() == {"status": "ok"}


async def test_redis_down_is_degraded_and_still_ready_named_in_body_and_gauge(
    emulator_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="partnergraph.redis")
    with redis_server(tmp_path) as redis:
        async with _serving(emulator_url, Clock(), redis.url) as (_, client):
            ready = await client.get("/readyz")
            assert (ready.status_code, ready.json()) == (
                200,
                {"status": "ready", "checks": ["redis", "upstream"]},
            )
            assert _redis_up((await client.get("/metrics")).text) == 1
            redis.kill()
            degraded = await client.get("/readyz")
            assert (degraded.status_code, degraded.json()) == (
                200,
                {
                    "status": "degraded",
                    "checks": ["redis", "upstream"],
                    "degraded": {"redis": "Redis does not answer"},
                },
            )
            # The gauge tells what the server's own calls to Redis found: make one.
            read = {"query": '{ brand(igId: "17841400000000000") { igId } }'}
            answer = await client.post("/graphql", json=read, headers={"Authorization": "Bearer t"})
            assert "errors" not in answer.json()
            assert _redis_up((await client.get("/metrics")).text) == 0
            assert (await client.get("/healthz")).status_code == 200
            redis.start()
            async with asyncio.timeout(10):
                while _redis_up((await client.get("/metrics")).text) == 0:  # noqa: ASYNC110
                    await asyncio.sleep(0.05)  # sleep-ok: the server probes Redis every 0.5 s
    told = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "partnergraph.redis"]
    assert [level for level, _ in told] == ["WARNING", "INFO"], told  # only a loss warns
    assert "answers again" in told[1][1]


async def test_an_unreachable_upstream_is_503_even_with_redis_merely_degraded(
    tmp_path: Path,
) -> None:
    with redis_server(tmp_path) as redis:
        upstream = f"http://127.0.0.1:{_closed_port()}"
        async with _serving(upstream, Clock(), redis.url) as (_, client):
            redis.kill()
            unready = await client.get("/readyz")
            assert (unready.status_code, unready.json()) == (
                503,
                {
                    "status": "unavailable",
                    "failing": {"upstream": "the Graph API could not be reached (ConnectError)"},
                    "degraded": {"redis": "Redis does not answer"},
                },
            )


def _redis_up(metrics: str) -> float:
    (family,) = [
        f for f in text_string_to_metric_families(metrics) if f.name == "partnergraph_redis_up"
    ]
    (sample,) = family.samples
    return sample.value
