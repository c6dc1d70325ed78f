"""Graph pages/s one emulator process serves ÷ its cheapest route's req/s, same client and load;
then, at real sizes, the CPU of a page at item 9,900 of 10,000 ÷ the first page's."""

import asyncio
import time

import httpx

from bench import harness
from partnergraph.resolvers.records import PERMISSION_FIELDS

NAME = "emulator_pages"
AT_SIZE = "emulator_pages_at_size"
REQUESTS = 2_100
CONCURRENCY = 8
PERMISSIONS = 10_000
INVITES = 2_000
DEEP = 9_900


async def _measure(emulator: str, token: str, brand: str, pid: int) -> str:
    async with harness.client(CONCURRENCY) as client:
        admin = client.build_request("GET", f"{emulator}/admin/stats")
        pages = [_page(client, emulator, token, brand, limit) for limit in (10, 100)]
        contenders = [harness.always(request) for request in (admin, *pages)]
        await harness.rates(client, contenders, 300, CONCURRENCY, 1)
        before = harness.cpu_seconds(pid)
        admin_rate, page10_rate, page100_rate = await harness.rates(
            client, contenders, REQUESTS, CONCURRENCY
        )
        busy = (harness.cpu_seconds(pid) - before) / (3 * REQUESTS)
    return harness.report(
        NAME,
        page10_rate / admin_rate,
        "pages of 10 per s ÷ GET /admin/stats req/s",
        "none, a capacity figure",
        f"pages of 10: {page10_rate:.0f}/s, pages of 100: {page100_rate:.0f}/s, "
        f"/admin/stats {admin_rate:.0f} req/s, {REQUESTS} each, concurrency {CONCURRENCY}, "
        f"{busy * 1e3:.2f} ms emulator CPU per request on average",
    )


async def _measure_at_size(emulator: str, token: str, brand: str, user: str, pid: int) -> str:
    async with harness.client(CONCURRENCY) as client:
        grow_permissions = await _grow(client, emulator, brandId=brand, permissions=PERMISSIONS)
        grow_invites = await _grow(client, emulator, userId=user, invites=INVITES)
        first = _page(client, emulator, token, brand, 100)
        cursor = await _cursor(client, first, DEEP)
        deep = _page(client, emulator, token, brand, 100, after=cursor)
        contenders = [harness.always(first), harness.always(deep)]
        await harness.load(client, contenders[1], 300, CONCURRENCY)
        cpu, seconds = [0.0, 0.0], [0.0, 0.0]
        for _ in range(3):
            for index, make in enumerate(contenders):
                before = harness.cpu_seconds(pid)
                seconds[index] += await harness.load(client, make, REQUESTS // 3, CONCURRENCY)
                cpu[index] += harness.cpu_seconds(pid) - before
    per_page = [spent / (REQUESTS // 3 * 3) for spent in cpu]
    rates = [REQUESTS // 3 * 3 / spent for spent in seconds]
    return harness.report(
        AT_SIZE,
        per_page[1] / per_page[0],
        f"emulator CPU per page of 100 at item {DEEP:,} ÷ at item 0, {PERMISSIONS:,} permissions",
        "≈ 1.0",
        f"{per_page[0] * 1e3:.2f} vs {per_page[1] * 1e3:.2f} ms CPU, "
        f"{rates[0]:.0f} vs {rates[1]:.0f} pages/s; POST /admin/grow to {PERMISSIONS:,} "
        f"permissions {grow_permissions:.2f} s, to {INVITES:,} invites {grow_invites:.2f} s",
    )


def _page(
    client: httpx.AsyncClient,
    emulator: str,
    token: str,
    brand: str,
    limit: int,
    *,
    after: str | None = None,
) -> httpx.Request:
    params = {"fields": PERMISSION_FIELDS, "limit": str(limit)}
    return client.build_request(
        "GET",
        f"{emulator}/v23.0/{brand}/branded_content_ad_permissions",
        params={**params, "after": after} if after else params,
        headers={"Authorization": f"Bearer {token}"},
    )


async def _grow(client: httpx.AsyncClient, emulator: str, **body: str | int) -> float:
    """Seconds `POST /admin/grow` takes, as its caller sees them."""
    began = time.perf_counter()
    response = await client.post(f"{emulator}/admin/grow", json=body)
    response.raise_for_status()
    return time.perf_counter() - began


async def _cursor(client: httpx.AsyncClient, first: httpx.Request, position: int) -> str:
    """The cursor of the item before `position`, walked to in pages of 100 as Meta's SDK does."""
    cursor = ""
    for _ in range(position // 100):
        page = first.url.copy_set_param("after", cursor) if cursor else first.url
        response = await client.get(page, headers=first.headers)
        cursor = response.json()["paging"]["cursors"]["after"]
    return cursor


def main() -> None:
    """Print the emulator_pages line, then the emulator_pages_at_size line."""
    with harness.running("emulator") as emulator:
        emulator_state = harness.state(emulator)
        manager = harness.token_of(emulator_state, "brand_manager")
        creator = harness.token_of(emulator_state, "creator")
        pid = harness.pid_of("emulator")
        brand = manager["brandIds"][0]
        print(asyncio.run(_measure(emulator, manager["token"], brand, pid)), flush=True)
        at_size = _measure_at_size(emulator, manager["token"], brand, creator["userId"], pid)
        print(asyncio.run(at_size))


if __name__ == "__main__":
    main()
