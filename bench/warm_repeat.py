"""A repeated query answered from the whole-answer cache ÷ the same server's /healthz, req/s.

wrk drives both over 32 keep-alive connections in alternating rounds, so one
server process, not the client, bounds each rate; the server's CPU per request
is printed beside the ratio. The answer cache's own counters must show that
every measured query was a hit.
"""

import httpx
from prometheus_client.parser import text_string_to_metric_families

from bench import harness, wrk

NAME = "warm_repeat"
CONNECTIONS = 32
ROUNDS = 3
SECONDS = 3


def _answer_lookups(api: str) -> dict[str, float]:
    """The answer cache's lookups so far by result (hit, miss), from /metrics."""
    found = {"hit": 0.0, "miss": 0.0}
    for family in text_string_to_metric_families(httpx.get(f"{api}/metrics").text):
        for sample in family.samples:
            labels = sample.labels
            if sample.name == "partnergraph_cache_lookups_total" and labels["cache"] == "answers":
                found[labels["result"]] = sample.value
    return found


def _measure(api: str, pid: int, token: str, brand: str) -> str:
    body = {"query": harness.document("BrandPermissions"), "variables": {"brandId": brand}}
    headers = {"Authorization": f"Bearer {token}"}
    harness.check(httpx.post(f"{api}/graphql", json=body, headers=headers))  # now cached
    health, warm = f"{api}/healthz", f"{api}/graphql"
    wrk.run(health, pid=pid, seconds=1, connections=CONNECTIONS)  # code paths warm
    wrk.run(warm, pid=pid, seconds=1, connections=CONNECTIONS, body=body, token=token)
    before = _answer_lookups(api)
    runs: list[list[wrk.Run]] = [[], []]
    for _ in range(ROUNDS):
        runs[0].append(wrk.run(health, pid=pid, seconds=SECONDS, connections=CONNECTIONS))
        runs[1].append(
            wrk.run(warm, pid=pid, seconds=SECONDS, connections=CONNECTIONS, body=body, token=token)
        )
    after = _answer_lookups(api)
    health_run, warm_run = (_total(each) for each in runs)
    hits, misses = after["hit"] - before["hit"], after["miss"] - before["miss"]
    if misses or hits < warm_run.requests:
        raise RuntimeError(f"{hits:.0f} hits, {misses:.0f} misses for {warm_run.requests}")
    health_us, warm_us = health_run.cpu_per_request * 1e6, warm_run.cpu_per_request * 1e6
    return harness.report(
        NAME,
        warm_run.rate / health_run.rate,
        "warm query req/s ÷ /healthz req/s",
        "≥ 0.8",
        f"warm {warm_run.rate:.0f} req/s, healthz {health_run.rate:.0f} req/s; server CPU per "
        f"request: warm {warm_us:.0f} µs, healthz {health_us:.0f} µs; server busy "
        f"{warm_run.cpu_seconds / warm_run.seconds:.0%} / "
        f"{health_run.cpu_seconds / health_run.seconds:.0%} of a core; wrk, {CONNECTIONS} "
        f"connections, {ROUNDS} rounds of {SECONDS} s each; every warm query an answer-cache hit",
    )


def _total(runs: list[wrk.Run]) -> wrk.Run:
    return wrk.Run(
        sum(run.requests for run in runs),
        sum(run.seconds for run in runs),
        sum(run.cpu_seconds for run in runs),
    )


def main() -> None:
    """Print the warm_repeat line."""
    with harness.running("emulator") as emulator:
        manager = harness.token_of(harness.state(emulator), "brand_manager")
        with harness.started("serve", "--graph-url", emulator) as api:
            print(_measure(api.url, api.process.pid, manager["token"], manager["brandIds"][0]))


if __name__ == "__main__":
    main()
