"""The attacks of issue 17 (items 5, 7 and 8) replayed on a demo server: one line each, with
requests sent, how they ended, /healthz p99 during the attack against at rest, and the
server's RSS before and after.

- `amplification`: 4 clients sending 150 aliases of a page of 100 (a 5 KB document that
  answered 2.9 MB), then the largest document within the node limit;
- `unread_socket`: one WebSocket of 100 operations of the largest answer within the limits,
  its client reading nothing (a 4 KiB receive buffer, reading paused);
- `slow_clients`: 60 idle connections, 60 sending a header line every 4.9 s and 60
  trickling a declared 100,000-byte body, with the default timeouts;
- `socket_flood`: 150 connections of 100 subscriptions each, one token.
"""

import asyncio
import collections
import json
import multiprocessing
import socket
import statistics
import struct
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from bench import harness
from partnergraph.schema.complexity import MAX_NODES

PROTOCOL = Subprotocol("graphql-transport-ws")
FIELDS = "nodes { id status rawStatus creator { id username } }"
SEND_TIMEOUT = 5.0
"""PARTNERGRAPH_SOCKET_SEND_TIMEOUT of the server attacked, to keep the run short."""


def _aliased(brand: str, pages: int, salt: int = 0) -> str:
    """A brand's first page asked for under `pages` aliases; a new salt, a new document (the
    answer cache would answer a repeat)."""
    aliased = " ".join(f"a{salt}_{i}: permissions(first: 100) {{ ...P }}" for i in range(pages))
    return (
        f'{{ brand(igId: "{brand}") {{ {aliased} }} }} '
        f"fragment P on PermissionConnection {{ {FIELDS} }}"
    )


def _poll(url: str, ready: Any, stop: Any, samples: Any) -> None:
    """/healthz latencies in seconds (None for a failure) until stop is set: in a process of
    its own, so that the attackers' work in this one does not count in them."""
    with httpx.Client(base_url=url, timeout=10) as http:
        http.get("/healthz").raise_for_status()
        ready.set()
        while not stop.is_set():
            began = time.perf_counter()
            try:
                http.get("/healthz").raise_for_status()
                samples.put(time.perf_counter() - began)
            except httpx.HTTPError:
                samples.put(None)
    samples.put("done")


@dataclass
class _Health:
    """/healthz latencies polled while something ran."""

    samples: list[float]
    failures: int

    def p99_ms(self) -> float:
        if len(self.samples) < 2:
            return max(self.samples, default=0.0) * 1000
        return statistics.quantiles(self.samples, n=100)[98] * 1000


def _polled(url: str, run: Callable[[], str]) -> tuple[str, _Health]:
    """What run() said, and /healthz's latencies while it ran."""
    context = multiprocessing.get_context("spawn")
    ready, stop, queue = context.Event(), context.Event(), context.Queue()
    poller = context.Process(target=_poll, args=(url, ready, stop, queue))
    poller.start()
    ready.wait(timeout=60)
    try:
        said = run()
    finally:
        stop.set()
    found: list[float] = []
    failures = 0
    while (sample := queue.get(timeout=30)) != "done":
        if sample is None:
            failures += 1
        else:
            found.append(sample)
    poller.join()
    return said, _Health(found, failures)


async def _amplification(url: str, token: str, brand: str, pages: int) -> str:
    codes: collections.Counter[str] = collections.Counter()
    sizes: list[int] = []
    headers = {"Authorization": f"Bearer {token}"}
    salts = iter(range(40))

    async def client() -> None:
        async with httpx.AsyncClient(base_url=url, timeout=60) as http:
            for salt in salts:
                body = {"query": _aliased(brand, pages, salt)}
                answer = await http.post("/graphql", json=body, headers=headers)
                sizes.append(len(answer.content))
                errors = answer.json().get("errors", [])
                codes.update([errors[0]["extensions"]["code"]] if errors else ["ok"])

    await asyncio.gather(*(client() for _ in range(4)))
    return f"{sum(codes.values())} sent, {dict(codes)}, largest answer {max(sizes)} bytes"


def _tcp_state(sock: socket.socket) -> int:
    state: int = struct.unpack("B", sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)[:1])[0]
    return state


@asynccontextmanager
async def _socket(url: str, token: str, **options: Any) -> AsyncIterator[ClientConnection]:
    headers = {"Authorization": f"Bearer {token}"}
    ws_url = url.replace("http://", "ws://") + "/graphql"
    async with connect(
        ws_url, subprotocols=[PROTOCOL], additional_headers=headers, **options
    ) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        json.loads(await ws.recv())
        yield ws


def _subscribe(id_: str, query: str) -> str:
    return json.dumps({"id": id_, "type": "subscribe", "payload": {"query": query}})


