"""Cold p50 through the API ÷ p50 of calling the emulator directly, with 50 ms injected latency.

A bare forwarder (bench.forwarder: Starlette, uvicorn and httpx, no GraphQL)
is timed in the same rounds: its ratio is the floor any service on this stack
starts from on this machine.
"""

import asyncio
import time

import httpx

from bench import harness
from partnergraph.resolvers.records import PERMISSION_FIELDS

NAME = "cold_latency"
SAMPLES = 100
LATENCY_MS = 50


async def _timed(client: httpx.AsyncClient, request: httpx.Request) -> float:
    began = time.perf_counter()
    response = await client.send(request)
    response.json()
    harness.check(response)
    return time.perf_counter() - began


async def _measure(emulator: str, forwarder: str, api: str, token: str, brand: str) -> str:
    async with harness.client(1) as client:

        def page_from(base: str) -> httpx.Request:
            return client.build_request(
                "GET",
                f"{base}/v23.0/{brand}/branded_content_ad_permissions",
                params={"fields": PERMISSION_FIELDS, "limit": "10"},
                headers={"Authorization": f"Bearer {token}"},
            )

        query = harness.graphql(
            client, api, token, harness.document("BrandPermissions"), {"brandId": brand}
        )
        requests = [page_from(emulator), page_from(forwarder), query]
        for _ in range(5):  # connections open, code paths warm, before the latency
            for request in requests:
                await _timed(client, request)
        times: list[list[float]] = [[] for _ in requests]
        harness.reset_stats(emulator)
        with harness.emulator_latency(emulator, LATENCY_MS):
            for _ in range(SAMPLES):  # in turns, so all see the same moments of noise
                for request, samples in zip(requests, times, strict=True):
                    samples.append(await _timed(client, request))
        upstream = harness.upstream_total(emulator) - 2 * SAMPLES
    direct_ms, floor_ms, api_ms = (harness.median_ms(samples) for samples in times)
    return harness.report(
        NAME,
        api_ms / direct_ms,
        "API p50 ÷ direct emulator p50",
        "≤ 1.04",
        f"API {api_ms:.1f} ms, direct {direct_ms:.1f} ms, +{api_ms - direct_ms:.1f} ms at p50; "
        f"bare forwarder {floor_ms:.1f} ms = {floor_ms / direct_ms:.3f}, the stack's floor; "
        f"{LATENCY_MS} ms injected, {SAMPLES} sequential each, cache off (--cache-ttl 0), "
        f"{upstream / SAMPLES:.2f} upstream calls per API request",
    )


def main() -> None:
    """Print the cold_latency line."""
    with harness.running("emulator") as emulator:
        manager = harness.token_of(harness.state(emulator), "brand_manager")
        token, brand = manager["token"], manager["brandIds"][0]
        with (
            harness.running(emulator, module="bench.forwarder") as forwarder,
            harness.running("serve", "--graph-url", emulator, "--cache-ttl", "0") as api,
        ):
            print(asyncio.run(_measure(emulator, forwarder, api, token, brand)))


if __name__ == "__main__":
    main()
