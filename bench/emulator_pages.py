"""How many permission pages a second one emulator process serves, against its /admin/stats."""

import asyncio
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.servers import running

CLIENTS = 8
REQUESTS = 4000
LIMIT = 100


async def _rate(client: httpx.AsyncClient, url: str, params: dict[str, str | int]) -> float:
    """Requests per second for REQUESTS requests from CLIENTS concurrent clients."""

    async def worker(count: int) -> None:
        for _ in range(count):
            response = await client.get(url, params=params)
            response.raise_for_status()

    started = time.perf_counter()
    await asyncio.gather(*(worker(REQUESTS // CLIENTS) for _ in range(CLIENTS)))
    return REQUESTS / (time.perf_counter() - started)


async def _measure(base_url: str) -> tuple[float, float]:
    limits = httpx.Limits(max_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:
        state = (await client.get("/admin/state")).json()
        token = next(t["token"] for t in state["tokens"] if t["role"] == "brand_manager")
        big = max(state["brands"], key=lambda brand: brand["permissionCount"])["id"]
        first = await client.get(
            f"/v23.0/{big}/branded_content_ad_permissions",
            params={"access_token": token, "limit": LIMIT},
        )
        after = first.json()["paging"]["cursors"]["after"]
        await _rate(client, "/admin/stats", {})
        baseline = await _rate(client, "/admin/stats", {})
        pages = await _rate(
            client,
            f"/v23.0/{big}/branded_content_ad_permissions",
            {"access_token": token, "limit": LIMIT, "after": after},
        )
    return pages, baseline


def main() -> None:
    """Start an emulator, measure, print one line."""
    with running("emulator") as url:
        pages, baseline = asyncio.run(_measure(url))
    print(
        f"emulator: {pages:,.0f} pages/s of {LIMIT} permissions, "
        f"{pages / baseline:.2f}x its GET /admin/stats baseline ({baseline:,.0f} req/s), "
        f"{CLIENTS} concurrent clients, one process"
    )


if __name__ == "__main__":
    main()
