"""graphql-transport-ws as a client meets it: malformed messages close the socket with 4400,
errors carry a code and the connection's request id, and each connection writes an access line."""

import asyncio
import hashlib
import json
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosedError, InvalidStatus
from websockets.typing import Subprotocol

from partnergraph.server.limits import MAX_BODY_BYTES
from partnergraph.server.metrics import ANONYMOUS
from tests.demo import Demo
from tests.servers import running

PROTOCOL = Subprotocol("graphql-transport-ws")
GENERATED_ID = re.compile(r"[0-9a-f]{32}")


class Served:
    """A running server and its log file."""

    def __init__(self, url: str, log: Path) -> None:
        self.http_url = url
        self.url = url.replace("http://", "ws://") + "/graphql"
        self.log = log

    def lines(self) -> list[dict[str, Any]]:
        """Every log line so far, each parsed."""
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    async def access_line(self, request_id: str) -> dict[str, Any]:
        """The access line of a connection, once the server has written it."""
        async with asyncio.timeout(10):
            while not (lines := self._access_lines(request_id)):  # noqa: ASYNC110 - another process
                await asyncio.sleep(0.01)  # sleep-ok: polls another process
        (line,) = lines
        return line

    def _access_lines(self, request_id: str) -> list[dict[str, Any]]:
        return [
            line
            for line in self.lines()
            if line["logger"] == "partnergraph.access" and line["requestId"] == request_id
        ]

    async def requests_counted(self, operation: str, outcome: str) -> float:
        """What /metrics counts in partnergraph_requests_total for an operation and outcome."""
        async with httpx.AsyncClient(base_url=self.http_url) as client:
            text = (await client.get("/metrics")).text
        labels = f'{{operation="{operation}",outcome="{outcome}"}}'
        found = [
            line
            for line in text.splitlines()
            if line.startswith(f"partnergraph_requests_total{labels}")
        ]
        return float(found[0].split()[-1]) if found else 0.0


