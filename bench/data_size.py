"""What one operation costs at 300, 3,000 and 10,000 permissions: upstream requests and CPU.

The emulator grows a brand to each size (`/admin/grow`) and a creator to 2,000 pending
invites; the API runs with its caches off, so that every operation goes upstream. Each
operation is timed on its own, on permissions near the end of the list (the newest, where
a scan would cost most), the sizes in turns: upstream HTTP requests from the emulator's
`/admin/stats`, and CPU of the server's thread from `/proc/<pid>/schedstat` (nanoseconds,
not clock ticks). The runs stay under the emulator's hourly app usage (5,000 calls), below
the 90% from which the API spaces its calls out.
"""

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench import harness

NAME = "data_size"
SIZES = (300, 3_000, 10_000)
INVITES = 2_000
RUNS = 20
WARM = 2
BULK = 25
EDGE = "branded_content_ad_permissions"
FIELDS = "id,creator_id,creator_username,permission_status"
NODE = "query($id: ID!) { node(id: $id) { ... on Permission { graphId status } } }"
BY_USERNAME = """query($brand: ID!, $username: String) { brand(igId: $brand) {
  permissions(creatorUsername: $username) { nodes { id graphId status } } } }"""


def _cpu_ns(pid: int) -> int:
    """CPU time of a process's main thread, in nanoseconds (the server runs on that thread)."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])


@dataclass
class _Cost:
    """Upstream requests and server CPU summed over the runs of one operation."""

    upstream: int = 0
    cpu_ns: int = 0
    runs: int = 0

    def row(self) -> str:
        return f"{self.upstream / self.runs:g} req, {self.cpu_ns / self.runs / 1e3:.0f} µs"


class _Bench:
    def __init__(self, client: httpx.AsyncClient, emulator: str, api: str, pid: int) -> None:
        self.client, self.emulator, self.api, self.pid = client, emulator, api, pid
        self.token = ""

    async def graphql(self, document: str, variables: dict[str, Any], token: str = "") -> Any:
        request = harness.graphql(self.client, self.api, token or self.token, document, variables)
        response = await self.client.send(request)
        harness.check(response)
        return response.json()["data"]

    async def timed(
        self, cost: _Cost, document: str, variables: dict[str, Any], token: str = ""
    ) -> None:
        (await self.client.post(f"{self.emulator}/admin/stats/reset")).raise_for_status()
        began = _cpu_ns(self.pid)
        await self.graphql(document, variables, token)
        cost.cpu_ns += _cpu_ns(self.pid) - began
        stats = (await self.client.get(f"{self.emulator}/admin/stats")).json()
        cost.upstream += stats["total"]
        cost.runs += 1

    async def listing(self, brand: str) -> list[dict[str, str]]:
        items: list[dict[str, str]] = []
        params = {"access_token": self.token, "limit": "100", "fields": FIELDS}
        while True:
            url = f"{self.emulator}/v23.0/{brand}/{EDGE}"
            body = (await self.client.get(url, params=params)).json()
            items += body["data"]
            if "next" not in body.get("paging", {}):
                return items
            params["after"] = body["paging"]["cursors"]["after"]


@dataclass
class _Brand:
    """A grown brand, its APPROVED permissions near the end of its list, and what each costs."""

    igid: str
    approved: list[dict[str, str]]
    newest: list[dict[str, str]]
    costs: dict[str, _Cost]

    async def run(self, bench: _Bench, index: int, *, measured: bool) -> None:
        """One run of every operation on the index-th APPROVED permission from the end."""
        item = self.approved[-1 - index]
        ask, revoke = harness.document("RequestPermission"), harness.document("RevokePermission")
        by_id = {"input": {"brandId": self.igid, "creatorIgId": item["creator_id"]}}
        by_name = {"input": {"brandId": self.igid, "creatorUsername": item["creator_username"]}}
        username = {"brand": self.igid, "username": item["creator_username"]}
        found = await bench.graphql(BY_USERNAME, username)
        node = {"id": found["brand"]["permissions"]["nodes"][0]["id"]}
        many = [{"igId": each["creator_id"]} for each in self.newest]
        steps: list[tuple[str, dict[str, Any]]] = [
            (ask, by_id),
            (ask, by_name),
            (revoke, by_id),
            (NODE, node),
            (BY_USERNAME, username),
            (
                harness.document("RequestPermissions"),
                {"input": {"brandId": self.igid, "creators": many}},
            ),
        ]
        for name, (document, variables) in zip(OPERATIONS, steps, strict=True):
            cost = self.costs[name] if measured else _Cost()
            await bench.timed(cost, document, variables)
        await bench.graphql(ask, by_id)  # revoked above: back to PENDING for the next run


async def _grown(bench: _Bench, brand: str, size: int) -> _Brand:
    grow = {"brandId": brand, "permissions": size}
    (await bench.client.post(f"{bench.emulator}/admin/grow", json=grow)).raise_for_status()
    listed = await bench.listing(brand)
    approved = [item for item in listed[-1_000:] if item["permission_status"] == "APPROVED"]
    return _Brand(brand, approved, listed[-BULK:], {name: _Cost() for name in OPERATIONS})


OPERATIONS = (
    "requestPermission (by ID)",
    "requestPermission (by username)",
    "revokePermission",
    "node(id:) of a permission",
    "permissions(creatorUsername:)",
    f"requestPermissions ({BULK} creators)",
)


async def _invites(bench: _Bench, creator: str, token: str) -> dict[str, _Cost]:
    costs = {"acceptInvite": _Cost(), "declineInvite": _Cost()}
    for index in range(10):
        for name, operation in (
            ("acceptInvite", "AcceptInvite"),
            ("declineInvite", "DeclineInvite"),
        ):
            made = await bench.client.post(
                f"{bench.emulator}/admin/invites",
                json={
                    "userId": creator,
                    "mediaOwnerUsername": "bench.owner",
                    "caption": str(index),
                },
            )
            answer = {"input": {"creatorId": creator, "mediaId": made.json()["mediaId"]}}
            await bench.timed(costs[name], harness.document(operation), answer, token)
    return costs


async def _measure(emulator: str, api: str, pid: int) -> list[str]:
    state = harness.state(emulator)
    manager = max(
        (t for t in state["tokens"] if t["role"] == "brand_manager"),
        key=lambda token: len(token["brandIds"]),
    )
    invitee = harness.token_of(state, "creator")
    async with harness.client(1) as client:
        bench = _Bench(client, emulator, api, pid)
        bench.token = manager["token"]
        grown = [
            await _grown(bench, brand, size)
            for brand, size in zip(manager["brandIds"], SIZES, strict=False)
        ]
        for index in range(WARM + RUNS):  # in turns, so all sizes see the same moments of noise
            for brand in grown:
                await brand.run(bench, index, measured=index >= WARM)
        by_size = {size: brand.costs for size, brand in zip(SIZES, grown, strict=True)}
        (await client.post(f"{emulator}/admin/reset")).raise_for_status()
        grow = {"userId": invitee["userId"], "invites": INVITES}
        (await client.post(f"{emulator}/admin/grow", json=grow)).raise_for_status()
        invites = await _invites(bench, invitee["userId"], invitee["token"])
    worst = max(
        by_size[SIZES[-1]][name].cpu_ns / by_size[SIZES[0]][name].cpu_ns for name in OPERATIONS
    )
    same = all(
        len({by_size[size][name].upstream / by_size[size][name].runs for size in SIZES}) == 1
        for name in OPERATIONS
    )
    lines = [
        harness.report(
            NAME,
            worst,
            "server CPU per request at 10,000 permissions ÷ at 300, the worst operation",
            "≤ 1.1, and the same upstream requests at every size",
            f"upstream requests the same at every size: {'yes' if same else 'NO'}; "
            f"{RUNS} runs of each operation, caches off",
        ),
        "| operation | " + " | ".join(f"{size:,} permissions" for size in SIZES) + " |",
        "| --- |" + " --- |" * len(SIZES),
    ]
    for name in OPERATIONS:
        cells = " | ".join(by_size[size][name].row() for size in SIZES)
        lines.append(f"| `{name}` | {cells} |")
    for name, cost in invites.items():
        lines.append(f"| `{name}` ({INVITES:,} pending invites) | {cost.row()} | | |")
    return lines


def main() -> None:
    """Print the data_size line and its table."""
    with (
        harness.running("emulator") as emulator,
        harness.running("serve", "--graph-url", emulator, "--cache-ttl", "0") as api,
    ):
        pid = harness.pid_of("serve")
        print("\n".join(asyncio.run(_measure(emulator, api, pid))), flush=True)


if __name__ == "__main__":
    main()
