"""A new document every request on warm upstream data ÷ naive Strawberry on the same documents."""

import asyncio
from collections.abc import Mapping
from typing import Any

import httpx

from bench import harness, naive

NAME = "new_document"
REQUESTS = 900
CONCURRENCY = 8


def _documents(
    client: httpx.AsyncClient, url: str, token: str, variables: Mapping[str, Any]
) -> harness.MakeRequest:
    """Request n: BrandPermissions behind a comment naming n, so no document cache can hit."""
    query = harness.document("BrandPermissions")
    return lambda n: harness.graphql(client, url, token, f"# request {n}\n{query}", variables)


async def _measure(ours: str, theirs: str, token: str, brand: str, ours_pid: int) -> str:
    variables = {"brandId": brand, "first": 10}
    async with harness.client(CONCURRENCY) as client:
        contenders = [_documents(client, u, token, variables) for u in (ours, theirs)]
        # Warm: connections open, and our read cache holds the page (documents 10**6 + n).
        for make in contenders:
            await harness.load(client, make, 40, CONCURRENCY, start=10**6)
        cpu_before = harness.cpu_seconds(ours_pid)
        ours_rate, naive_rate = await harness.rates(client, contenders, REQUESTS, CONCURRENCY)
        ours_cpu = harness.cpu_seconds(ours_pid) - cpu_before
    return harness.report(
        NAME,
        ours_rate / naive_rate,
        "ours req/s ÷ naive Strawberry req/s",
        "≥ 3",
        f"ours {ours_rate:.0f} req/s ({ours_cpu / REQUESTS * 1e3:.2f} ms server CPU each), "
        f"naive {naive_rate:.0f} req/s, {REQUESTS} distinct documents each, "
        f"concurrency {CONCURRENCY}; BrandPermissions first 10, 10 edges",
    )


def main() -> None:
    """Print the new_document line."""
    with harness.running("emulator") as emulator:
        manager = harness.token_of(harness.state(emulator), "brand_manager")
        token, brand = manager["token"], manager["brandIds"][0]
        with (
            harness.running("serve", "--graph-url", emulator) as ours,
            naive.running(emulator) as theirs,
        ):
            pid = harness.pid_of("serve")
            print(asyncio.run(_measure(ours, theirs, token, brand, pid)))


if __name__ == "__main__":
    main()
