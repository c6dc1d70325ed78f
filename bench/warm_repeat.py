"""A repeated query answered from the whole-answer cache ÷ the same server's /healthz, req/s.

wrk drives both over 32 keep-alive connections in alternating rounds, so one
server process, not the client, bounds each rate; the server's CPU per request
is printed beside the ratio. The answer cache's own counters must show that
every measured query was a hit. In the same rounds, bench.fixed_answer answers
the same body from memory beside its own /healthz, bare and then through
partnergraph's access-log middleware: the stack's floors, without and with the
access line every answer writes.
"""

import tempfile
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from bench import harness, wrk
from tests.servers import Server

NAME = "warm_repeat"
CONNECTIONS = 32
ROUNDS = 3
SECONDS = 2


def _answer_lookups(api: str) -> dict[str, float]:
    """The answer cache's lookups so far by result (hit, miss), from /metrics."""
    found = {"hit": 0.0, "miss": 0.0}
    for family in text_string_to_metric_families(httpx.get(f"{api}/metrics").text):
        for sample in family.samples:
            labels = sample.labels
            if sample.name == "partnergraph_cache_lookups_total" and labels["cache"] == "answers":
                found[labels["result"]] = sample.value
    return found


def _rounds(servers: list[Server], body: dict[str, Any], token: str) -> list[wrk.Run]:
    """Each server's /healthz and POST /graphql in alternating rounds, added up in that order."""

    def both(server: Server, seconds: int) -> tuple[wrk.Run, wrk.Run]:
        def run(path: str, **post: Any) -> wrk.Run:
            url, pid = f"{server.url}{path}", server.process.pid
            return wrk.run(url, pid=pid, seconds=seconds, connections=CONNECTIONS, **post)

        return run("/healthz"), run("/graphql", body=body, token=token)

    for server in servers:
        both(server, 1)  # code paths warm
    runs: list[list[wrk.Run]] = [[] for _ in range(2 * len(servers))]
    for _ in range(ROUNDS):
        for index, server in enumerate(servers):
            for offset, run in enumerate(both(server, SECONDS)):
                runs[2 * index + offset].append(run)
    return [_total(each) for each in runs]


def _total(runs: list[wrk.Run]) -> wrk.Run:
    return wrk.Run(
        sum(run.requests for run in runs),
        sum(run.seconds for run in runs),
        sum(run.cpu_seconds for run in runs),
    )


def _measure(api: Server, token: str, brand: str) -> str:
    body = {"query": harness.document("BrandPermissions"), "variables": {"brandId": brand}}
    answer = httpx.post(
        f"{api.url}/graphql", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    harness.check(answer)  # and now cached
    with tempfile.NamedTemporaryFile(suffix=".json") as file:
        Path(file.name).write_bytes(answer.content)
        with (
            harness.started(file.name, module="bench.fixed_answer") as floor,
            harness.started(file.name, "--access-line", module="bench.fixed_answer") as logged,
        ):
            before = _answer_lookups(api.url)
            health, warm, *floors = _rounds([api, floor, logged], body, token)
            after = _answer_lookups(api.url)
    hits, misses = after["hit"] - before["hit"], after["miss"] - before["miss"]
    if misses or hits < warm.requests:
        raise RuntimeError(f"{hits:.0f} hits, {misses:.0f} misses for {warm.requests}")

    def us(run: wrk.Run) -> str:
        return f"{run.cpu_per_request * 1e6:.0f} µs"

    def relative(health: wrk.Run, answer: wrk.Run) -> str:
        return f"{answer.rate / health.rate:.2f} of its /healthz ({us(answer)} vs {us(health)})"

    return harness.report(
        NAME,
        warm.rate / health.rate,
        "warm query req/s ÷ /healthz req/s",
        "≥ 0.8",
        f"warm {warm.rate:.0f} req/s, healthz {health.rate:.0f} req/s; server CPU per request: "
        f"warm {us(warm)}, healthz {us(health)}; server busy "
        f"{warm.cpu_seconds / warm.seconds:.0%} / {health.cpu_seconds / health.seconds:.0%} of "
        f"a core; every warm query an answer-cache hit; floors: Starlette answering the same "
        f"{len(answer.content):,} bytes from memory {relative(*floors[:2])}, and with "
        f"partnergraph's access line {relative(*floors[2:])}; wrk, {CONNECTIONS} connections, "
        f"{ROUNDS} rounds of {SECONDS} s each",
    )


def main() -> None:
    """Print the warm_repeat line."""
    with harness.running("emulator") as emulator:
        manager = harness.token_of(harness.state(emulator), "brand_manager")
        with harness.started("serve", "--graph-url", emulator) as api:
            print(_measure(api, manager["token"], manager["brandIds"][0]))


if __name__ == "__main__":
    main()
