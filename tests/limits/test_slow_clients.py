"""Slow clients: a connection that sends nothing, a head trickled a line at a time, a body
trickled a byte at a time and an idle keep-alive connection are each answered 408 (where a
request began) and closed once their timeout passes, by a real server with short timeouts."""

import asyncio
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from tests.servers import running

TIMEOUT = 1.0
"""Seconds each timeout is set to here."""
BOUND = 10.0
"""Seconds within which each slow connection must have been closed."""
PACE = 0.2
"""Seconds between a slow client's sends: each arrives well within any timeout."""
EACH = 20
"""Slow connections of each kind in the attack."""


@pytest.fixture(scope="module")
def quick_url() -> Iterator[str]:
    env = {
        "PARTNERGRAPH_GRAPH_URL": "",
        "PARTNERGRAPH_HEAD_TIMEOUT": str(TIMEOUT),
        "PARTNERGRAPH_BODY_TIMEOUT": str(TIMEOUT),
        "PARTNERGRAPH_KEEP_ALIVE_TIMEOUT": str(TIMEOUT),
    }
    with running("serve", env=env) as url:
        yield url


async def _connection(url: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    address = urlsplit(url)
    assert address.hostname is not None
    return await asyncio.open_connection(address.hostname, address.port)


async def _held(url: str, first: bytes, then: bytes) -> tuple[bytes, float]:
    """Send first, then `then` a byte every PACE seconds until the server closes the
    connection: everything it answered, and how long it held the connection."""
    started = time.monotonic()
    reader, writer = await _connection(url)
    writer.write(first)
    answer = asyncio.ensure_future(reader.read())  # to the end: the server closed it
    try:
        async with asyncio.timeout(BOUND):
            for byte in then:
                if answer.done():
                    break
                writer.write(bytes([byte]))
                await asyncio.wait({answer}, timeout=PACE)  # the slow client's pace
            return await answer, time.monotonic() - started
    finally:
        writer.close()


HEAD = b"GET /healthz HTTP/1.1\r\nhost: partnergraph\r\n"
ENDLESS_HEADERS = b"x-slow: a\r\n" * 1000
BODY_HEAD = (
    b"POST /graphql HTTP/1.1\r\nhost: partnergraph\r\ncontent-type: application/json\r\n"
    b"content-length: 100000\r\n\r\n"
)


async def test_a_connection_that_sends_nothing_is_closed(quick_url: str) -> None:
    answer, held = await _held(quick_url, b"", b"")
    assert answer == b""
    assert TIMEOUT <= held < BOUND


async def test_a_head_trickled_a_line_at_a_time_is_408(quick_url: str) -> None:
    answer, held = await _held(quick_url, HEAD, ENDLESS_HEADERS)
    assert answer.startswith(b"HTTP/1.1 408 Request Timeout\r\n")
    assert answer.endswith(b"The request's line and headers came too slowly.\n")
    assert TIMEOUT <= held < BOUND


async def test_a_body_trickled_a_byte_at_a_time_is_408(quick_url: str) -> None:
    answer, held = await _held(quick_url, BODY_HEAD, b"{" * 100_000)
    assert answer.startswith(b"HTTP/1.1 408 Request Timeout\r\n")
    assert answer.endswith(b"The request's body came too slowly.\n")
    assert TIMEOUT <= held < BOUND


async def test_an_idle_keep_alive_connection_is_closed_after_its_setting(quick_url: str) -> None:
    answer, held = await _held(quick_url, HEAD + b"\r\n", b"")
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
    assert answer.endswith(b'{"status":"ok"}')
    assert TIMEOUT <= held < TIMEOUT + 3  # not uvicorn's default of 5 seconds


async def test_requests_in_time_are_answered_on_one_connection(quick_url: str) -> None:
    async with httpx.AsyncClient(base_url=quick_url) as http:
        for _ in range(3):
            assert (await http.get("/healthz")).json() == {"status": "ok"}
        body = {"query": "{ __typename }"}
        assert (await http.post("/graphql", json=body)).json() == {"data": {"__typename": "Query"}}


async def test_slow_clients_are_all_let_go_while_others_are_answered(quick_url: str) -> None:
    attack = [
        *(_held(quick_url, b"", b"") for _ in range(EACH)),
        *(_held(quick_url, HEAD, ENDLESS_HEADERS) for _ in range(EACH)),
        *(_held(quick_url, BODY_HEAD, b"{" * 100_000) for _ in range(EACH)),
    ]
    slow = asyncio.gather(*attack)
    health = 0
    async with httpx.AsyncClient(base_url=quick_url, timeout=5) as http:
        while not slow.done():
            assert (await http.get("/healthz")).json() == {"status": "ok"}
            health += 1
    held = [seconds for _, seconds in await slow]
    assert len(held) == 3 * EACH
    assert max(held) < BOUND
    assert health > 0
