"""Stores: entries expire by the clock, the memory store is bounded, Redis is shared."""

import pytest

from partnergraph.resolvers.shared import REGISTRATIONS_MAX_BYTES, SharedState, in_memory, on_redis
from partnergraph.server.persisted import document_hash
from partnergraph.state.codec import JsonCodec
from partnergraph.state.link import RedisLink
from partnergraph.state.store import MemoryStore, RedisStore
from tests.memory import traced
from tests.redis import RedisServer
from tests.state.conftest import FakeClock


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


async def test_a_memory_store_with_max_bytes_holds_about_that_many(clock: FakeClock) -> None:
    max_bytes = 1024 * 1024
    with traced() as held:
        store: MemoryStore[str] = MemoryStore(10_000, clock, max_bytes=max_bytes)
        for n in range(400):
            text = f"{n}" + "😀" * 2_500  # 10 KB, as Python holds it
            await store.set(document_hash(text), text, 60)
        assert held() <= 1.2 * max_bytes
    assert await store.get(document_hash("0" + "😀" * 2_500)) is None
    assert await store.get(document_hash(text)) == text


async def test_a_memory_store_with_max_bytes_still_holds_at_most_max_entries(
    clock: FakeClock,
) -> None:
    store: MemoryStore[str] = MemoryStore(3, clock, max_bytes=1024 * 1024)
    for n in range(5):
        await store.set(str(n), "small", 60)
    assert [await store.get(str(n)) for n in range(5)] == [None, None, "small", "small", "small"]
    await store.set("huge", "x" * 2 * 1024 * 1024, 60)  # more than the whole store: not kept
    assert await store.get("huge") is None
    assert await store.get("4") == "small"


@pytest.mark.parametrize("where", ["memory", "redis"])
async def test_registered_documents_held_in_this_process_are_bounded_by_bytes(
    where: str, redis: RedisServer
) -> None:
    state: SharedState
    if where == "memory":
        state = in_memory(ttl=60, max_entries=10_000)
    else:
        state = await on_redis(redis.url, ttl=60, max_entries=10_000)
    with traced() as held:
        first = "0" + "😀" * 30_000  # 120 KB as Python holds it
        await state.documents.set(document_hash(first), first, 60)
        for n in range(1, 2 * REGISTRATIONS_MAX_BYTES // 120_000):
            text = f"{n}" + "😀" * 30_000
            await state.documents.set(document_hash(text), text, 60)
        assert held() <= 1.2 * REGISTRATIONS_MAX_BYTES
    if where == "memory":
        assert await state.documents.get(document_hash(first)) is None
    else:  # dropped here, still shared in Redis
        assert await state.documents.get(document_hash(first)) == first
    assert await state.documents.get(document_hash(text)) == text
    await state.close()


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
