"""graphql-transport-ws as a client meets it: malformed messages close the socket with 4400."""

import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosedError
from websockets.typing import Subprotocol

from tests.servers import running

PROTOCOL = Subprotocol("graphql-transport-ws")


class Served:
    """A running server and its log file."""

    def __init__(self, url: str, log: Path) -> None:
        self.url = url.replace("http://", "ws://") + "/graphql"
        self.log = log

    def lines(self) -> list[dict[str, Any]]:
        """Every log line so far, each parsed."""
        return [json.loads(line) for line in self.log.read_text().splitlines()]


@pytest.fixture(scope="module")
def served(emulator_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`partnergraph serve` on the emulator, logging JSON lines to a file."""
    log = tmp_path_factory.mktemp("sockets") / "stderr.log"
    with running("serve", env={"PARTNERGRAPH_GRAPH_URL": emulator_url}, stderr=log) as url:
        yield Served(url, log)


@asynccontextmanager
async def _acknowledged(served: Served) -> AsyncIterator[ClientConnection]:
    """A graphql-transport-ws connection past connection_init."""
    async with connect(served.url, subprotocols=[PROTOCOL]) as socket:
        await socket.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        yield socket


async def _closed_on(served: Served, *messages: dict[str, Any]) -> tuple[int | None, str | None]:
    """The close code and reason the server ends a connection with after messages."""
    async with _acknowledged(served) as socket:
        for message in messages:
            await socket.send(json.dumps(message))
        with pytest.raises(ConnectionClosedError):
            await socket.recv()
    return socket.close_code, socket.close_reason


def _subscribe(payload: object, id_: object = "1") -> dict[str, Any]:
    return {"id": id_, "type": "subscribe", "payload": payload}


QUERY = "query Q { __typename }"


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        (_subscribe({"query": QUERY}, {"a": 1}), "`id` must be a string."),
        (_subscribe({"query": QUERY}, None), "`id` must be a string."),
        (_subscribe("str"), "`payload` must be an object."),
        (_subscribe({"query": 5}), "`query` must be a string."),
        (_subscribe({}), "`query` must be a string."),
        (_subscribe({"query": QUERY, "variables": [1]}), "`variables` must be an object or null."),
        (
            _subscribe({"query": QUERY, "extensions": "x"}),
            "`extensions` must be an object or null.",
        ),
        (
            _subscribe({"query": QUERY, "operationName": 5}),
            "`operationName` must be a string or null.",
        ),
        (_subscribe({"query": "{"}), "Syntax Error: Expected Name, found <EOF>."),
        (
            _subscribe({"query": "{" + " a" * 3000 + " }"}),
            "Document contains more than 2000 tokens. Parsing aborted.",
        ),
    ],
)
async def test_a_malformed_subscribe_closes_the_socket_with_4400_and_why(
    served: Served, message: dict[str, Any], reason: str
) -> None:
    assert await _closed_on(served, message) == (4400, reason)
    assert [line for line in served.lines() if line["level"] == "ERROR"] == []


async def test_a_close_reason_quoting_the_client_fits_a_close_frame(served: Served) -> None:
    code, reason = await _closed_on(served, {"type": "\u00e9" * 200})
    assert code == 4400
    assert reason == "Unknown message type: " + "\u00e9" * 50  # 22 + 2 * 50 bytes, of 123
    assert [line for line in served.lines() if line["level"] == "ERROR"] == []


async def test_a_well_formed_subscribe_with_null_members_runs(served: Served) -> None:
    payload = {"query": QUERY, "variables": None, "extensions": None, "operationName": None}
    async with _acknowledged(served) as socket:
        await socket.send(json.dumps(_subscribe(payload)))
        answer = json.loads(await socket.recv())
        complete = json.loads(await socket.recv())
    assert answer == {"id": "1", "type": "next", "payload": {"data": {"__typename": "Query"}}}
    assert complete == {"id": "1", "type": "complete"}


async def test_only_graphql_transport_ws_is_spoken(served: Served) -> None:
    async with connect(served.url, subprotocols=[Subprotocol("graphql-ws")]) as socket:
        with pytest.raises(ConnectionClosedError):
            await socket.recv()
    assert (socket.close_code, socket.close_reason) == (4406, "Subprotocol not acceptable")
