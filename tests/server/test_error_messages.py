"""Error messages as a served client reads them, over HTTP and WebSocket: a refused token hears
which object it may not use and what it lacks, and no message quotes a token or a whole value."""

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from partnergraph.resolvers.echo import SHOWN
from tests.demo import Demo
from tests.servers import running

PROTOCOL = Subprotocol("graphql-transport-ws")
RUN = 10
"""The fewest consecutive characters of a token that count as showing it."""
BRAND_PERMISSIONS = "query($id: ID!) { brand(igId: $id) { permissions(first: 1) { totalCount } } }"
INVITES = "query($id: ID!) { creator(igId: $id) { invites(first: 1) { totalCount } } }"
REQUEST = """mutation($brand: ID!, $creator: ID!) {
  requestPermission(input: {brandId: $brand, creatorIgId: $creator}) { permission { id } }
}"""
Answer = Callable[[dict[str, Any], str], Awaitable[str]]
"""Sends a GraphQL request payload with a token; everything the server sent back, as text."""


@pytest.fixture(scope="module")
def served(emulator_url: str) -> Iterator[str]:
    """`partnergraph serve` on the emulator, caching nothing: each test meets the emulator."""
    env = {"PARTNERGRAPH_GRAPH_URL": emulator_url, "PARTNERGRAPH_CACHE_TTL": "0"}
    with running("serve", env=env) as url:
        yield url


@pytest.fixture
async def http(served: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=served, timeout=30) as client:
        yield client


async def _over_http(client: httpx.AsyncClient, payload: dict[str, Any], token: str) -> str:
    headers = {"Authorization": f"Bearer {token}"}
    response = await client.post("/graphql", json=payload, headers=headers)
    assert response.status_code in {200, 400}, response.text
    return response.text


async def _over_websocket(url: str, payload: dict[str, Any], token: str) -> str:
    """Every frame of one operation over graphql-transport-ws, and the close reason if the
    server closed the socket on it."""
    frames: list[str] = []
    async with connect(url.replace("http://", "ws://") + "/graphql", subprotocols=[PROTOCOL]) as ws:
        init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
        await ws.send(json.dumps(init))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        try:
            while True:
                frame = str(await ws.recv())
                frames.append(frame)
                if json.loads(frame)["type"] in {"complete", "error"}:
                    break
        except ConnectionClosed:
            frames.append(f"closed {ws.close_code}: {ws.close_reason}")
    return "\n".join(frames)


@pytest.fixture(params=["http", "websocket"])
def answer(request: pytest.FixtureRequest, served: str, http: httpx.AsyncClient) -> Answer:
    """The same request over either transport."""
    if request.param == "http":
        return lambda payload, token: _over_http(http, payload, token)
    return lambda payload, token: _over_websocket(served, payload, token)


def _errors(text: str) -> list[dict[str, Any]]:
    """The GraphQL errors in what a transport sent back."""
    found: list[dict[str, Any]] = []
    for line in text.splitlines():
        if line.startswith("closed "):
            continue
        sent = json.loads(line)
        payload = sent.get("payload", sent)
        if isinstance(payload, list):  # a graphql-transport-ws `error` message
            found.extend(payload)
        elif isinstance(payload, dict):
            found.extend(payload.get("errors", []))
    return found


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (
            "creator on a brand",
            "The token may not read the permissions of brand {brand}: it needs "
            "instagram_branded_content_ads_brand and business_management on that brand.",
        ),
        (
            "brand outside the scope",
            "The token may not read the permissions of brand {outside}: it needs "
            "instagram_branded_content_ads_brand and business_management on that brand.",
        ),
        (
            "another creator's invites",
            "The token may not read the collaboration invites of Instagram user {creator}: it "
            "needs instagram_basic on that account.",
        ),
        (
            "creator writing to a brand",
            "The token may not ask for or revoke the permissions of brand {brand}: it needs "
            "instagram_branded_content_ads_brand and business_management on that brand.",
        ),
    ],
)
async def test_a_refused_token_hears_which_object_and_what_it_lacks(
    answer: Answer, demo: Demo, case: str, expected: str
) -> None:
    brand, outside, creator = demo.big_brand, demo.out_of_scope_brand, demo.creator_id
    requests = {
        "creator on a brand": (BRAND_PERMISSIONS, {"id": brand}, demo.creator_token),
        "brand outside the scope": (BRAND_PERMISSIONS, {"id": outside}, demo.agency),
        "another creator's invites": (INVITES, {"id": creator}, demo.other_creator_token),
        "creator writing to a brand": (
            REQUEST,
            {"brand": brand, "creator": creator},
            demo.creator_token,
        ),
    }
    document, variables, token = requests[case]
    (error,) = _errors(await answer({"query": document, "variables": variables}, token))
    assert error["message"] == expected.format(brand=brand, outside=outside, creator=creator)
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["extensions"]["graphCode"] == 10
    assert error["extensions"]["graph"]["code"] == 10
    assert error["extensions"]["graph"]["fbtraceId"]


