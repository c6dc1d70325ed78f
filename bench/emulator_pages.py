"""Graph pages/s one emulator process serves ÷ its cheapest route's req/s, same client and load."""

import asyncio

from bench import harness
from partnergraph.resolvers.records import PERMISSION_FIELDS

NAME = "emulator_pages"
REQUESTS = 2_100
CONCURRENCY = 8


async def _measure(emulator: str, token: str, brand: str, pid: int) -> str:
    async with harness.client(CONCURRENCY) as client:
        admin = client.build_request("GET", f"{emulator}/admin/stats")
        pages = [
            client.build_request(
                "GET",
                f"{emulator}/v23.0/{brand}/branded_content_ad_permissions",
                params={"fields": PERMISSION_FIELDS, "limit": str(limit)},
                headers={"Authorization": f"Bearer {token}"},
            )
            for limit in (10, 100)
        ]
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


def main() -> None:
    """Print the emulator_pages line."""
    with harness.running("emulator") as emulator:
        manager = harness.token_of(harness.state(emulator), "brand_manager")
        pid = harness.pid_of("emulator")
        print(asyncio.run(_measure(emulator, manager["token"], manager["brandIds"][0], pid)))


if __name__ == "__main__":
    main()
