"""What one client may hold over WebSocket: connections per address, subscriptions per token,
answers by size, queries at once, and what it leaves unread; each past its bound is refused
or cut off, by a real server on the emulator with small limits set."""

import asyncio
import json
import socket
import struct
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosedError
from websockets.typing import Subprotocol

from partnergraph.server.sockets import RUNNING_AT_ONCE
from tests.demo import Demo
from tests.servers import Server, started

PROTOCOL = Subprotocol("graphql-transport-ws")
SOCKETS = 3
SUBSCRIPTIONS = 3
ANSWER_BYTES = 100_000
SEND_TIMEOUT = 1.0
SUBSCRIBE = "subscription($b: ID!) { permissionChanged(brandId: $b) { previousStatus } }"
PAGES = " ".join(f"p{i}: permissions(first: 100) {{ nodes {{ id status }} }}" for i in range(8))
EIGHT_PAGES = f"query($b: ID!) {{ brand(igId: $b) {{ {PAGES} }} }}"
"""A brand's first page of 100 permissions 8 times: about 60 KB."""
WHOLE = "nodes { id graphId status rawStatus creator { id igId username facebookPageId } }"
LARGE = EIGHT_PAGES.replace("nodes { id status }", WHOLE)
"""The same pages with every field of each permission: over ANSWER_BYTES."""


@pytest.fixture(scope="module")
def server(emulator_url: str) -> Iterator[Server]:
    env = {
        "PARTNERGRAPH_GRAPH_URL": emulator_url,
        "PARTNERGRAPH_MAX_SOCKETS_PER_CLIENT": str(SOCKETS),
        "PARTNERGRAPH_MAX_SUBSCRIPTIONS_PER_TOKEN": str(SUBSCRIPTIONS),
        "PARTNERGRAPH_MAX_ANSWER_BYTES": str(ANSWER_BYTES),
        "PARTNERGRAPH_SOCKET_SEND_TIMEOUT": str(SEND_TIMEOUT),
    }
    with started("serve", env=env) as running:
        yield running


def _ws_url(server: Server) -> str:
    return server.url.replace("http://", "ws://") + "/graphql"


@asynccontextmanager
async def _acknowledged(
    server: Server, token: str | None = None, **options: Any
) -> AsyncIterator[ClientConnection]:
    headers = {"Authorization": f"Bearer {token}"} if token else None
    async with connect(
        _ws_url(server), subprotocols=[PROTOCOL], additional_headers=headers, **options
    ) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        yield ws


def _subscribe(id_: str, query: str, brand: str) -> str:
    payload = {"query": query, "variables": {"b": brand}}
    return json.dumps({"id": id_, "type": "subscribe", "payload": payload})


async def _received(ws: ClientConnection) -> dict[str, Any]:
    async with asyncio.timeout(10):
        message: dict[str, Any] = json.loads(await ws.recv())
    return message


async def test_connections_past_an_address_cap_are_closed_with_1013(server: Server) -> None:
    async with AsyncExitStack() as held:
        for _ in range(SOCKETS):
            await held.enter_async_context(_acknowledged(server))
        async with connect(_ws_url(server), subprotocols=[PROTOCOL]) as refused:
            with pytest.raises(ConnectionClosedError):
                await refused.recv()
        assert refused.close_code == 1013
        assert refused.close_reason == (
            f"This address holds {SOCKETS} WebSocket connections, the limit."
        )
    async with _acknowledged(server) as again:  # the others closed: room again
        await again.send(json.dumps({"type": "ping"}))
        assert await _received(again) == {"type": "pong"}


async def _barrier(ws: ClientConnection) -> None:
    """Returns once the server has handled what was sent before (and started its operations)."""
    await ws.send(json.dumps({"type": "ping"}))
    assert await _received(ws) == {"type": "pong"}


