"""Stores: entries expire by the clock, the memory store is bounded, Redis is shared."""

from partnergraph.resolvers.state.codec import JsonCodec
from partnergraph.resolvers.state.link import RedisLink
from partnergraph.resolvers.state.store import MemoryStore, RedisStore
from tests.resolvers.state.conftest import FakeClock


async def test_memory_entries_expire_by_the_clock_and_the_least_recent_go(
    clock: FakeClock,
) -> None:
    store: MemoryStore[int] = MemoryStore(2, clock)
    await store.set("a", 1, 10)
    await store.set("b", 2, 5)
    assert await store.get("a") == 1  # "a" is now the most recently used
    await store.set("c", 3, 10)
    assert [await store.get(key) for key in "abc"] == [1, None, 3]
    clock.advance(10)
    assert await store.get("a") is None
    await store.set("zero", 0, 0)
    assert await store.get("zero") is None


async def test_redis_store_is_shared_and_kept_first_level(
    link: RedisLink, clock: FakeClock
) -> None:
    a: RedisStore[dict[str, int]] = RedisStore(
        link, "t", JsonCodec(), MemoryStore(10, clock), first_level=True
    )
    other = RedisLink(link.url)
    local: MemoryStore[dict[str, int]] = MemoryStore(10, clock)
    b: RedisStore[dict[str, int]] = RedisStore(other, "t", JsonCodec(), local, first_level=True)
    await a.set("k", {"v": 1}, 30)
    assert await b.get("k") == {"v": 1}
    assert local.peek("k") == {"v": 1}
    assert 0 < await link.redis.pttl("partnergraph:t:k") <= 30_000
    await other.aclose()


async def test_redis_store_falls_back_to_this_process_while_redis_is_away(
    link: RedisLink, clock: FakeClock
) -> None:
    store: RedisStore[str] = RedisStore(
        link, "t", JsonCodec(), MemoryStore(10, clock), first_level=False
    )
    link.lost()
    await store.set("k", "kept here", 30)
    assert await store.get("k") == "kept here"
