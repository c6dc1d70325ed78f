"""Several instances on one Redis: one upstream call, read-after-write, shared budgets, outages."""

import asyncio
import os
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.demo import Demo
from tests.redis import RedisServer, redis_server
from tests.servers import Server, started

QUERY = """query($brand: ID!, $first: Int) { brand(igId: $brand) { permissions(first: $first) {
  edges { cursor node { id graphId status creator { id username } } } } } }"""
BY_CREATOR = """query($brand: ID!, $username: String) { brand(igId: $brand) {
  permissions(creatorUsername: $username) { nodes { id graphId status } } } }"""
INVITES = "query($id: ID!) { creator(igId: $id) { invites(first: 1) { edges { cursor } } } }"
SIZED_INVITES = """query($id: ID!, $n: Int) { creator(igId: $id) { invites(first: $n) {
  edges { cursor } } } }"""
REQUEST = """mutation($brand: ID!, $username: String!) { requestPermission(input: {
  brandId: $brand, creatorUsername: $username }) { userErrors { code } permission { graphId } } }"""


@asynccontextmanager
async def _clients(servers: list[Server], token: str) -> AsyncIterator[list[httpx.AsyncClient]]:
    headers = {"Authorization": f"Bearer {token}"}
    clients = [httpx.AsyncClient(base_url=s.url, headers=headers, timeout=30) for s in servers]
    try:
        yield clients
    finally:
        for client in clients:
            await client.aclose()


