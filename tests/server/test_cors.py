"""CORS over real HTTP: preflights, calls and WebSockets from listed, foreign and local origins."""

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus
from websockets.typing import Origin, Subprotocol

from tests.browser import open_page
from tests.servers import running

APP = "https://app.example.com"
FOREIGN = "https://evil.example.com"
QUERY = {"query": "{ __typename }"}


def _preflight(url: str, origin: str) -> httpx.Response:
    return httpx.options(
        f"{url}/graphql",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type, x-request-id",
        },
    )


def _post(url: str, origin: str) -> httpx.Response:
    return httpx.post(
        f"{url}/graphql",
        json=QUERY,
        headers={"Origin": origin, "Authorization": "Bearer some-token"},
    )


def _loopback_twin(url: str) -> str:
    """The same server under the other loopback name: another origin to a browser."""
    parts = urlsplit(url)
    return f"{parts.scheme}://localhost:{parts.port}"


@pytest.fixture(scope="module")
def cors_url(emulator_url: str) -> Iterator[str]:
    """A server allowing APP and the emulator's origin, where the browser tests open a page."""
    origins = f"{APP}, {emulator_url}"
    with running("serve", "--graph-url", emulator_url, "--cors-origins", origins) as url:
        yield url


@pytest.fixture(scope="module")
def plain_url(emulator_url: str) -> Iterator[str]:
    """A server with no CORS origins, against a real Graph URL (not demo mode)."""
    with running("serve", "--graph-url", emulator_url) as url:
        yield url


@pytest.fixture(scope="module")
def demo_url() -> Iterator[str]:
    """A server in demo mode."""
    with running("serve", env={"PARTNERGRAPH_GRAPH_URL": ""}) as url:
        yield url


def test_a_listed_origin_passes_the_preflight(cors_url: str) -> None:
    response = _preflight(cors_url, APP)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == APP
    assert "POST" in response.headers["access-control-allow-methods"]
    allowed = response.headers["access-control-allow-headers"].lower()
    assert {"authorization", "content-type", "x-request-id"} <= set(allowed.split(", "))


def test_a_listed_origin_reads_the_answer(cors_url: str) -> None:
    response = _post(cors_url, APP)
    assert response.json() == {"data": {"__typename": "Query"}}
    assert response.headers["access-control-allow-origin"] == APP
    assert "x-request-id" in response.headers["access-control-expose-headers"].lower()


def test_a_foreign_origin_gets_no_allow_origin(cors_url: str) -> None:
    preflight = _preflight(cors_url, FOREIGN)
    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers
    answer = _post(cors_url, FOREIGN)
    assert answer.status_code == 200  # served, but a browser keeps it from the page
    assert "access-control-allow-origin" not in answer.headers


def test_without_origins_there_are_no_cors_headers(plain_url: str) -> None:
    answer = _post(plain_url, APP)
    assert answer.json() == {"data": {"__typename": "Query"}}
    assert not [name for name in answer.headers if name.startswith("access-control-")]
    assert _preflight(plain_url, APP).status_code == 405


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("http://localhost:3000", True),
        ("http://127.0.0.1:5173", True),
        ("http://localhost", True),
        ("https://localhost:3000", False),
        ("http://localhost.example.com:3000", False),
        ("http://127.0.0.1.example.com", False),
        (APP, False),
    ],
)
def test_demo_mode_allows_pages_on_this_machine(demo_url: str, origin: str, allowed: bool) -> None:
    preflight = _preflight(demo_url, origin)
    answer = _post(demo_url, origin)
    assert (preflight.status_code == 200) is allowed
    assert preflight.headers.get("access-control-allow-origin") == (origin if allowed else None)
    assert answer.headers.get("access-control-allow-origin") == (origin if allowed else None)


_FETCH = """async ([url, token]) => {
    try {
        const response = await fetch(url, {
            method: "POST",
            headers: {"Content-Type": "application/json", "Authorization": "Bearer " + token},
            body: JSON.stringify({query: "{ __typename }"}),
        });
        return {status: response.status, body: await response.json()};
    } catch (error) {
        return {error: String(error)};
    }
}"""


async def test_a_browser_page_on_a_listed_origin_calls_the_api(
    cors_url: str, emulator_url: str
) -> None:
    async with open_page(f"{emulator_url}/admin/state") as visit:
        result: dict[str, Any] = await visit.page.evaluate(_FETCH, [f"{cors_url}/graphql", "t"])
    assert result == {"status": 200, "body": {"data": {"__typename": "Query"}}}


async def test_a_browser_page_on_another_origin_is_blocked(
    cors_url: str, emulator_url: str
) -> None:
    async with open_page(f"{_loopback_twin(emulator_url)}/admin/state") as visit:
        result: dict[str, Any] = await visit.page.evaluate(_FETCH, [f"{cors_url}/graphql", "t"])
        assert any("CORS" in message for message in visit.console_errors), visit.console_errors
    assert result == {"error": "TypeError: Failed to fetch"}


async def _handshake(url: str, origin: str) -> str:
    """The first message after connection_init on a WebSocket opened from a page on origin."""
    socket_url = url.replace("http://", "ws://") + "/graphql"
    protocol = Subprotocol("graphql-transport-ws")
    async with connect(socket_url, origin=Origin(origin), subprotocols=[protocol]) as socket:
        await socket.send(json.dumps({"type": "connection_init", "payload": {}}))
        return str(json.loads(await socket.recv())["type"])


@pytest.mark.parametrize(("server", "origin"), [("cors", APP), ("demo", "http://localhost:3000")])
async def test_an_allowed_origin_opens_a_websocket(
    cors_url: str, demo_url: str, server: str, origin: str
) -> None:
    url = cors_url if server == "cors" else demo_url
    assert await _handshake(url, origin) == "connection_ack"


@pytest.mark.parametrize(("server", "origin"), [("cors", FOREIGN), ("demo", APP)])
async def test_a_foreign_origin_cannot_open_a_websocket(
    cors_url: str, demo_url: str, server: str, origin: str
) -> None:
    url = cors_url if server == "cors" else demo_url
    with pytest.raises(InvalidStatus) as refused:
        await _handshake(url, origin)
    assert refused.value.response.status_code == 403
