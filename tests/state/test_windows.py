"""Daily-budget windows: the limit holds, a day slides, a call given back does not count."""

import asyncio

import pytest

from partnergraph.state.link import RedisLink
from partnergraph.state.windows import MemoryWindows, RedisWindows, Windows, WindowUse
from tests.state.conftest import FakeClock

DAY = 86_400.0


@pytest.fixture(params=["memory", "redis"])
def windows(request: pytest.FixtureRequest, clock: FakeClock) -> Windows:
    if request.param == "memory":
        return MemoryWindows(clock)
    link: RedisLink = request.getfixturevalue("link")
    return RedisWindows(link, MemoryWindows(clock), clock)


async def test_the_limit_admits_exactly_limit_calls_a_window(
    windows: Windows, clock: FakeClock
) -> None:
    admitted = [(await windows.take("u", 3, DAY)).admitted for _ in range(5)]
    assert admitted == [True, True, True, False, False]
    use = await windows.use("u", DAY)
    assert (use.used, use.oldest) == (3, clock.now)


async def test_a_call_leaves_the_window_a_day_after_it_was_made(
    windows: Windows, clock: FakeClock
) -> None:
    await windows.take("u", 2, DAY)
    clock.advance(3600)
    await windows.take("u", 2, DAY)
    assert not (await windows.take("u", 2, DAY)).admitted
    clock.advance(DAY - 3600 - 1)
    assert not (await windows.take("u", 2, DAY)).admitted
    clock.advance(1)
    third = await windows.take("u", 2, DAY)
    assert third.admitted
    assert third.use.oldest == clock.now - DAY + 3600


async def test_a_call_given_back_frees_its_place(windows: Windows) -> None:
    first = await windows.take("u", 1, DAY)
    assert not (await windows.take("u", 1, DAY)).admitted
    await windows.give_back("u", first.ticket)
    assert (await windows.take("u", 1, DAY)).admitted


async def test_concurrent_takes_never_pass_the_limit(windows: Windows) -> None:
    outcomes = await asyncio.gather(*(windows.take("u", 10, DAY) for _ in range(40)))
    assert sum(outcome.admitted for outcome in outcomes) == 10


async def test_two_instances_share_one_window(link: RedisLink, clock: FakeClock) -> None:
    a = RedisWindows(link, MemoryWindows(clock), clock)
    other = RedisLink(link.url)
    b = RedisWindows(other, MemoryWindows(clock), clock)
    for i in range(6):
        assert (await (a if i % 2 else b).take("u", 5, DAY)).admitted is (i < 5)
    await other.aclose()


async def test_a_window_redis_lost_gets_each_instances_own_calls_back(
    link: RedisLink, clock: FakeClock
) -> None:
    other = RedisLink(link.url)
    a = RedisWindows(link, MemoryWindows(clock), clock)
    b = RedisWindows(other, MemoryWindows(clock), clock)
    for i in range(6):
        assert (await (a if i % 2 else b).take("u", 10, DAY)).admitted
    await link.redis.flushall()  # the window is gone from Redis
    assert (await a.use("u", DAY)).used == 3  # a's own, at least
    clock.advance(60)
    admitted = [(await (b if i % 2 else a).take("u", 10, DAY)).admitted for i in range(6)]
    await other.aclose()
    assert admitted == [True, True, True, True, False, False]  # 6 + 4 = the limit of 10
    assert (await a.use("u", DAY)).used == 10
    assert (await a.use("u", DAY)).oldest == clock.now - 60  # the calls kept their times


async def test_a_closed_window_refuses_until_it_reopens(
    windows: Windows, clock: FakeClock, request: pytest.FixtureRequest
) -> None:
    assert (await windows.take("u", 10, DAY)).admitted
    await windows.close("u", 10, clock.now + 3600, DAY)
    if isinstance(windows, RedisWindows):
        link: RedisLink = request.getfixturevalue("link")
        await link.redis.flushall()  # the instance that closed it still knows
    refused = await windows.take("u", 10, DAY)
    assert not refused.admitted
    assert refused.use == WindowUse(10, clock.now + 3600 - DAY)
    clock.advance(3600)
    assert (await windows.take("u", 10, DAY)).admitted


async def test_a_window_closed_by_one_instance_is_closed_for_the_others(
    link: RedisLink, clock: FakeClock
) -> None:
    other = RedisLink(link.url)
    a = RedisWindows(link, MemoryWindows(clock), clock)
    b = RedisWindows(other, MemoryWindows(clock), clock)
    await a.close("u", 10, clock.now + 60, DAY)
    refused = await b.take("u", 10, DAY)
    await other.aclose()
    assert not refused.admitted
    assert refused.use.oldest == clock.now + 60 - DAY
