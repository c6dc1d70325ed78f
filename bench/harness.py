"""What the benchmarks share: servers and their pids, prebuilt requests, load, one-line reports."""

import asyncio
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests import servers
from tests.redis import RedisServer

QUERIES = Path(__file__).resolve().parents[1] / "queries"
_TICKS = os.sysconf("SC_CLK_TCK")

MakeRequest = Callable[[int], httpx.Request]


@contextmanager
def started(*args: str, module: str = "partnergraph") -> Iterator[servers.Server]:
    """`python -m <module> <args>` on a free loopback port until the block ends, its log
    (one access line per request, written as in production) discarded."""
    with servers.started(*args, module=module, stderr=Path(os.devnull)) as server:
        yield server


@contextmanager
def running(*args: str, module: str = "partnergraph") -> Iterator[str]:
    """The base URL of started(*args), until the block ends."""
    with started(*args, module=module) as server:
        yield server.url


def document(name: str) -> str:
    """The text of queries/<name>.graphql."""
    return (QUERIES / f"{name}.graphql").read_text()


def report(name: str, ratio: float, what: str, goal: str, details: str) -> str:
    """`<name>: <ratio> (<what>, goal <goal>) [details]`."""
    return f"{name}: {ratio:.2f} ({what}, goal {goal}) [{details}]"


def state(emulator: str) -> dict[str, Any]:
    """The emulator's `GET /admin/state`: tokens, brands, creators."""
    answer: dict[str, Any] = httpx.get(f"{emulator}/admin/state").json()
    return answer


def token_of(emulator_state: Mapping[str, Any], role: str, index: int = 0) -> dict[str, Any]:
    """The index-th token with that role (`brand_manager`, `creator`)."""
    tokens: list[dict[str, Any]] = [t for t in emulator_state["tokens"] if t["role"] == role]
    return tokens[index]


def upstream_total(emulator: str) -> int:
    """Graph HTTP requests the emulator has answered since its stats were last reset."""
    return int(httpx.get(f"{emulator}/admin/stats").json()["total"])


def reset_stats(emulator: str) -> None:
    """Zero the emulator's request counts."""
    httpx.post(f"{emulator}/admin/stats/reset").raise_for_status()


@contextmanager
def emulator_latency(emulator: str, latency_ms: int) -> Iterator[None]:
    """Every Graph request to the emulator delayed by latency_ms while the block runs."""
    httpx.post(f"{emulator}/admin/faults", json={"latencyMs": latency_ms}).raise_for_status()
    try:
        yield
    finally:
        httpx.delete(f"{emulator}/admin/faults").raise_for_status()


def pid_of(*args: str) -> int:
    """The pid of this process's child `python -m partnergraph <args> ...` (see tests.servers)."""
    wanted = ["-m", "partnergraph", *args]
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            argv = (entry / "cmdline").read_bytes().decode().split("\0")
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == os.getpid() and argv[1 : 1 + len(wanted)] == wanted:
            found.append(int(entry.name))
    if len(found) != 1:
        raise RuntimeError(f"expected one child `partnergraph {' '.join(args)}`, found {found}")
    return found[0]


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def rss_mib(pid: int) -> float:
    """A process's resident set size (VmRSS) in MiB."""
    for row in Path(f"/proc/{pid}/status").read_text().splitlines():
        if row.startswith("VmRSS:"):
            return int(row.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def client(concurrency: int) -> httpx.AsyncClient:
    """The load generator's client: pooled connections, more slots than workers.

    A pool exactly as large as the worker count makes httpcore hand connections
    over slowly (~45 ms a request here), so the pool is kept larger.
    """
    slots = max(20, 2 * concurrency)
    limits = httpx.Limits(max_connections=slots, max_keepalive_connections=slots)
    return httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(60.0))


def graphql(
    client: httpx.AsyncClient,
    url: str,
    token: str,
    query: str,
    variables: Mapping[str, Any] | None = None,
) -> httpx.Request:
    """A POST /graphql request, built once (its JSON encoded once) and sendable many times."""
    body = json.dumps({"query": query, "variables": dict(variables or {})}).encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    return client.build_request("POST", f"{url}/graphql", content=body, headers=headers)


def always(request: httpx.Request) -> MakeRequest:
    """The same prebuilt request every time."""
    return lambda _number: request


def check(response: httpx.Response) -> None:
    """Fail the benchmark on an answer that is not a clean 200 (speed of errors means nothing)."""
    if response.status_code != 200 or b'"errors"' in response.content:
        raise RuntimeError(f"{response.request.url}: {response.status_code} {response.text[:300]}")


async def load(
    client: httpx.AsyncClient, make: MakeRequest, count: int, concurrency: int, start: int = 0
) -> float:
    """Send make(start) … make(start + count - 1) from `concurrency` workers; seconds taken."""
    numbers = iter(range(start, start + count))

    async def worker() -> None:
        for number in numbers:
            check(await client.send(make(number)))

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - began


async def rates(
    client: httpx.AsyncClient,
    contenders: Sequence[MakeRequest],
    count: int,
    concurrency: int,
    rounds: int = 3,
) -> list[float]:
    """Requests/s of each contender, measured in alternating rounds to share the machine's noise."""
    seconds = [0.0] * len(contenders)
    per_round = count // rounds
    for round_ in range(rounds):
        for index, make in enumerate(contenders):
            start = round_ * per_round
            seconds[index] += await load(client, make, per_round, concurrency, start)
    return [per_round * rounds / spent for spent in seconds]


def median_ms(samples: Sequence[float]) -> float:
    """The p50 of durations in seconds, in milliseconds."""
    return statistics.median(samples) * 1000


@contextmanager
def redis_server() -> Iterator[str]:
    """A redis-server on a free loopback port for the block; yields its URL."""
    with tempfile.TemporaryDirectory() as directory:
        server = RedisServer(Path(directory))
        server.start()
        try:
            yield server.url
        finally:
            server.kill()
