"""Request headers over the limit: HTTP 431 and the connection closed, before they end."""

import asyncio
from urllib.parse import urlsplit

import httpx

from partnergraph.server.headers import MAX_HEADER_BYTES

HEADER = b"x-filler: " + b"f" * 90 + b"\r\n"  # 98 bytes, 97 of them counted


async def _connection(url: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    address = urlsplit(url)
    assert address.hostname is not None
    return await asyncio.open_connection(address.hostname, address.port)


async def test_headers_over_the_limit_are_431_before_they_end(demo_url: str) -> None:
    reader, writer = await _connection(demo_url)
    writer.write(b"GET /healthz HTTP/1.1\r\nhost: partnergraph\r\n")
    writer.write(HEADER * (MAX_HEADER_BYTES // 90 + 1))  # and no blank line: they go on
    await writer.drain()
    async with asyncio.timeout(10):
        answer = await reader.read()  # to the end: the server closed the connection
    writer.close()
    assert answer.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n")
    assert answer.endswith(b"The request's headers are over 64 KiB.\n")
    async with httpx.AsyncClient(base_url=demo_url) as http:
        assert (await http.get("/healthz")).json() == {"status": "ok"}


async def test_headers_within_the_limit_are_read(demo_url: str) -> None:
    reader, writer = await _connection(demo_url)
    filler = HEADER * (MAX_HEADER_BYTES // 100 - 1)
    writer.write(b"GET /healthz HTTP/1.1\r\nhost: partnergraph\r\nconnection: close\r\n")
    writer.write(filler + b"\r\n")
    await writer.drain()
    async with asyncio.timeout(10):
        answer = await reader.read()
    writer.close()
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
    assert answer.endswith(b'{"status":"ok"}')
