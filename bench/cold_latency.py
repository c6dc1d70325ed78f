"""Cold p50 through the API ÷ p50 of calling the emulator directly, with 50 ms injected latency."""

import asyncio
import time

import httpx

from bench import harness
from partnergraph.resolvers.records import PERMISSION_FIELDS

NAME = "cold_latency"
SAMPLES = 40
LATENCY_MS = 50


async def _timed(client: httpx.AsyncClient, request: httpx.Request) -> float:
    began = time.perf_counter()
    response = await client.send(request)
    response.json()
    harness.check(response)
    return time.perf_counter() - began


async def _measure(emulator: str, api: str, token: str, brand: str) -> str:
    direct = httpx.Request(
        "GET",
        f"{emulator}/v23.0/{brand}/branded_content_ad_permissions",
        params={"fields": PERMISSION_FIELDS, "limit": "10"},
        headers={"Authorization": f"Bearer {token}"},
    )
    async with harness.client(1) as client:
        query = harness.graphql(
            client, api, token, harness.document("BrandPermissions"), {"brandId": brand}
        )
        for _ in range(5):  # connections open, code paths warm, before the latency
            await _timed(client, direct)
            await _timed(client, query)
        direct_times, api_times = [], []
        harness.reset_stats(emulator)
        with harness.emulator_latency(emulator, LATENCY_MS):
            for _ in range(SAMPLES):  # alternating, so both see the same moments of noise
                direct_times.append(await _timed(client, direct))
                api_times.append(await _timed(client, query))
        upstream = harness.upstream_total(emulator) - SAMPLES
    direct_ms, api_ms = harness.median_ms(direct_times), harness.median_ms(api_times)
    return harness.report(
        NAME,
        api_ms / direct_ms,
        "API p50 ÷ direct emulator p50",
        "≤ 1.04",
        f"API {api_ms:.1f} ms, direct {direct_ms:.1f} ms, +{api_ms - direct_ms:.1f} ms at p50, "
        f"{LATENCY_MS} ms injected, {SAMPLES} sequential each, cache off (--cache-ttl 0), "
        f"{upstream / SAMPLES:.2f} upstream calls per API request",
    )


def main() -> None:
    """Print the cold_latency line."""
    with harness.running("emulator") as emulator:
        manager = harness.token_of(harness.state(emulator), "brand_manager")
        with harness.running("serve", "--graph-url", emulator, "--cache-ttl", "0") as api:
            token, brand = manager["token"], manager["brandIds"][0]
            print(asyncio.run(_measure(emulator, api, token, brand)))


if __name__ == "__main__":
    main()
