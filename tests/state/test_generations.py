"""Owner generations: a bump is seen at once by every instance, and never reuses a value."""

import asyncio

import pytest

from partnergraph.state.generations import MemoryGenerations, RedisGenerations
from partnergraph.state.link import RedisLink
from tests.state.conftest import FakeClock, Instances


@pytest.fixture
async def instances(instances_of: Instances) -> list[RedisGenerations]:
    """Generations of two instances on one Redis."""
    return await instances_of.build(2, lambda link, bus: RedisGenerations(link, bus, ttl=60))


async def test_memory_generations_move_and_are_forgotten_after_the_ttl(clock: FakeClock) -> None:
    generations = MemoryGenerations(ttl=60, clock=clock)
    assert await generations.current("brand") == 0
    await generations.bump("brand")
    first = await generations.current("brand")
    assert first not in (None, 0)
    clock.advance(61)
    await generations.bump("other")
    assert await generations.current("brand") == 0
    await generations.bump("brand")
    assert await generations.current("brand") not in (0, first)


async def test_a_bump_on_one_instance_is_current_on_the_other(
    instances: list[RedisGenerations],
) -> None:
    a, b = instances
    before = await b.current("brand")  # mirrored by b from now on
    await a.bump("brand")
    after = await a.current("brand")
    assert after is not None
    assert before is not None
    assert after > before
    # The announcement is in flight: b must have it by the time it answers a later request.
    async with asyncio.timeout(5):
        while await b.current("brand") != after:  # noqa: ASYNC110 - b's bus has no hook
            await asyncio.sleep(0)  # sleep-ok: yields to b's bus reader, nothing else
    assert await b.current("brand") == after


async def test_generations_only_grow_even_after_the_key_expires(
    instances: list[RedisGenerations], link: RedisLink
) -> None:
    a, _ = instances
    await a.bump("brand")
    first = await a.current("brand")
    await link.redis.delete("partnergraph:generation:brand")
    await a.bump("brand")
    second = await a.current("brand")
    assert first is not None
    assert second is not None
    assert second > first


async def test_generations_are_unknown_while_redis_is_away(
    instances: list[RedisGenerations], link: RedisLink
) -> None:
    a, _ = instances
    link.lost()
    assert await a.current("brand") is None


async def test_a_redis_that_lost_its_data_never_brings_back_an_old_generation(
    instances: list[RedisGenerations], instances_of: Instances, link: RedisLink
) -> None:
    a, _ = instances
    await a.bump("brand")
    first = await a.current("brand")
    await link.redis.flushall()  # a restart without persistence, or an eviction
    # A third instance, which mirrors nothing yet.
    (fresh,) = await instances_of.build(1, lambda link, bus: RedisGenerations(link, bus, ttl=60))
    later = await fresh.current("brand")
    assert first is not None
    assert later is not None
    assert later > first
