"""A warm repeated query (whole-answer cache) ÷ the same server's /healthz, same client and load."""

import asyncio

from bench import harness

NAME = "warm_repeat"
REQUESTS = 4_500
CONCURRENCY = 8


async def _measure(api: str, token: str, brand: str, pid: int) -> str:
    async with harness.client(CONCURRENCY) as client:
        health = client.build_request("GET", f"{api}/healthz")
        query = harness.graphql(
            client, api, token, harness.document("BrandPermissions"), {"brandId": brand}
        )
        # Warm: connections open, the answer cached, both code paths run once.
        await harness.rates(
            client, [harness.always(health), harness.always(query)], 600, CONCURRENCY, 1
        )
        seconds, cpu = [0.0, 0.0], [0.0, 0.0]
        per_round = REQUESTS // 3
        for _ in range(3):
            for index, request in enumerate((health, query)):
                before = harness.cpu_seconds(pid)
                seconds[index] += await harness.load(
                    client, harness.always(request), per_round, CONCURRENCY
                )
                cpu[index] += harness.cpu_seconds(pid) - before
    count = per_round * 3
    health_rate, warm_rate = count / seconds[0], count / seconds[1]
    health_us, warm_us = cpu[0] / count * 1e6, cpu[1] / count * 1e6
    return harness.report(
        NAME,
        warm_rate / health_rate,
        "warm query req/s ÷ /healthz req/s",
        "≥ 0.5",
        f"warm {warm_rate:.0f} req/s, healthz {health_rate:.0f} req/s, {count} each, "
        f"concurrency {CONCURRENCY}; server CPU per request: warm {warm_us:.0f} µs, "
        f"healthz {health_us:.0f} µs (healthz÷warm {health_us / warm_us:.2f}); server busy "
        f"{cpu[0] / seconds[0]:.0%} / {cpu[1] / seconds[1]:.0%} of a core: the one-process "
        "client, not the server, bounds both req/s",
    )


def main() -> None:
    """Print the warm_repeat line."""
    with harness.running("emulator") as emulator:
        manager = harness.token_of(harness.state(emulator), "brand_manager")
        with harness.running("serve", "--graph-url", emulator) as api:
            pid = harness.pid_of("serve")
            print(asyncio.run(_measure(api, manager["token"], manager["brandIds"][0], pid)))


if __name__ == "__main__":
    main()
