"""Each operation over one WebSocket connection reads afresh, as each HTTP request does: it
sees a write made through another instance, and a token revoked upstream since."""

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from tests.demo import Demo
from tests.servers import Server

COUNT = "query($b: ID!) { brand(igId: $b) { permissions(first: 1) { totalCount } } }"
REQUEST = """mutation($b: ID!, $username: String!) { requestPermission(input: {
  brandId: $b, creatorUsername: $username }) { userErrors { code } permission { graphId } } }"""


@asynccontextmanager
async def _connection(server: Server, token: str) -> AsyncIterator[ClientConnection]:
    url = server.url.replace("http://", "ws://") + "/graphql"
    headers = {"Authorization": f"Bearer {token}"}
    protocol = Subprotocol("graphql-transport-ws")
    async with connect(url, subprotocols=[protocol], additional_headers=headers) as socket:
        await socket.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        yield socket


async def _ask(socket: ClientConnection, id_: str, query: str, **variables: Any) -> Any:
    """The payload of an operation's one `next`, checked to be followed by its `complete`."""
    payload = {"query": query, "variables": variables}
    await socket.send(json.dumps({"id": id_, "type": "subscribe", "payload": payload}))
    answer = json.loads(await socket.recv())
    assert (answer["id"], answer["type"]) == (id_, "next"), answer
    assert json.loads(await socket.recv()) == {"id": id_, "type": "complete"}
    return answer["payload"]


async def _over_http(server: Server, token: str, query: str, **variables: Any) -> Any:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        response = await client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
    return response.json()


def _count(payload: Any) -> int:
    total: int = payload["data"]["brand"]["permissions"]["totalCount"]
    return total


async def test_an_operation_sees_a_write_made_through_another_instance_since_the_last(
    start_instances: Callable[..., list[Server]], demo: Demo
) -> None:
    a, b = start_instances()  # the caches on, shared through Redis
    creator = demo.creator_without_big_brand_permission()["username"]
    async with _connection(a, demo.agency) as socket:
        before = _count(await _ask(socket, "1", COUNT, b=demo.big_brand))
        assert _count(await _ask(socket, "2", COUNT, b=demo.big_brand)) == before
        written = await _over_http(b, demo.agency, REQUEST, b=demo.big_brand, username=creator)
        assert written["data"]["requestPermission"]["userErrors"] == []
        assert _count(await _over_http(b, demo.agency, COUNT, b=demo.big_brand)) == before + 1
        assert _count(await _ask(socket, "3", COUNT, b=demo.big_brand)) == before + 1


async def test_an_operation_after_its_token_was_revoked_is_unauthenticated(
    start_instances: Callable[..., list[Server]], emulator: httpx.AsyncClient, demo: Demo
) -> None:
    # No cache: what one operation read must not answer the next.
    (server,) = start_instances(1, PARTNERGRAPH_CACHE_TTL="0")
    brand = next(t for t in demo.state["tokens"] if t["token"] == demo.in_house)["brandIds"][0]
    async with _connection(server, demo.in_house) as socket:
        assert _count(await _ask(socket, "1", COUNT, b=brand)) >= 0
        revoked = await emulator.post("/admin/tokens/revoke", json={"token": demo.in_house})
        assert revoked.status_code == 200
        over_http = await _over_http(server, demo.in_house, COUNT, b=brand)
        assert over_http["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        refused = await _ask(socket, "2", COUNT, b=brand)
    assert refused["data"] is None
    error = refused["errors"][0]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert error["extensions"]["graph"]["subcode"] == 460