@pytest.fixture(scope="module")
def served(emulator_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`partnergraph serve` on the emulator, logging JSON lines to a file."""
    log = tmp_path_factory.mktemp("sockets") / "stderr.log"
    with running("serve", env={"PARTNERGRAPH_GRAPH_URL": emulator_url}, stderr=log) as url:
        yield Served(url, log)


@asynccontextmanager
async def _acknowledged(
    served: Served, headers: dict[str, str] | None = None
) -> AsyncIterator[ClientConnection]:
    """A graphql-transport-ws connection past connection_init."""
    async with connect(served.url, subprotocols=[PROTOCOL], additional_headers=headers) as socket:
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
        (_subscribe({"query": QUERY, "operationName": "B"}), 'Unknown operation named "B".'),
        (
            _subscribe({"query": f"{QUERY} query R {{ __typename }}"}),
            "The document holds 2 operations; name the one to run in `operationName`.",
        ),
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


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ("hello", "A message must be an object with a `type`."),
        ([1, 2], "A message must be an object with a `type`."),
        ({"type": 1}, "A message must be an object with a `type`."),
        ({"id": "1"}, "A message must be an object with a `type`."),
        ({"type": "complete", "id": ["x"]}, "`id` must be a string."),
        ({"type": "complete"}, "`id` must be a string."),
    ],
)
async def test_any_malformed_message_closes_the_socket_with_4400_and_why(
    served: Served, message: object, reason: str
) -> None:
    async with _acknowledged(served) as socket:
        await socket.send(json.dumps(message))
        with pytest.raises(ConnectionClosedError):
            await socket.recv()
    assert (socket.close_code, socket.close_reason) == (4400, reason)
    assert [line for line in served.lines() if line["level"] in {"ERROR", "WARNING"}] == []


async def test_a_subscribe_before_connection_init_is_unauthorized_however_formed(
    served: Served,
) -> None:
    async with connect(served.url, subprotocols=[PROTOCOL]) as socket:
        await socket.send(json.dumps(_subscribe("str", {"a": 1})))
        with pytest.raises(ConnectionClosedError):
            await socket.recv()
    assert (socket.close_code, socket.close_reason) == (4401, "Unauthorized")


@pytest.mark.parametrize(
    ("query", "outcome"),
    [("{", "BAD_USER_INPUT"), ("{" + " a" * 3000 + " }", "QUERY_TOO_COMPLEX")],
)
async def test_a_refused_subscribe_counts_as_a_request_like_over_http(
    served: Served, query: str, outcome: str
) -> None:
    before = await served.requests_counted(ANONYMOUS, outcome)
    assert (await _closed_on(served, _subscribe({"query": query})))[0] == 4400
    assert await served.requests_counted(ANONYMOUS, outcome) == before + 1


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


async def _answers(socket: ClientConnection, count: int) -> list[dict[str, Any]]:
    return [json.loads(await socket.recv()) for _ in range(count)]


async def test_errors_over_the_socket_carry_a_code_and_the_connections_request_id(
    served: Served,
) -> None:
    unknown_field = "subscription NoSuchField { nope }"
    no_token = 'subscription NoToken { permissionChanged(brandId: "1") { previousStatus } }'
    async with _acknowledged(served, {"X-Request-Id": "socket-1"}) as socket:
        assert socket.response is not None
        echoed = socket.response.headers["X-Request-Id"]
        await socket.send(json.dumps(_subscribe({"query": unknown_field}, "invalid")))
        (refused,) = await _answers(socket, 1)
        await socket.send(json.dumps(_subscribe({"query": no_token}, "denied")))
        denied, complete = await _answers(socket, 2)
    assert echoed == "socket-1"
    assert refused["type"] == "error"
    (error,) = refused["payload"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "requestId": "socket-1"}
    assert denied["type"] == "next"
    (error,) = denied["payload"]["errors"]
    assert error["extensions"] == {"code": "UNAUTHENTICATED", "requestId": "socket-1"}
    assert complete == {"id": "denied", "type": "complete"}
    access = await served.access_line("socket-1")
    assert access["level"] == "INFO"
    assert access["message"] == "GET /graphql 101"
    assert {key: access[key] for key in ("method", "path", "status", "operations")} == {
        "method": "GET",
        "path": "/graphql",
        "status": 101,
        "operations": 2,
    }
    assert access["closeCode"] == 1000
    assert access["durationMs"] > 0
    assert await served.requests_counted("NoSuchField", "BAD_USER_INPUT") == 1
    assert await served.requests_counted("NoToken", "UNAUTHENTICATED") == 1


async def test_an_unusable_request_id_is_replaced_on_the_socket_too(served: Served) -> None:
    async with _acknowledged(served, {"X-Request-Id": "has spaces"}) as socket:
        assert socket.response is not None
        request_id = socket.response.headers["X-Request-Id"]
        await socket.send(json.dumps(_subscribe({"query": "subscription { nope }"})))
        (refused,) = await _answers(socket, 1)
    assert GENERATED_ID.fullmatch(request_id)
    assert refused["payload"][0]["extensions"]["requestId"] == request_id
    assert (await served.access_line(request_id))["operations"] == 1


async def test_a_socket_closed_on_a_malformed_message_logs_its_close_code(served: Served) -> None:
    async with _acknowledged(served, {"X-Request-Id": "malformed-1"}) as socket:
        await socket.send(json.dumps(_subscribe("str")))
        with pytest.raises(ConnectionClosedError):
            await socket.recv()
    access = await served.access_line("malformed-1")
    assert (access["status"], access["closeCode"], access["operations"]) == (101, 4400, 0)


async def test_an_operation_name_the_document_lacks_counts_as_refused(served: Served) -> None:
    subscribe = _subscribe({"query": QUERY, "operationName": "Missing"})
    async with _acknowledged(served, {"X-Request-Id": "missing-1"}) as socket:
        await socket.send(json.dumps(subscribe))
        with pytest.raises(ConnectionClosedError):
            await socket.recv()
    assert (socket.close_code, socket.close_reason) == (4400, 'Unknown operation named "Missing".')
    assert (await served.access_line("missing-1"))["operations"] == 1  # its operation ended
    assert await served.requests_counted("Missing", "BAD_USER_INPUT") == 1


async def test_a_refused_handshake_logs_its_status(served: Served) -> None:
    headers = {"X-Request-Id": "refused-1", "Origin": "https://elsewhere.example"}
    with pytest.raises(InvalidStatus) as refused:
        async with connect(served.url, subprotocols=[PROTOCOL], additional_headers=headers):
            pass
    assert refused.value.response.status_code == 403
    access = await served.access_line("refused-1")
    assert (access["message"], access["status"], access["closeCode"]) == (
        "GET /graphql 403",
        403,
        1008,
    )


async def test_a_message_is_bounded_like_a_request_body(served: Served) -> None:
    fits = _subscribe({"query": QUERY}, "i" * (MAX_BODY_BYTES - 100))
    too_big = _subscribe({"query": QUERY}, "i" * MAX_BODY_BYTES)
    async with _acknowledged(served) as socket:
        await socket.send(json.dumps(fits))
        answer, _ = await _answers(socket, 2)
        assert answer["type"] == "next"
        await socket.send(json.dumps(too_big))
        with pytest.raises(ConnectionClosedError):
            await socket.recv()
    assert socket.close_code == 1009


async def test_an_operation_past_the_connections_limit_is_refused_with_a_code(
    served: Served, demo: Demo
) -> None:
    brand = next(b for b in demo.state["brands"] if 0 < b["permissionCount"] <= 100)["id"]
    token = next(t["token"] for t in demo.state["tokens"] if brand in t.get("brandIds", []))
    document = "subscription($b: ID!) { permissionChanged(brandId: $b) { previousStatus } }"
    headers = {"Authorization": f"Bearer {token}", "X-Request-Id": "limit-1"}
    too_many = await served.requests_counted(ANONYMOUS, "QUERY_TOO_COMPLEX")
    async with _acknowledged(served, headers) as socket:
        for number in range(101):  # Strawberry's limit: 100 running on one connection
            payload = {"query": document, "variables": {"b": brand}}
            await socket.send(json.dumps(_subscribe(payload, str(number))))
        (refused,) = await _answers(socket, 1)
    assert refused == {
        "id": "100",
        "type": "error",
        "payload": [
            {
                "message": "Subscription limit reached",
                "extensions": {"code": "QUERY_TOO_COMPLEX", "requestId": "limit-1"},
            }
        ],
    }
    assert (await served.access_line("limit-1"))["operations"] == 100
    assert await served.requests_counted(ANONYMOUS, "QUERY_TOO_COMPLEX") == too_many + 1


async def test_a_connections_access_line_counts_its_operations_upstream_calls(
    served: Served, demo: Demo
) -> None:
    document = "query($b: ID!) { brand(igId: $b) { permissions(first: 7) { nodes { id } } } }"
    headers = {"Authorization": f"Bearer {demo.agency}", "X-Request-Id": "upstream-1"}
    async with _acknowledged(served, headers) as socket:
        for number in range(2):  # the second is answered from the read cache
            payload = {"query": document, "variables": {"b": demo.big_brand}}
            await socket.send(json.dumps(_subscribe(payload, str(number))))
            answer, complete = await _answers(socket, 2)
            assert "errors" not in answer["payload"]
            assert complete["type"] == "complete"
    access = await served.access_line("upstream-1")
    assert (access["operations"], access["upstreamCalls"]) == (2, 1)


# Persisted and trusted documents, decided as over HTTP

ROOT = Path(__file__).resolve().parents[2]
GENERATED_MANIFEST = ROOT / "clients" / "typescript" / "persisted-documents.json"
INTROSPECTION = "{ __schema { types { name fields { name } } } }"


@pytest.fixture(scope="module")
def trusted(emulator_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`partnergraph serve` running only the generated manifest's documents."""
    log = tmp_path_factory.mktemp("trusted-sockets") / "stderr.log"
    env = {
        "PARTNERGRAPH_GRAPH_URL": emulator_url,
        "PARTNERGRAPH_TRUSTED_DOCUMENTS": str(GENERATED_MANIFEST),
    }
    with running("serve", env=env, stderr=log) as url:
        yield Served(url, log)


def _not_allowed(answer: dict[str, Any], id_: str) -> None:
    assert answer["id"] == id_
    assert answer["type"] == "error"
    (error,) = answer["payload"]
    assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_ALLOWED"


async def test_trusted_mode_refuses_other_documents_over_the_socket(
    trusted: Served, demo: Demo, emulator: httpx.AsyncClient
) -> None:
    creator = demo.creator_without_big_brand_permission()
    write = (
        "mutation($b: ID!, $u: String!) { requestPermission(input: {brandId: $b, "
        "creatorUsername: $u}) { permission { id } } }"
    )
    before = await trusted.requests_counted(ANONYMOUS, "PERSISTED_QUERY_NOT_ALLOWED")
    async with _acknowledged(trusted) as anonymous:
        await anonymous.send(json.dumps(_subscribe({"query": INTROSPECTION}, "introspect")))
        _not_allowed(json.loads(await anonymous.recv()), "introspect")
    headers = {"Authorization": f"Bearer {demo.agency}"}
    async with _acknowledged(trusted, headers) as socket:
        variables = {"b": demo.big_brand, "u": creator["username"]}
        await socket.send(json.dumps(_subscribe({"query": write, "variables": variables}, "w")))
        _not_allowed(json.loads(await socket.recv()), "w")
        # the connection goes on: a manifest document, as queries/ has it, runs
        rate_limit = (ROOT / "queries" / "RateLimit.graphql").read_text()
        await socket.send(json.dumps(_subscribe({"query": rate_limit}, "trusted")))
        answer, complete = await _answers(socket, 2)
    assert answer["type"] == "next"
    assert answer["payload"]["data"]["rateLimit"]["invitesRead"] is None
    assert complete == {"id": "trusted", "type": "complete"}
    assert await trusted.requests_counted(ANONYMOUS, "PERSISTED_QUERY_NOT_ALLOWED") == before + 2
    state = (await emulator.get("/admin/state")).json()
    brand = next(b for b in state["brands"] if b["id"] == demo.big_brand)
    assert brand["permissionCount"] == demo.brand(demo.big_brand)["permissionCount"]


async def test_trusted_mode_runs_a_manifest_document_by_id_over_the_socket(
    trusted: Served, demo: Demo
) -> None:
    manifest: dict[str, str] = json.loads(GENERATED_MANIFEST.read_text())
    document_id = next(key for key, text in manifest.items() if "query BrandPermissions" in text)
    sha256 = document_id.removeprefix("sha256:")
    variables = {"brandId": demo.big_brand, "first": 2}
    persisted = {"persistedQuery": {"version": 1, "sha256Hash": sha256}}
    headers = {"Authorization": f"Bearer {demo.agency}"}
    async with _acknowledged(trusted, headers) as socket:
        for id_, payload in [
            ("by-id", {"documentId": document_id, "variables": variables}),
            ("by-hash", {"extensions": persisted, "variables": variables}),
        ]:
            await socket.send(json.dumps(_subscribe(payload, id_)))
            answer, complete = await _answers(socket, 2)
            assert answer["id"] == id_
            assert len(answer["payload"]["data"]["brand"]["permissions"]["edges"]) == 2
            assert complete == {"id": id_, "type": "complete"}


async def test_persisted_queries_work_over_the_socket_as_over_http(
    served: Served, demo: Demo
) -> None:
    document = "query Persisted { __typename }"
    persisted = {"persistedQuery": {"version": 1, "sha256Hash": _sha256(document)}}
    headers = {"Authorization": f"Bearer {demo.agency}"}
    async with _acknowledged(served, headers) as socket:
        await socket.send(json.dumps(_subscribe({"extensions": persisted}, "unknown")))
        (unknown,) = await _answers(socket, 1)
        assert unknown["type"] == "error"
        assert unknown["payload"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
        registers = {"query": document, "extensions": persisted}
        await socket.send(json.dumps(_subscribe(registers, "registers")))
        assert [a["type"] for a in await _answers(socket, 2)] == ["next", "complete"]
    async with httpx.AsyncClient(base_url=served.http_url) as client:
        by_hash = await client.post("/graphql", json={"extensions": persisted})
    assert by_hash.json() == {"data": {"__typename": "Query"}}


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
