"""Server RSS over 100,000 requests on 10,000 keys with a cache smaller than the keys."""

import asyncio

import httpx

from bench import harness

NAME = "memory"
REQUESTS = 100_000
KEYS = 10_000
MAX_ENTRIES = "2000"
CONCURRENCY = 8
WARM_UP = 10_000
WINDOW = 100


async def _measure(api: str, token: str, brands: list[str], pid: int) -> str:
    query = harness.document("BrandPermissions")
    repeats = REQUESTS // KEYS
    async with harness.client(CONCURRENCY) as client:
        # Key k: one of 8 brands (8 upstream pages) and an undeclared variable `key` that the
        # executor ignores but the whole-answer cache keys on; each key asked `repeats` times
        # within a window of WINDOW keys (not back to back: concurrent misses of one key each
        # execute), so 9 in 10 requests are answered from the whole-answer cache.
        requests = [
            harness.graphql(client, api, token, query, {"brandId": brands[k % 8], "key": k})
            for k in range(KEYS)
        ]

        def make(n: int) -> httpx.Request:
            block, offset = divmod(n, WINDOW * repeats)
            return requests[block * WINDOW + offset % WINDOW]

        seconds = await harness.load(client, make, WARM_UP, CONCURRENCY)
        warm = harness.rss_mib(pid)
        seconds += await harness.load(client, make, REQUESTS // 2 - WARM_UP, CONCURRENCY, WARM_UP)
        half = harness.rss_mib(pid)
        seconds += await harness.load(client, make, REQUESTS // 2, CONCURRENCY, REQUESTS // 2)
        full = harness.rss_mib(pid)
    return harness.report(
        NAME,
        full / half,
        f"RSS at {REQUESTS // 1000}k requests ÷ RSS at {REQUESTS // 2000}k",
        "≈ 1.0, flat once the cache is full",
        f"RSS {warm:.1f} MiB after {WARM_UP // 1000}k (warm-up), {half:.1f} MiB at "
        f"{REQUESTS // 2000}k, {full:.1f} MiB at {REQUESTS // 1000}k; {KEYS} keys x "
        f"{repeats} requests, --cache-max-entries {MAX_ENTRIES}, {REQUESTS / seconds:.0f} req/s",
    )


def main() -> None:
    """Print the memory line."""
    with harness.running("emulator") as emulator:
        manager = harness.token_of(harness.state(emulator), "brand_manager")
        serve = ("serve", "--graph-url", emulator, "--cache-max-entries", MAX_ENTRIES)
        with harness.running(*serve, "--cache-ttl", "600") as api:
            pid = harness.pid_of("serve")
            print(asyncio.run(_measure(api, manager["token"], manager["brandIds"][:8], pid)))


if __name__ == "__main__":
    main()