async def _unread(url: str, token: str, brand: str) -> str:
    address = urlsplit(url)
    raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    raw.connect((address.hostname or "", address.port or 0))
    raw.setblocking(False)
    query = _aliased(brand, MAX_NODES // 100)
    began = time.monotonic()
    async with _socket(url, token, sock=raw, max_size=None) as ws:
        ws.transport.pause_reading()
        for i in range(100):
            await ws.send(_subscribe(str(i), query))
        async with asyncio.timeout(120):
            while _tcp_state(raw) != 7:  # noqa: ASYNC110 - the kernel's state
                await asyncio.sleep(0.05)
    return f"100 operations sent, connection reset after {time.monotonic() - began:.1f} s"


async def _held(url: str, first: bytes, then: bytes, pace: float) -> float:
    address = urlsplit(url)
    began = time.monotonic()
    reader, writer = await asyncio.open_connection(address.hostname, address.port)
    writer.write(first)
    answer = asyncio.ensure_future(reader.read())
    for piece in [then[i : i + 16] for i in range(0, len(then), 16)] if then else []:
        if answer.done():
            break
        writer.write(piece)
        await asyncio.wait({answer}, timeout=pace)
    await answer
    writer.close()
    return time.monotonic() - began


async def _slow(url: str) -> str:
    head = b"GET /healthz HTTP/1.1\r\nhost: x\r\n"
    post = b"POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-length: 100000\r\n\r\n"
    async with asyncio.timeout(60):
        held = await asyncio.gather(
            *(_held(url, b"", b"", 0) for _ in range(60)),
            *(_held(url, head, b"x-slow: 1\r\n" * 1000, 4.9 * 16 / 11) for _ in range(60)),
            *(_held(url, post, b"{" * 100_000, 0.5) for _ in range(60)),
        )
    return f"180 connections, all let go, the longest held {max(held):.1f} s"


async def _flood(url: str, token: str, brand: str) -> str:
    query = f'subscription {{ permissionChanged(brandId: "{brand}") {{ previousStatus }} }}'
    closes: collections.Counter[int | None] = collections.Counter()
    refused = 0
    opened: list[ClientConnection] = []

    async def one() -> None:
        nonlocal refused
        ws_url = url.replace("http://", "ws://") + "/graphql"
        headers = {"Authorization": f"Bearer {token}"}
        ws = await connect(ws_url, subprotocols=[PROTOCOL], additional_headers=headers)
        opened.append(ws)
        try:
            await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
            await ws.recv()
            for i in range(100):
                await ws.send(_subscribe(str(i), query))
            await ws.send(json.dumps({"type": "ping"}))
            while (message := json.loads(await ws.recv()))["type"] != "pong":
                refused += message["type"] == "error"
        except ConnectionClosed:
            closes[ws.close_code] += 1

    began = time.monotonic()
    await asyncio.gather(*(one() for _ in range(150)))
    seconds = time.monotonic() - began
    for ws in opened:
        await ws.close()
    kept = 150 - sum(closes.values())
    return (
        f"150 connections in {seconds:.1f} s: {kept} kept, closes {dict(closes)}; "
        f"15,000 subscribes, {refused} refused"
    )


def _rest(seconds: float) -> str:
    time.sleep(seconds)  # the server at rest, while /healthz is polled
    return ""


def main() -> None:
    """Run each attack on a fresh demo server, printing its line."""
    attacks: list[tuple[str, Callable[[str, str, str], Coroutine[Any, Any, str]]]] = [
        ("amplification", lambda u, t, b: _amplification(u, t, b, 150)),
        ("amplification_within", lambda u, t, b: _amplification(u, t, b, MAX_NODES // 100)),
        ("unread_socket", _unread),
        ("slow_clients", lambda u, t, b: _slow(u)),
        ("socket_flood", _flood),
    ]
    for name, attack in attacks:
        with harness.started("serve", "--socket-send-timeout", str(SEND_TIMEOUT)) as server:
            state = httpx.get(f"{server.url}/emulator/admin/state").json()
            token = harness.token_of(state, "brand_manager")["token"]
            brand = max(state["brands"], key=lambda b: b["permissionCount"])["id"]
            pid = server.process.pid
            _, quiet = _polled(server.url, lambda: _rest(2.0))
            before, cpu = harness.rss_mib(pid), harness.cpu_seconds(pid)
            said, health = _polled(
                server.url,
                lambda: asyncio.run(attack(server.url, token, brand)),  # noqa: B023 - run at once
            )
            after, cpu = harness.rss_mib(pid), harness.cpu_seconds(pid) - cpu
            ratio = health.p99_ms() / quiet.p99_ms() if quiet.p99_ms() else 0.0
            details = (
                f"{said}; /healthz p99 {health.p99_ms():.0f} ms under attack "
                f"vs {quiet.p99_ms():.0f} ms at rest, {health.failures} failed; "
                f"server CPU {cpu:.1f} s; RSS {before:.0f} -> {after:.0f} MiB"
            )
            print(
                harness.report(name, ratio, "/healthz p99 attacked ÷ at rest", "≤ 10", details),
                flush=True,
            )


if __name__ == "__main__":
    main()
