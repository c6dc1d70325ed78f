"""Persisted-query registrations on two instances sharing a real Redis: what a client that
registers big documents as fast as it can leaves in Redis, and the bound every instance keeps."""

import asyncio
import hashlib
from collections import Counter
from collections.abc import Callable

import httpx
from redis.asyncio import Redis

from tests.demo import Demo
from tests.redis import RedisServer
from tests.servers import Server

COMMENT_BYTES = 117 * 1024
PER_MINUTE = 20
TOKENED = 40
ANONYMOUS = 40


def _registration(number: int) -> dict[str, object]:
    """A registration as the attack sent it: a 117 KiB comment and `{ __typename }`, each
    comment its own, so that each is a new hash."""
    document = f"#{number:08d}{'x' * COMMENT_BYTES}\n{{ __typename }}"
    sha256 = hashlib.sha256(document.encode()).hexdigest()
    return {
        "query": document,
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256}},
    }


async def _outcome(
    client: httpx.AsyncClient, number: int, headers: dict[str, str]
) -> tuple[int, str]:
    response = await client.post("/graphql", json=_registration(number), headers=headers)
    errors = response.json().get("errors")
    return response.status_code, errors[0]["extensions"]["code"] if errors else "ok"


async def test_registrations_leave_redis_small_and_are_bounded_across_instances(
    start_instances: Callable[..., list[Server]], redis: RedisServer, demo: Demo
) -> None:
    first, second = start_instances(
        2, PARTNERGRAPH_PERSISTED_REGISTRATIONS_PER_MINUTE=str(PER_MINUTE)
    )
    token = {"Authorization": f"Bearer {demo.agency}"}
    async with (
        Redis.from_url(redis.url) as store,
        httpx.AsyncClient(base_url=first.url, timeout=30) as one,
        httpx.AsyncClient(base_url=second.url, timeout=30) as other,
    ):
        before = (await store.info("memory"))["used_memory"]
        # One token, alternating instances: the bound is one for both.
        tokened = await asyncio.gather(
            *(_outcome([one, other][number % 2], number, token) for number in range(TOKENED))
        )
        anonymous = [await _outcome(one, TOKENED + number, {}) for number in range(ANONYMOUS)]
        keys = [key async for key in store.scan_iter("partnergraph:document:*")]
        sizes = [await store.memory_usage(key) or 0 for key in keys]
        after = (await store.info("memory"))["used_memory"]
    assert Counter(tokened) == {
        (200, "ok"): PER_MINUTE,
        (429, "RATE_LIMITED"): TOKENED - PER_MINUTE,
    }
    assert Counter(anonymous) == {(200, "ok"): ANONYMOUS}  # ran, and registered nothing
    assert len(keys) == PER_MINUTE
    assert max(sizes) < 200  # bytes, the key included
    # Without the fix Redis grew by all that was sent (117 KiB a registration); what it grows
    # by now is the connections the instances opened to it (about 20 KiB each).
    sent = (TOKENED + ANONYMOUS) * COMMENT_BYTES
    assert after - before < sent / 4, (before, after)