async def _run(client: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _stats(emulator: httpx.AsyncClient) -> dict[str, Any]:
    stats: dict[str, Any] = (await emulator.get("/admin/stats")).json()
    return stats


async def _holding_the_lease(
    emulator: httpx.AsyncClient, client: httpx.AsyncClient, brand: str
) -> asyncio.Task[dict[str, Any]]:
    """QUERY's first 7 of brand, sent through client and awaited by the emulator: from then
    on, client's instance holds the key's lease (the emulator has no hook to wait on)."""
    held = asyncio.create_task(_run(client, QUERY, brand=brand, first=7))
    async with asyncio.timeout(10):
        while (await _stats(emulator))["total"] < 1:  # noqa: ASYNC110
            await asyncio.sleep(0.01)  # sleep-ok: polls another process
    return held


async def test_concurrent_identical_cold_reads_over_two_instances_cost_one_call(
    start_instances: Callable[..., list[Server]], emulator: httpx.AsyncClient, demo: Demo
) -> None:
    servers = start_instances()
    await emulator.post("/admin/stats/reset")
    async with _clients(servers, demo.agency) as clients:
        answers = await asyncio.gather(
            *(_run(clients[i % 2], QUERY, brand=demo.big_brand, first=20) for i in range(200))
        )
    assert all("errors" not in answer for answer in answers)
    assert len({str(answer["data"]) for answer in answers}) == 1
    assert (await _stats(emulator))["total"] == 1


async def test_a_write_through_one_instance_is_in_the_next_read_through_the_other(
    start_instances: Callable[..., list[Server]], demo: Demo
) -> None:
    a, b = start_instances()
    creator = demo.creator_without_big_brand_permission()["username"]
    async with _clients([a, b], demo.agency) as (client_a, client_b):
        before = await _run(client_b, BY_CREATOR, brand=demo.big_brand, username=creator)
        assert before == await _run(client_b, BY_CREATOR, brand=demo.big_brand, username=creator)
        assert before["data"]["brand"]["permissions"]["nodes"] == []  # and b's caches are warm
        written = await _run(client_a, REQUEST, brand=demo.big_brand, username=creator)
        graph_id = written["data"]["requestPermission"]["permission"]["graphId"]
        after = await _run(client_b, BY_CREATOR, brand=demo.big_brand, username=creator)
    assert [node["graphId"] for node in after["data"]["brand"]["permissions"]["nodes"]] == [
        graph_id
    ]


async def test_the_301st_invite_read_of_a_day_is_refused_whichever_instance_it_reaches(
    start_instances: Callable[..., list[Server]], emulator: httpx.AsyncClient, demo: Demo
) -> None:
    servers = start_instances(PARTNERGRAPH_CACHE_TTL="0")
    await emulator.post("/admin/stats/reset")
    async with _clients(servers, demo.creator_token) as clients:
        for i in range(300):
            body = await _run(clients[i % 2], INVITES, id=demo.creator_id)
            assert "errors" not in body, (i, body)
        refused = await _run(clients[0], INVITES, id=demo.creator_id)
        refused_too = await _run(clients[1], INVITES, id=demo.creator_id)
    for body in (refused, refused_too):
        assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert "graph" not in body["errors"][0]["extensions"]  # refused here, not upstream
    stats = await _stats(emulator)
    assert stats["byEdge"]["collaboration_invites"]["GET"] == 300


async def test_a_lease_of_a_killed_instance_does_not_block_the_key_past_the_upstream_timeout(
    start_instances: Callable[..., list[Server]], emulator: httpx.AsyncClient, demo: Demo
) -> None:
    timeout = 2.0
    a, b = start_instances(PARTNERGRAPH_UPSTREAM_TIMEOUT=str(timeout))
    await emulator.post("/admin/stats/reset")
    await emulator.post("/admin/faults", json={"latencyMs": 1500, "count": 1})
    async with _clients([a, b], demo.agency) as (client_a, client_b):
        held = await _holding_the_lease(emulator, client_a, demo.big_brand)
        os.kill(a.process.pid, signal.SIGKILL)
        with pytest.raises(httpx.TransportError):
            await held
        async with asyncio.timeout(timeout * 2 + 2):
            body = await _run(client_b, QUERY, brand=demo.big_brand, first=7)
    assert "errors" not in body
    assert len(body["data"]["brand"]["permissions"]["edges"]) == 7


async def test_invite_reads_stay_within_the_daily_limit_when_redis_loses_its_state(
    start_instances: Callable[..., list[Server]],
    emulator: httpx.AsyncClient,
    demo: Demo,
    redis: RedisServer,
) -> None:
    servers = start_instances(PARTNERGRAPH_CACHE_TTL="0")
    await emulator.post("/admin/stats/reset")
    answered: list[str] = []
    flush_at = {60, 150, 240, 290}

    async def reader(number: int, clients: list[httpx.AsyncClient]) -> None:
        for i in range(90):
            # A page size of its own: concurrent identical reads would share one call.
            body = await _run(
                clients[(number + i) % 2], SIZED_INVITES, id=demo.creator_id, n=number + 1
            )
            errors = body.get("errors")
            answered.append(errors[0]["extensions"]["code"] if errors else "ok")
            if len(answered) in flush_at:
                redis.flush()  # FLUSHALL: every window, usage report and lease is gone

    async with _clients(servers, demo.creator_token) as clients:
        async with asyncio.timeout(60):
            await asyncio.gather(*(reader(n, clients) for n in range(4)))
    reads = (await _stats(emulator))["byEdge"]["collaboration_invites"]["GET"]
    assert len(answered) == 360
    assert reads <= 300  # the Graph API's daily limit, whatever Redis forgot
    assert answered.count("ok") == reads  # and none of them refused upstream (80002)
    assert set(answered) == {"ok", "RATE_LIMITED"}


@pytest.mark.parametrize("stop", [signal.SIGSTOP, signal.SIGKILL])
async def test_waiters_notice_a_stopped_or_killed_holder_within_one_short_lease(
    start_instances: Callable[..., list[Server]],
    emulator: httpx.AsyncClient,
    demo: Demo,
    stop: signal.Signals,
) -> None:
    a, b = start_instances()  # the default upstream timeout: 10 s
    await emulator.post("/admin/stats/reset")
    await emulator.post("/admin/faults", json={"latencyMs": 8000, "count": 1})
    async with _clients([a, b], demo.agency) as (client_a, client_b):
        held = await _holding_the_lease(emulator, client_a, demo.big_brand)
        os.kill(a.process.pid, stop)
        try:
            # A lease of the upstream timeout kept b waiting 10 s; a lease of 2 s, about 2 s.
            async with asyncio.timeout(6):
                body = await _run(client_b, QUERY, brand=demo.big_brand, first=7)
        finally:
            if stop == signal.SIGSTOP:
                os.kill(a.process.pid, signal.SIGCONT)
        if stop == signal.SIGSTOP:
            assert "errors" not in await held  # the holder, resumed, answers too
        else:
            with pytest.raises(httpx.TransportError):
                await held
    assert "errors" not in body
    assert len(body["data"]["brand"]["permissions"]["edges"]) == 7
    assert (await _stats(emulator))["total"] == 2  # the holder's read, and the waiter's own


async def test_redis_killed_under_load_and_restarted_fails_no_request(
    start_instances: Callable[..., list[Server]],
    emulator: httpx.AsyncClient,
    demo: Demo,
    tmp_path: Path,
) -> None:
    brands = _agency_brands(demo)
    with redis_server(tmp_path) as own_redis:
        servers = start_instances(redis_url=own_redis.url)
        failures: list[str] = []
        answered = 0
        milestones = {100: asyncio.Event(), 300: asyncio.Event()}

        async def client(number: int, clients: list[httpx.AsyncClient], rounds: int) -> None:
            nonlocal answered
            for i in range(rounds):
                brand = brands[(number * 7 + i) % 40]
                response = await clients[(number + i) % 2].post(
                    "/graphql", json={"query": QUERY, "variables": {"brand": brand, "first": 5}}
                )
                body = response.json()
                if response.status_code != 200 or "errors" in body:
                    failures.append(f"{response.status_code} {body}")
                answered += 1
                if answered in milestones:
                    milestones[answered].set()

        async with _clients(servers, demo.agency) as clients:
            load = [asyncio.create_task(client(n, clients, 30)) for n in range(16)]
            async with asyncio.timeout(30):
                await milestones[100].wait()
            own_redis.kill()
            async with asyncio.timeout(30):
                await milestones[300].wait()  # load goes on while Redis is down
            own_redis.start()
            await asyncio.gather(*load)
            assert failures == []
            assert answered == 16 * 30
            # Shared state resumes by itself: single-flight across instances works again.
            async with asyncio.timeout(30):
                for brand in _agency_brands(demo)[40:]:
                    await emulator.post("/admin/stats/reset")
                    await asyncio.gather(
                        *(_run(clients[i % 2], QUERY, brand=brand, first=3) for i in range(20))
                    )
                    if (await _stats(emulator))["total"] == 1:
                        break
                else:
                    pytest.fail("single-flight across instances never came back")


def _agency_brands(demo: Demo) -> list[str]:
    agency = next(t for t in demo.state["tokens"] if t["token"] == demo.agency)
    brands: list[str] = agency["brandIds"]
    return brands


async def test_workers_on_redis_see_a_write_on_every_fresh_connection(
    emulator_url: str, redis: RedisServer, demo: Demo
) -> None:
    creator = demo.creator_without_big_brand_permission()["username"]
    env = {"PARTNERGRAPH_REDIS_URL": redis.url}
    with started("serve", "--workers", "2", "--graph-url", emulator_url, env=env) as server:
        headers = {"Authorization": f"Bearer {demo.agency}"}

        async def fresh_read() -> dict[str, Any]:
            async with httpx.AsyncClient(base_url=server.url, headers=headers) as client:
                return await _run(client, BY_CREATOR, brand=demo.big_brand, username=creator)

        before = await asyncio.gather(*(fresh_read() for _ in range(20)))  # warms both workers
        assert all(b["data"]["brand"]["permissions"]["nodes"] == [] for b in before)
        async with httpx.AsyncClient(base_url=server.url, headers=headers) as client:
            written = await _run(client, REQUEST, brand=demo.big_brand, username=creator)
        graph_id = written["data"]["requestPermission"]["permission"]["graphId"]
        after = await asyncio.gather(*(fresh_read() for _ in range(20)))
    for body in after:
        nodes = body["data"]["brand"]["permissions"]["nodes"]
        assert [node["graphId"] for node in nodes] == [graph_id]
