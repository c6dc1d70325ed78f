"""`partnergraph serve --workers 2` as Prometheus sees it: every scrape, whichever worker
answers it, shows the whole instance, and each live worker's process figures."""

import asyncio
import os
import signal
from collections.abc import Callable
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.servers import Server

REQUESTS = 20
SCRAPES = 10
PING = {"query": "query Ping { __typename }"}


def _families(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    return {
        family.name: [(sample.labels, sample.value) for sample in family.samples]
        for family in text_string_to_metric_families(text)
    }


async def _scrape(url: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    # A connection of its own each time: the kernel hands it to either worker.
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        return _families((await client.get("/metrics")).text)


def _pings(families: dict[str, list[tuple[dict[str, str], float]]]) -> float:
    return sum(
        value
        for labels, value in families.get("partnergraph_requests", [])
        if labels.get("operation") == "Ping"
    )


def _requests(families: dict[str, list[tuple[dict[str, str], float]]]) -> float:
    return sum(value for _, value in families.get("partnergraph_requests", []))


def _pids(families: dict[str, list[tuple[dict[str, str], float]]], name: str) -> set[str]:
    return {labels["pid"] for labels, _ in families.get(name, [])}


async def test_every_scrape_of_two_workers_shows_every_request_and_each_worker_process(
    start_instances: Callable[..., list[Server]],
) -> None:
    (server,) = start_instances(1, PARTNERGRAPH_WORKERS="2")
    for _ in range(REQUESTS):
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            answer = await client.post("/graphql", json=PING)
            assert answer.json() == {"data": {"__typename": "Query"}}
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        for _ in range(2):  # a browser opening GraphiQL: a page, not a GraphQL request
            page = await client.get("/graphql", headers={"Accept": "text/html"})
            assert "graphiql" in page.text.lower()
    scrapes = [await _scrape(server.url) for _ in range(SCRAPES)]
    assert [_pings(scrape) for scrape in scrapes] == [REQUESTS] * SCRAPES
    assert [_requests(scrape) for scrape in scrapes] == [REQUESTS] * SCRAPES
    last = scrapes[-1]
    workers = _pids(last, "partnergraph_worker")
    assert len(workers) == 2
    assert str(server.process.pid) not in workers  # the supervisor serves nothing
    for name in ("process_resident_memory_bytes", "process_open_fds", "process_cpu_seconds"):
        assert _pids(last, name) == workers, name
        assert all(value > 0 for _, value in last[name]), name


async def test_a_worker_that_dies_is_forgotten_and_its_counts_are_kept(
    start_instances: Callable[..., list[Server]],
) -> None:
    (server,) = start_instances(1, PARTNERGRAPH_WORKERS="2")
    for _ in range(REQUESTS):
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            await client.post("/graphql", json=PING)
    before = _pids(await _scrape(server.url), "partnergraph_worker")
    dead = min(before)
    os.kill(int(dead), signal.SIGKILL)
    async with asyncio.timeout(30):
        while True:
            scrape = await _scrape(server.url)
            workers = _pids(scrape, "partnergraph_worker")
            if len(workers) == 2 and dead not in workers:
                break
            # uvicorn's supervisor looks at its workers every 0.5 s
            await asyncio.sleep(0.1)  # sleep-ok: polls another process
    assert _pids(scrape, "process_resident_memory_bytes") == workers
    assert _pings(scrape) == REQUESTS


def _environment_of(pid: str) -> dict[str, str]:
    entries = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(entry.decode().partition("=")[::2] for entry in entries if entry)


def _files(directory: str) -> list[str] | None:
    """The files in directory, or None when it is gone."""
    return sorted(os.listdir(directory)) if os.path.isdir(directory) else None


async def test_the_workers_count_in_a_directory_of_the_run_removed_when_it_stops(
    start_instances: Callable[..., list[Server]],
) -> None:
    (server,) = start_instances(1, PARTNERGRAPH_WORKERS="2")
    workers = _pids(await _scrape(server.url), "partnergraph_worker")
    directories = {_environment_of(pid)["PROMETHEUS_MULTIPROC_DIR"] for pid in workers}
    (directory,) = directories
    assert _files(directory)  # the workers' counts
    server.process.terminate()
    server.process.wait(timeout=20)
    assert _files(directory) is None
