"""Single-flight across instances: one call per key, a dead holder blocks one lease at most."""

import asyncio

import pytest

from partnergraph.state.flights import LocalFlights, RedisFlights
from partnergraph.state.link import RedisLink
from tests.state.conftest import Instances

LEASE = 0.5


@pytest.fixture
async def instances(instances_of: Instances) -> list[RedisFlights]:
    """Flights of two instances on one Redis."""
    return await instances_of.build(
        2, lambda link, bus: RedisFlights(link, bus, LocalFlights(), lease=LEASE)
    )


async def test_concurrent_runs_on_two_instances_make_one_call(
    instances: list[RedisFlights],
) -> None:
    calls = 0
    release = asyncio.Event()

    async def call() -> dict[str, int]:
        nonlocal calls
        calls += 1
        await release.wait()
        return {"answer": 42}

    runs = [asyncio.create_task(instances[i % 2].run("key", call)) for i in range(20)]
    await asyncio.sleep(0.05)  # sleep-ok: lets both instances reach the lease before it is freed
    release.set()
    assert await asyncio.gather(*runs) == [{"answer": 42}] * 20
    assert calls == 1


async def test_a_failed_holder_lets_a_waiter_call_again(instances: list[RedisFlights]) -> None:
    holder_started = asyncio.Event()
    outcomes: list[str] = []

    async def failing() -> object:
        holder_started.set()
        await asyncio.sleep(0.05)  # sleep-ok: the waiter must be waiting when this fails
        outcomes.append("failed")
        raise RuntimeError("upstream down")

    async def working() -> object:
        outcomes.append("called")
        return "value"

    first = asyncio.create_task(instances[0].run("key", failing))
    await holder_started.wait()
    assert await instances[1].run("key", working) == "value"
    with pytest.raises(RuntimeError):
        await first
    assert outcomes == ["failed", "called"]


async def test_a_lease_whose_holder_died_expires_by_itself(
    instances: list[RedisFlights], link: RedisLink
) -> None:
    await link.redis.set("partnergraph:lease:key", "dead holder", px=int(LEASE * 1000))

    async def call() -> object:
        return "taken over"

    async with asyncio.timeout(LEASE * 4):
        assert await instances[1].run("key", call) == "taken over"


async def test_waiters_call_for_themselves_as_soon_as_redis_goes(
    instances: list[RedisFlights], link: RedisLink
) -> None:
    release = asyncio.Event()
    holding = asyncio.Event()

    async def held() -> object:
        holding.set()
        await release.wait()
        return "holder's"

    async def own() -> object:
        return "own"

    holder = asyncio.create_task(instances[0].run("key", held))
    await holding.wait()
    waiter = asyncio.create_task(instances[1].run("key", own))
    await asyncio.sleep(0.05)  # sleep-ok: lets the waiter reach its wait on the holder
    instances[1]._link.lost()
    async with asyncio.timeout(LEASE / 2):  # well before the lease would lapse
        assert await waiter == "own"
    release.set()
    assert await holder == "holder's"