_BRAND = "query($id: ID!) { brand(igId: $id) { igId } }"
_AFTER = "query($b: ID!, $a: String) { brand(igId: $b) { permissions(after: $a) { totalCount } } }"
_USERNAME = """mutation($brand: ID!, $name: String) {
  requestPermission(input: {brandId: $brand, creatorUsername: $name}) { userErrors { message } }
}"""
_FIRST = "query($n: Int) { viewer { instagramAccounts(first: $n) { totalCount } } }"
_SOME_BRAND = "17841400000000001"
PASTED: dict[str, Callable[[str], dict[str, Any]]] = {
    "brand(igId:)": lambda token: {"query": _BRAND, "variables": {"id": token}},
    "node(id:)": lambda token: {
        "query": "query($id: ID!) { node(id: $id) { id } }",
        "variables": {"id": token},
    },
    "creatorUsername": lambda token: {
        "query": _USERNAME,
        "variables": {"brand": _SOME_BRAND, "name": token},
    },
    "cursor": lambda token: {"query": _AFTER, "variables": {"b": _SOME_BRAND, "a": token}},
    "operationName": lambda token: {"query": "query Q { __typename }", "operationName": token},
    "a variable's invalid value": lambda token: {"query": _FIRST, "variables": {"n": token}},
    "a literal's invalid value": lambda token: {
        "query": f'{{ viewer {{ instagramAccounts(first: "{token}") {{ totalCount }} }} }}'
    },
    "a field's name": lambda token: {"query": f"{{ {token} }}"},
}
"""Requests that quote a value back in an error, each with a token pasted as that value."""


@pytest.mark.parametrize("path", list(PASTED))
async def test_a_token_pasted_as_a_value_never_comes_back(
    answer: Answer, demo: Demo, path: str
) -> None:
    token = demo.agency
    text = await answer(PASTED[path](token), token)
    assert not _shows_part_of(text, token)
    assert "[redacted]" in text  # the message is there, the token cut out of it


@pytest.mark.parametrize(
    ("payload", "quoted"),
    [
        ({"query": "query Q { __typename }", "operationName": "x" * 184}, "Unknown operation"),
        (
            {"query": _FIRST, "variables": {"n": "x" * 184}},
            "Variable '$n'",
        ),
    ],
)
async def test_a_long_value_comes_back_cut_as_the_readme_says(
    http: httpx.AsyncClient, demo: Demo, payload: dict[str, Any], quoted: str
) -> None:
    (error,) = _errors(await _over_http(http, payload, demo.agency))
    assert error["message"].startswith(quoted)
    assert "x" * SHOWN + "'…" in error["message"]
    assert "x" * (SHOWN + 1) not in error["message"]


def _shows_part_of(text: str, token: str) -> bool:
    """Whether text holds RUN consecutive characters of token anywhere."""
    return any(token[start : start + RUN] in text for start in range(len(token) - RUN + 1))
