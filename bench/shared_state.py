"""A warm repeated query with Redis as shared state ÷ the same with state in memory only.

Both servers run at once on one emulator; rounds alternate between them so the
shared machine's noise falls on both alike. Also prints each server's CPU per
request and its RSS before and after, which stays flat.
"""

import asyncio

from bench import harness

NAME = "shared_state"
REQUESTS = 3_000
CONCURRENCY = 8


async def _measure(apis: list[str], pids: list[int], token: str, brand: str) -> str:
    rates, cpu, rss = [0.0, 0.0], [0.0, 0.0], [[0.0, 0.0], [0.0, 0.0]]
    async with harness.client(CONCURRENCY) as client:
        queries = [
            harness.graphql(
                client, api, token, harness.document("BrandPermissions"), {"brandId": brand}
            )
            for api in apis
        ]
        for query in queries:  # warm: connections open, the answer cached
            await harness.load(client, harness.always(query), 300, CONCURRENCY)
        rss[0] = [harness.rss_mib(pid) for pid in pids]
        seconds = [0.0, 0.0]
        per_round = REQUESTS // 3
        for _ in range(3):
            for index, query in enumerate(queries):
                before = harness.cpu_seconds(pids[index])
                seconds[index] += await harness.load(
                    client, harness.always(query), per_round, CONCURRENCY
                )
                cpu[index] += harness.cpu_seconds(pids[index]) - before
        rss[1] = [harness.rss_mib(pid) for pid in pids]
    count = per_round * 3
    rates = [count / seconds[0], count / seconds[1]]
    per_request = [c / count * 1e6 for c in cpu]
    return harness.report(
        NAME,
        rates[1] / rates[0],
        "warm query req/s with Redis ÷ in memory only",
        "≥ 0.8",
        f"memory {rates[0]:.0f} req/s ({per_request[0]:.0f} µs server CPU each), Redis "
        f"{rates[1]:.0f} req/s ({per_request[1]:.0f} µs); RSS memory {rss[0][0]:.0f}→"
        f"{rss[1][0]:.0f} MiB, Redis {rss[0][1]:.0f}→{rss[1][1]:.0f} MiB over {count} requests",
    )


def main() -> None:
    """Print the shared_state line."""
    with harness.running("emulator") as emulator, harness.redis_server() as redis:
        manager = harness.token_of(harness.state(emulator), "brand_manager")
        with (
            harness.running("serve", "--graph-url", emulator) as memory_api,
            harness.running("serve", "--redis-url", redis, "--graph-url", emulator) as redis_api,
        ):
            pids = [harness.pid_of("serve", "--graph-url"), harness.pid_of("serve", "--redis-url")]
            line = asyncio.run(
                _measure([memory_api, redis_api], pids, manager["token"], manager["brandIds"][0])
            )
            print(line)


if __name__ == "__main__":
    main()
