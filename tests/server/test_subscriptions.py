"""permissionChanged over graphql-transport-ws: each subscriber hears a change; one poller polls."""

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from tests.demo import Demo
from tests.servers import Server, started

INTERVAL = 0.5
SUBSCRIBE = """subscription($brand: ID!) { permissionChanged(brandId: $brand) {
  previousStatus permission { id graphId status brand { id } creator { id username } } } }"""


@pytest.fixture
def demo_server() -> Iterator[Server]:
    """`partnergraph serve` in demo mode, its settings left at their defaults."""
    with started("serve", env={"PARTNERGRAPH_GRAPH_URL": ""}) as server:
        yield server


@asynccontextmanager
async def _subscription(
    server: Server, token: str, brand: str, *, in_init: bool = False
) -> AsyncIterator[ClientConnection]:
    """A graphql-transport-ws subscription, the token in the upgrade or in connection_init."""
    url = server.url.replace("http://", "ws://") + "/graphql"
    authorization = f"Bearer {token}"
    headers = {} if in_init else {"Authorization": authorization}
    protocol = Subprotocol("graphql-transport-ws")
    async with connect(url, subprotocols=[protocol], additional_headers=headers) as socket:
        init = {"Authorization": authorization} if in_init else {}
        await socket.send(json.dumps({"type": "connection_init", "payload": init}))
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        variables = {"brand": brand}
        message = {
            "type": "subscribe",
            "id": "1",
            "payload": {"query": SUBSCRIBE, "variables": variables},
        }
        await socket.send(json.dumps(message))
        yield socket


async def _next(socket: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await socket.recv())
    return message


async def _statuses(server: Server, token: str, brand: str) -> dict[str, str]:
    """The status of each of a brand's first 100 permissions, read through server."""
    query = """query($b: ID!) { brand(igId: $b) {
      permissions(first: 100) { nodes { id graphId status } } } }"""
    async with httpx.AsyncClient(base_url=server.url) as client:
        response = await client.post(
            "/graphql",
            json={"query": query, "variables": {"b": brand}},
            headers={"Authorization": f"Bearer {token}"},
        )
    nodes = response.json()["data"]["brand"]["permissions"]["nodes"]
    return {node["graphId"]: node["status"] for node in nodes}


async def _polls(emulator: httpx.AsyncClient) -> int:
    stats = (await emulator.get("/admin/stats")).json()
    count: int = stats["byEdge"].get("branded_content_ad_permissions", {}).get("GET", 0)
    return count


def _small_brand(state: dict[str, Any]) -> tuple[str, str]:
    """A brand with 1 to 100 permissions (one page holds them all), and a token managing it."""
    brand: str = next(b for b in state["brands"] if 0 < b["permissionCount"] <= 100)["id"]
    token: str = next(t["token"] for t in state["tokens"] if brand in t.get("brandIds", []))
    return brand, token


async def _approve_a_pending(emulator: httpx.AsyncClient, token: str, brand: str) -> str:
    """Act as a creator: approve one of the brand's pending permissions; its Graph ID."""
    permissions = (
        await emulator.get(
            f"/v23.0/{brand}/branded_content_ad_permissions",
            params={"access_token": token, "limit": 100, "fields": "id,permission_status"},
        )
    ).json()["data"]
    pending: str = next(p["id"] for p in permissions if p["permission_status"].upper() == "PENDING")
    approved = await emulator.post(f"/admin/permissions/{pending}", json={"status": "APPROVED"})
    approved.raise_for_status()
    return pending


async def _polled(emulator: httpx.AsyncClient, at_least: int) -> None:
    """Return once the emulator has answered at_least reads of a permissions list."""
    async with asyncio.timeout(10):
        while await _polls(emulator) < at_least:  # noqa: ASYNC110 - the emulator has no hook
            await asyncio.sleep(INTERVAL / 5)  # sleep-ok: polls another process


async def test_three_subscribers_on_two_instances_hear_an_approval_from_one_poller(
    start_instances: Callable[..., list[Server]], emulator: httpx.AsyncClient, demo: Demo
) -> None:
    brand, token = _small_brand(demo.state)
    a, b = start_instances(PARTNERGRAPH_POLL_INTERVAL=str(INTERVAL))
    await _statuses(b, token, brand)  # cached on b before the change
    await emulator.post("/admin/stats/reset")
    async with AsyncExitStack() as stack:
        sockets = [
            await stack.enter_async_context(_subscription(a, token, brand)),
            await stack.enter_async_context(_subscription(b, token, brand, in_init=True)),
            await stack.enter_async_context(_subscription(b, token, brand)),
        ]
        loop = asyncio.get_running_loop()
        await _polled(emulator, 3)  # the poller took its snapshot
        started, polls_before = loop.time(), await _polls(emulator)
        pending = await _approve_a_pending(emulator, token, brand)
        async with asyncio.timeout(INTERVAL * 2 + 1):
            heard = await asyncio.gather(*(_next(socket) for socket in sockets))
        elapsed = loop.time() - started
        polls = await _polls(emulator) - polls_before - 1  # the emulator read above
    # What subscribers were told, queries see: the poll invalidated the brand's caches.
    assert (await _statuses(b, token, brand))[pending] == "APPROVED"
    for message in heard:
        assert message["type"] == "next", message
        change = message["payload"]["data"]["permissionChanged"]
        assert change["permission"]["graphId"] == pending
        assert change["permission"]["status"] == "APPROVED"
        assert change["previousStatus"] == "PENDING"
    # One poller: at most one read per interval (and a tick's slack), where three would read 3x.
    assert polls <= elapsed / INTERVAL + 1