async def test_subscriptions_past_a_token_cap_are_refused_on_any_connection(
    server: Server, demo: Demo
) -> None:
    brand = demo.big_brand
    async with (
        _acknowledged(server, demo.agency) as first,
        _acknowledged(server, demo.agency) as second,
    ):
        for i in range(SUBSCRIPTIONS - 1):
            await first.send(_subscribe(f"a{i}", SUBSCRIBE, brand))
        await _barrier(first)
        await second.send(_subscribe("b0", SUBSCRIBE, brand))
        await second.send(_subscribe("b1", SUBSCRIBE, brand))  # one past the cap
        refusal = await _received(second)
        assert refusal["id"] == "b1"
        assert refusal["type"] == "error"
        (error,) = refusal["payload"]
        assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
        assert error["message"].startswith(f"The token holds {SUBSCRIPTIONS} subscriptions open")
        # another token is counted apart: its own cap, not the agency's
        async with _acknowledged(server, demo.in_house) as other:
            for i in range(SUBSCRIPTIONS + 1):
                await other.send(_subscribe(f"c{i}", SUBSCRIBE, demo.out_of_scope_brand))
            assert (await _received(other))["id"] == f"c{SUBSCRIPTIONS}"
        # one completed frees its place: the next subscribe runs, the one after is refused
        await first.send(json.dumps({"type": "complete", "id": "a0"}))
        await first.send(_subscribe("a3", SUBSCRIBE, brand))
        await first.send(_subscribe("a4", SUBSCRIBE, brand))
        assert (await _received(first))["id"] == "a4"


async def test_an_answer_over_the_limit_is_an_error_on_http_and_websocket(
    server: Server, demo: Demo
) -> None:
    request = {"query": LARGE, "variables": {"b": demo.big_brand}}
    headers = {"Authorization": f"Bearer {demo.agency}"}
    async with httpx.AsyncClient(base_url=server.url) as http:
        answer = (await http.post("/graphql", json=request, headers=headers)).json()
    assert list(answer) == ["errors"]
    (error,) = answer["errors"]
    assert error["extensions"]["code"] == "ANSWER_TOO_LARGE"
    assert error["message"].startswith("The answer takes ")
    assert f"bytes; the limit is {ANSWER_BYTES}." in error["message"]
    async with _acknowledged(server, demo.agency) as ws:
        await ws.send(_subscribe("1", LARGE, demo.big_brand))
        sent = await _received(ws)
        assert sent["type"] == "next"
        assert sent["payload"]["data"] is None
        assert [e["extensions"]["code"] for e in sent["payload"]["errors"]] == ["ANSWER_TOO_LARGE"]
        assert await _received(ws) == {"id": "1", "type": "complete"}


def _rss_mib(server: Server) -> float:
    status = Path(f"/proc/{server.process.pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def _tcp_state(sock: socket.socket) -> int:
    """The kernel's TCP state of a socket (tcp_info's first byte): 7 is closed."""
    info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)
    state: int = struct.unpack("B", info[:1])[0]
    return state


_TCP_CLOSE = 7
UNREAD_OPERATIONS = 100


async def test_a_socket_that_reads_nothing_is_cut_off_holding_bounded_memory(
    server: Server, demo: Demo
) -> None:
    # 100 operations of answers within the limit, on a connection whose client never reads
    # (a small receive buffer, reading paused): the server runs a few at a time, holds
    # their answers while the client's buffer is full, and drops the connection.
    raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    host, port = server.url.removeprefix("http://").split(":")
    raw.connect((host, int(port)))
    raw.setblocking(False)
    before = _rss_mib(server)
    async with _acknowledged(server, demo.agency, sock=raw, max_size=None) as ws:
        ws.transport.pause_reading()
        for i in range(UNREAD_OPERATIONS):
            await ws.send(_subscribe(str(i), EIGHT_PAGES, demo.big_brand))
        async with asyncio.timeout(30):
            while _tcp_state(raw) != _TCP_CLOSE:  # noqa: ASYNC110 - the kernel's state
                await asyncio.sleep(0.05)  # sleep-ok: polls the kernel's view of the socket
    grown = _rss_mib(server) - before
    assert grown < 50, f"the server grew by {grown:.0f} MiB"
    async with _acknowledged(server, demo.agency) as ws:  # the server serves on
        await ws.send(json.dumps({"type": "ping"}))
        assert await _received(ws) == {"type": "pong"}
    assert RUNNING_AT_ONCE < UNREAD_OPERATIONS
