"""A soak: a bounded mixed load of reads and writes, every write then checked against the emulator.

Prints requests answered, errors by code, p50/p99 latency and server RSS at the
start and end; fails if a write is missing from the emulator or made twice.
"""

import asyncio
import collections
import itertools
import statistics
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from bench import harness

NAME = "soak"
REQUESTS = 6_000
CONCURRENCY = 16
INVITES_PER_CREATOR = 20
_WRITES = frozenset({"RequestPermission", "AcceptInvite", "DeclineInvite"})


@dataclass(frozen=True)
class Call:
    """One GraphQL request of the plan: who sends what."""

    token: str
    operation: str
    variables: Mapping[str, Any]


def _plan(state: Mapping[str, Any], invites: Mapping[str, list[str]]) -> list[Call]:
    agency = harness.token_of(state, "brand_manager")
    big = max(state["brands"], key=lambda brand: brand["permissionCount"])["id"]
    creators = [t for t in state["tokens"] if t["role"] == "creator" and t["userId"] in invites]
    reads = [
        Call(agency["token"], "BrandPermissions", {"brandId": brand, "first": 10})
        for brand in agency["brandIds"][:20]
    ]
    reads += [Call(agency["token"], "Viewer", {"first": 20})]
    reads += [
        Call(creator["token"], "CreatorInvites", {"creatorId": creator["userId"]})
        for creator in creators
    ]
    writes = [
        Call(
            agency["token"],
            "RequestPermission",
            {"input": {"brandId": big, "creatorUsername": creator["username"]}},
        )
        for creator in state["creators"][-60:]
    ]
    for creator in creators:
        for index, media in enumerate(invites[creator["userId"]]):
            operation = "AcceptInvite" if index % 2 else "DeclineInvite"
            variables = {"input": {"creatorId": creator["userId"], "mediaId": media}}
            writes.append(Call(creator["token"], operation, variables))
    every = REQUESTS // len(writes)
    cycle = itertools.cycle(reads)
    plan = []
    for number in range(REQUESTS):
        is_write = number % every == every // 2 and number // every < len(writes)
        plan.append(writes[number // every] if is_write else next(cycle))
    return plan


def _pending_invites(emulator: str, state: Mapping[str, Any]) -> dict[str, list[str]]:
    """Media IDs of the first INVITES_PER_CREATOR pending invites of each creator with a token."""
    found = {}
    for token in state["tokens"]:
        if token["role"] != "creator":
            continue
        answer = httpx.get(
            f"{emulator}/v23.0/{token['userId']}/collaboration_invites",
            params={"access_token": token["token"], "limit": INVITES_PER_CREATOR},
        ).json()
        media = [item["media_id"] for item in answer.get("data", [])]
        if media:
            found[token["userId"]] = media
    return found


async def _run(api: str, plan: list[Call]) -> tuple[collections.Counter[str], list[float]]:
    codes: collections.Counter[str] = collections.Counter()
    latencies: list[float] = []
    turns = iter(plan)

    async def worker(client: httpx.AsyncClient) -> None:
        for call in turns:
            request = harness.graphql(
                client, api, call.token, harness.document(call.operation), call.variables
            )
            began = time.perf_counter()
            response = await client.send(request)
            latencies.append(time.perf_counter() - began)
            codes.update(_codes(response))

    async with harness.client(CONCURRENCY) as client:
        await asyncio.gather(*(worker(client) for _ in range(CONCURRENCY)))
    return codes, latencies


def _codes(response: httpx.Response) -> list[str]:
    if response.status_code != 200:
        return [f"HTTP {response.status_code}"]
    body = response.json()
    errors = [error.get("extensions", {}).get("code", "?") for error in body.get("errors", [])]
    for payload in (body.get("data") or {}).values():
        if isinstance(payload, dict):
            errors += [f"userErrors:{e['code']}" for e in payload.get("userErrors") or []]
    return errors


def _check_writes(
    emulator: str, before: Mapping[str, Any], invites: Mapping[str, list[str]]
) -> str:
    """Each write reflected exactly once in the emulator, or RuntimeError."""
    after = harness.state(emulator)
    big = max(before["brands"], key=lambda brand: brand["permissionCount"])
    requested = {creator["username"] for creator in before["creators"][-60:]}
    agency = harness.token_of(before, "brand_manager")
    usernames: collections.Counter[str] = collections.Counter()
    url = f"{emulator}/v23.0/{big['id']}/branded_content_ad_permissions"
    params = {"access_token": agency["token"], "limit": "100", "fields": "creator_username"}
    while True:
        answer = httpx.get(url, params=params).json()
        usernames.update(item["creator_username"] for item in answer["data"])
        if "next" not in answer.get("paging", {}):
            break
        params["after"] = answer["paging"]["cursors"]["after"]
    twice = [name for name in requested if usernames[name] != 1]
    if twice:
        raise RuntimeError(f"permissions not reflected exactly once: {twice[:5]}")
    answered = 0
    pending_before = {c["id"]: c["pendingInviteCount"] for c in before["creators"]}
    for creator in after["creators"]:
        if creator["id"] in invites:
            gone = pending_before[creator["id"]] - creator["pendingInviteCount"]
            if gone != len(invites[creator["id"]]):
                raise RuntimeError(
                    f"creator {creator['id']}: {gone} invites answered, not "
                    f"{len(invites[creator['id']])}"
                )
            answered += gone
    return f"{len(requested)} permissions and {answered} invite answers each reflected once"


def main() -> None:
    """Print the soak line."""
    with harness.running("emulator") as emulator:
        state = harness.state(emulator)
        invites = _pending_invites(emulator, state)
        plan = _plan(state, invites)
        with harness.running("serve", "--graph-url", emulator) as api:
            pid = harness.pid_of("serve")
            rss_start = harness.rss_mib(pid)
            began = time.perf_counter()
            codes, latencies = asyncio.run(_run(api, plan))
            seconds = time.perf_counter() - began
            rss_end = harness.rss_mib(pid)
        checked = _check_writes(emulator, state, invites)
    clean = len(plan) - sum(codes.values())
    written = sum(call.operation in _WRITES for call in plan)
    quantiles = statistics.quantiles(latencies, n=100)
    errors = ", ".join(f"{code} {count}" for code, count in codes.most_common()) or "none"
    print(
        harness.report(
            NAME,
            clean / len(plan),
            "requests answered without an error ÷ requests sent",
            "1.0",
            f"{len(plan)} requests ({written} writes) from {CONCURRENCY} clients in "
            f"{seconds:.0f} s; errors: {errors}; p50 {quantiles[49] * 1000:.1f} ms, p99 "
            f"{quantiles[98] * 1000:.1f} ms; RSS {rss_start:.0f} → {rss_end:.0f} MiB; {checked}",
        )
    )


if __name__ == "__main__":
    main()
