"""A request line and headers over the limit: HTTP 431 and the connection closed, before
they end and before the server holds more of them than the limit."""

import asyncio
from urllib.parse import urlsplit

import httpx
import pytest

from partnergraph.server.headers import MAX_HEAD_BYTES

HEADER = b"x-filler: " + b"f" * 90 + b"\r\n"  # 102 bytes
CHUNK = 16 * 1024


async def _connection(url: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    address = urlsplit(url)
    assert address.hostname is not None
    return await asyncio.open_connection(address.hostname, address.port)


async def _refused_while_sending(url: str, start: bytes, endless: bytes) -> bytes:
    """Send start, then endless forever (never ending the head): the server's whole answer,
    read once it closed the connection; fails if it is still open after 4x the limit."""
    reader, writer = await _connection(url)
    writer.write(start)
    answer = asyncio.ensure_future(reader.read())  # to the end: the server closed it
    try:
        for _ in range(4 * MAX_HEAD_BYTES // len(endless)):
            if answer.done():
                break
            writer.write(endless)
            await writer.drain()
        async with asyncio.timeout(10):
            return await answer
    finally:
        writer.close()


@pytest.mark.parametrize(
    ("start", "endless"),
    [
        (b"GET /healthz HTTP/1.1\r\nhost: partnergraph\r\n", HEADER * (CHUNK // len(HEADER))),
        (b"GET /healthz HTTP/1.1\r\nhost: partnergraph\r\nx-big: ", b"a" * CHUNK),
        (b"GET /graphql?query=", b"a" * CHUNK),
    ],
    ids=["many headers", "one endless header", "an endless request line"],
)
async def test_a_head_over_the_limit_is_431_before_it_ends(
    demo_url: str, start: bytes, endless: bytes
) -> None:
    answer = await _refused_while_sending(demo_url, start, endless)
    assert answer.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n")
    assert answer.endswith(b"The request's line and headers are over 64 KiB.\n")
    async with httpx.AsyncClient(base_url=demo_url) as http:
        assert (await http.get("/healthz")).json() == {"status": "ok"}


async def test_heads_within_the_limit_are_read_one_request_after_another(demo_url: str) -> None:
    reader, writer = await _connection(demo_url)
    head = b"GET /healthz HTTP/1.1\r\nhost: partnergraph\r\n"
    filler = HEADER * ((MAX_HEAD_BYTES - 200) // len(HEADER))
    # Three requests of almost the limit each, pipelined in one write.
    writer.write((head + filler + b"\r\n") * 2 + head + b"connection: close\r\n" + filler + b"\r\n")
    await writer.drain()
    async with asyncio.timeout(10):
        answer = await reader.read()
    writer.close()
    assert answer.count(b"HTTP/1.1 200 OK\r\n") == 3
    assert answer.endswith(b'{"status":"ok"}')
