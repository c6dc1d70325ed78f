"""Upstream requests of a dashboard-like mix from 50 clients and 5 tokens ÷ the distinct pages."""

import asyncio
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench import harness

NAME = "dashboard_mix"
REQUESTS = 2_000
CLIENTS = 50
TTL = "600"


@dataclass(frozen=True)
class View:
    """One dashboard view: a query, and whether the dashboard then opens the next page."""

    token: str
    operation: str
    variables: Mapping[str, Any]
    next_page: bool = False
    path: tuple[str, ...] = field(default=())


def views_of(emulator_state: Mapping[str, Any]) -> list[View]:
    views = []
    for index in range(2):
        manager = harness.token_of(emulator_state, "brand_manager", index)
        path = ("brand", "permissions")
        for brand in manager["brandIds"][:3]:
            views += [
                View(manager["token"], "BrandPermissions", {"brandId": brand}, True, path),
                View(manager["token"], "BrandPermissions", {"brandId": brand, "first": 20}),
                View(
                    manager["token"], "BrandPermissions", {"brandId": brand, "status": "APPROVED"}
                ),
                View(manager["token"], "BrandPermissions", {"brandId": brand, "status": "PENDING"}),
            ]
    for index in range(3):
        creator = harness.token_of(emulator_state, "creator", index)
        path = ("creator", "invites")
        views += [
            View(creator["token"], "CreatorInvites", {"creatorId": creator["userId"]}, True, path),
            View(creator["token"], "CreatorInvites", {"creatorId": creator["userId"], "first": 20}),
        ]
    return views


async def _open(client: httpx.AsyncClient, api: str, view: View) -> int:
    """Show a view (and its next page when it has one); GraphQL requests sent."""
    query = harness.document(view.operation)
    response = await client.send(harness.graphql(client, api, view.token, query, view.variables))
    harness.check(response)
    if not view.next_page:
        return 1
    connection = response.json()["data"]
    for name in view.path:
        connection = connection[name]
    after = {**view.variables, "after": connection["pageInfo"]["endCursor"]}
    harness.check(await client.send(harness.graphql(client, api, view.token, query, after)))
    return 2


async def _sequential(api: str, views: list[View]) -> int:
    async with harness.client(1) as client:
        return sum([await _open(client, api, view) for view in views])


async def mix(apis: list[str], views: list[View]) -> int:
    """Open views from CLIENTS concurrent dashboards, spread over apis, until REQUESTS are sent."""
    counter = itertools.count()
    sent = 0

    async def dashboard() -> None:
        nonlocal sent
        while sent < REQUESTS:
            turn = next(counter)
            # Not `sent += await …`: that reads `sent` before awaiting and loses others' counts.
            opened = await _open(client, apis[turn % len(apis)], views[turn % len(views)])
            sent += opened

    async with harness.client(CLIENTS) as client:
        await asyncio.gather(*(dashboard() for _ in range(CLIENTS)))
    return sent


def main() -> None:
    """Print the dashboard_mix line."""
    with harness.running("emulator") as emulator:
        views = views_of(harness.state(emulator))
        serve = ("serve", "--graph-url", emulator, "--cache-ttl", TTL)
        # Baseline: each distinct request once, in sequence, on a fresh cache: every page it
        # needs read once, so its upstream count is the number of distinct (token, page) reads.
        with harness.running(*serve) as api:
            harness.reset_stats(emulator)
            distinct_requests = asyncio.run(_sequential(api, views))
            pages = harness.upstream_total(emulator)
        with harness.running(*serve) as api:
            harness.reset_stats(emulator)
            sent = asyncio.run(mix([api], views))
            upstream = harness.upstream_total(emulator)
    print(
        harness.report(
            NAME,
            upstream / pages,
            "upstream requests ÷ distinct (token, page) reads, one TTL",
            "1.0",
            f"{upstream * 1000 / sent:.1f} upstream requests per 1,000 GraphQL requests; "
            f"{upstream} upstream for {sent} GraphQL requests from {CLIENTS} clients, 5 tokens; "
            f"{pages} distinct pages (upstream of the {distinct_requests} distinct requests "
            "sent once each in sequence)",
        )
    )


if __name__ == "__main__":
    main()
