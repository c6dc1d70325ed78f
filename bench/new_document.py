"""A request new to the answer cache, on warm upstream data, ÷ naive Strawberry on the same.

Frontends send a fixed set of operations (queries/) with new variables: here
BrandPermissions over (brand, first) pairs, each sent once. A warm-up with a
different operation over the same pairs fills the read cache with their
upstream pages but not the answer cache, so each measured request is parsed
(from the parser cache), validated (from the validation cache) and executed,
with no upstream call. Naive Strawberry calls the Graph API every time.
"""

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from bench import harness, naive

NAME = "new_document"
REQUESTS = 900
CONCURRENCY = 8


WARM_UP = """query Warm($brandId: ID!, $first: Int) {
  brand(igId: $brandId) { permissions(first: $first) { pageInfo { hasNextPage } } }
}"""


def _pairs(brands: Sequence[str]) -> list[dict[str, Any]]:
    return [{"brandId": brand, "first": first} for brand in brands for first in range(1, 11)]


def _requests(
    client: httpx.AsyncClient, url: str, token: str, query: str, pairs: Sequence[Mapping[str, Any]]
) -> harness.MakeRequest:
    """Request n: the query for pair n, wrapping around."""
    return lambda n: harness.graphql(client, url, token, query, pairs[n % len(pairs)])


async def _measure(ours: str, theirs: str, token: str, brands: list[str], ours_pid: int) -> str:
    pairs = _pairs(brands)
    assert len(pairs) >= REQUESTS
    query = harness.document("BrandPermissions")
    async with harness.client(CONCURRENCY) as client:
        warm = _requests(client, ours, token, WARM_UP, pairs)
        await harness.load(client, warm, len(pairs), CONCURRENCY)
        contenders = [_requests(client, u, token, query, pairs) for u in (ours, theirs)]
        await harness.load(client, contenders[1], 40, CONCURRENCY)
        cpu_before = harness.cpu_seconds(ours_pid)
        ours_rate, naive_rate = await harness.rates(client, contenders, REQUESTS, CONCURRENCY)
        ours_cpu = harness.cpu_seconds(ours_pid) - cpu_before
    return harness.report(
        NAME,
        ours_rate / naive_rate,
        "ours req/s ÷ naive Strawberry req/s",
        "≥ 3",
        f"ours {ours_rate:.0f} req/s ({ours_cpu / REQUESTS * 1e3:.2f} ms server CPU each), "
        f"naive {naive_rate:.0f} req/s, {REQUESTS} requests each, every one new to the "
        f"answer cache; BrandPermissions, first 1-10, concurrency {CONCURRENCY}",
    )


def main() -> None:
    """Print the new_document line."""
    with harness.running("emulator") as emulator:
        manager = harness.token_of(harness.state(emulator), "brand_manager")
        token, brands = manager["token"], manager["brandIds"][:100]
        with (
            harness.running("serve", "--graph-url", emulator) as ours,
            naive.running(emulator) as theirs,
        ):
            pid = harness.pid_of("serve")
            print(asyncio.run(_measure(ours, theirs, token, brands, pid)))


if __name__ == "__main__":
    main()