async def test_a_token_without_rights_on_the_brand_is_refused_with_its_code(
    start_instances: Callable[..., list[Server]], demo: Demo
) -> None:
    (server,) = start_instances(1)
    async with _subscription(server, demo.agency, demo.out_of_scope_brand) as socket:
        message = await _next(socket)
        ending = await _next(socket)
    assert message["type"] == "next"
    assert message["payload"]["data"] is None
    assert message["payload"]["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert ending["type"] == "complete"


async def _shared_brand(demo: Demo) -> str:
    """A brand both the agency's token and the in-house token manage."""
    in_house = next(t for t in demo.state["tokens"] if t["token"] == demo.in_house)
    agency = next(t for t in demo.state["tokens"] if t["token"] == demo.agency)
    shared: str = next(b for b in in_house["brandIds"] if b in agency["brandIds"])
    return shared


async def _change_a_status(emulator: httpx.AsyncClient, token: str, brand: str) -> str:
    """Act as a creator: change the status of one of the brand's permissions; its Graph ID."""
    permissions = (
        await emulator.get(
            f"/v23.0/{brand}/branded_content_ad_permissions",
            params={"access_token": token, "fields": "id,permission_status"},
        )
    ).json()["data"]
    permission = permissions[0]
    status = "REJECTED" if permission["permission_status"] == "APPROVED" else "APPROVED"
    changed = await emulator.post(f"/admin/permissions/{permission['id']}", json={"status": status})
    changed.raise_for_status()
    graph_id: str = permission["id"]
    return graph_id


async def _ended_unauthenticated(socket: ClientConnection) -> None:
    """The subscription ends with UNAUTHENTICATED (its token was revoked), never told a change."""
    async with asyncio.timeout(INTERVAL * 4 + 5):
        message = await _next(socket)
        ending = await _next(socket)
    assert message["type"] == "next", message
    assert message["payload"]["data"] is None, message
    error = message["payload"]["errors"][0]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert error["extensions"]["graph"]["subcode"] == 460
    assert ending == {"id": "1", "type": "complete"}


async def test_a_revoked_subscriber_holding_the_poll_lease_ends_and_frees_it(
    start_instances: Callable[..., list[Server]], emulator: httpx.AsyncClient, demo: Demo
) -> None:
    brand = await _shared_brand(demo)
    a, b = start_instances(PARTNERGRAPH_POLL_INTERVAL=str(INTERVAL))
    await emulator.post("/admin/stats/reset")
    async with AsyncExitStack() as stack:
        revoked = await stack.enter_async_context(_subscription(b, demo.in_house, brand))
        await _polled(emulator, 2)  # its check, then b's first poll: b holds the lease
        agency = await stack.enter_async_context(_subscription(a, demo.agency, brand))
        await _polled(emulator, 3)  # the agency's check
        await emulator.post("/admin/tokens/revoke", json={"token": demo.in_house})
        await _ended_unauthenticated(revoked)
        for _ in range(3):  # each status change reaches the agency, polled by a now
            graph_id = await _change_a_status(emulator, demo.agency, brand)
            async with asyncio.timeout(INTERVAL * 4 + 5):
                heard = await _next(agency)
            assert heard["type"] == "next", heard
            change = heard["payload"]["data"]["permissionChanged"]
            assert change["permission"]["graphId"] == graph_id


async def test_a_revoked_subscriber_is_ended_not_told_what_another_token_polled(
    start_instances: Callable[..., list[Server]], emulator: httpx.AsyncClient, demo: Demo
) -> None:
    brand = await _shared_brand(demo)
    a, b = start_instances(PARTNERGRAPH_POLL_INTERVAL=str(INTERVAL))
    await emulator.post("/admin/stats/reset")
    async with AsyncExitStack() as stack:
        agency = await stack.enter_async_context(_subscription(a, demo.agency, brand))
        await _polled(emulator, 2)  # its check, then a's first poll: a holds the lease
        revoked = await stack.enter_async_context(_subscription(b, demo.in_house, brand))
        await _polled(emulator, 3)  # the in-house token's check
        await emulator.post("/admin/tokens/revoke", json={"token": demo.in_house})
        graph_id = await _change_a_status(emulator, demo.agency, brand)
        async with asyncio.timeout(INTERVAL * 4 + 5):
            heard = await _next(agency)
        await _ended_unauthenticated(revoked)
    assert heard["type"] == "next", heard
    assert heard["payload"]["data"]["permissionChanged"]["permission"]["graphId"] == graph_id


async def test_in_demo_mode_a_change_is_pushed_within_seconds(demo_server: Server) -> None:
    demo_poll = 2.0  # the demo default; outside demo mode it stays 30 s
    emulator = httpx.AsyncClient(base_url=f"{demo_server.url}/emulator", timeout=30)
    async with emulator:
        state = (await emulator.get("/admin/state")).json()
        brand, token = _small_brand(state)
        await emulator.post("/admin/stats/reset")
        async with _subscription(demo_server, token, brand) as socket:
            await _polled(emulator, 1)  # the poller took its snapshot
            pending = await _approve_a_pending(emulator, token, brand)
            async with asyncio.timeout(demo_poll * 2 + 1):
                message = await _next(socket)
    change = message["payload"]["data"]["permissionChanged"]
    assert (change["permission"]["graphId"], change["permission"]["status"]) == (
        pending,
        "APPROVED",
    )
