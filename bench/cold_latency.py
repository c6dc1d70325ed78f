"""Cold p50 through the API ÷ p50 through a bare forwarder, with 50 ms injected upstream latency.

The forwarder (bench.forwarder: Starlette on uvicorn forwarding the same GET
through one httpx client, no GraphQL) is what any service on this stack pays
for one extra HTTP hop; calling the emulator directly is timed in the same
rounds too. The API answers a page no cache has seen (--cache-ttl 0). So does, in
the same rounds, the floor of the GraphQL layer: bench.naive, Strawberry resolving
the same document with its own parser and validation caches and nothing else (no
access line, metrics, cost limit, retries or budgets).
"""

import asyncio
import time

import httpx

from bench import harness, naive
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


async def _measure(  # noqa: PLR0917 - the five servers and the token's brand
    emulator: str, forwarder: str, api: str, floor: str, token: str, brand: str
) -> str:
    async with harness.client(1) as client:

        def page_from(base: str) -> httpx.Request:
            return client.build_request(
                "GET",
                f"{base}/v23.0/{brand}/branded_content_ad_permissions",
                params={"fields": PERMISSION_FIELDS, "limit": "10"},
                headers={"Authorization": f"Bearer {token}"},
            )

        def query_of(base: str) -> httpx.Request:
            document = harness.document("BrandPermissions")
            return harness.graphql(client, base, token, document, {"brandId": brand})

        requests = [page_from(emulator), page_from(forwarder), query_of(api), query_of(floor)]
        for _ in range(5):  # connections open, code paths warm, before the latency
            for request in requests:
                await _timed(client, request)
        times: list[list[float]] = [[] for _ in requests]
        harness.reset_stats(emulator)
        with harness.emulator_latency(emulator, LATENCY_MS):
            for _ in range(SAMPLES):  # in turns, so all see the same moments of noise
                for request, samples in zip(requests, times, strict=True):
                    samples.append(await _timed(client, request))
        upstream = harness.upstream_total(emulator) - 3 * SAMPLES
    direct_ms, forwarder_ms, api_ms, floor_ms = (harness.median_ms(samples) for samples in times)
    return harness.report(
        NAME,
        api_ms / forwarder_ms,
        "API p50 ÷ bare forwarder p50",
        "≤ 1.02",
        f"API {api_ms:.1f} ms, forwarder {forwarder_ms:.1f} ms, +{api_ms - forwarder_ms:.1f} ms "
        f"at p50; direct {direct_ms:.1f} ms (API {api_ms / direct_ms:.3f}, forwarder "
        f"{forwarder_ms / direct_ms:.3f} of it); floor: Strawberry with only its document "
        f"caches {floor_ms:.1f} ms, {floor_ms / forwarder_ms:.3f} of the forwarder; "
        f"{LATENCY_MS} ms injected, {SAMPLES} sequential "
        f"each, cache off (--cache-ttl 0), {upstream / SAMPLES:.2f} upstream calls per API request",
    )


def main() -> None:
    """Print the cold_latency line."""
    with harness.running("emulator") as emulator:
        manager = harness.token_of(harness.state(emulator), "brand_manager")
        token, brand = manager["token"], manager["brandIds"][0]
        with (
            harness.running(emulator, module="bench.forwarder") as forwarder,
            harness.running("serve", "--graph-url", emulator, "--cache-ttl", "0") as api,
            naive.running(emulator, document_cache=True) as floor,
        ):
            print(asyncio.run(_measure(emulator, forwarder, api, floor, token, brand)))


if __name__ == "__main__":
    main()
