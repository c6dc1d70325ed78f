"""Redis growth ÷ the bytes the persisted-query registrations asked it to keep, under the attack
that filled Redis (issue 17, item 6): registrations of a 117 KiB comment and `{ __typename }`.

Before the fix each registration kept its whole text for a day: 1,811 anonymous ones took
Redis from 51 to 229 MB. Repeated here on one instance with Redis, as fast as 8 connections
go: the same 1,811 anonymous registrations, then 200 from one token (whose bound, 60 a minute,
refuses the rest). The baseline, measured in the same run, is what they sent to be kept.
Prints the requests sent, the answers by outcome, and Redis's used_memory before and after.
"""

import asyncio
import hashlib
import time
from collections import Counter

import httpx
from redis import Redis

from bench import harness

NAME = "persisted_registrations"
ANONYMOUS = 1_811
TOKENED = 200
CONCURRENCY = 8
COMMENT_BYTES = 117 * 1024


def _registration(number: int) -> dict[str, object]:
    document = f"#{number:08d}{'x' * COMMENT_BYTES}\n{{ __typename }}"
    sha256 = hashlib.sha256(document.encode()).hexdigest()
    return {
        "query": document,
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256}},
    }


async def _attack(api: str, token: str) -> tuple[Counter[str], float]:
    """Send every registration; the outcome of each (`ok` or its error code), and seconds."""
    outcomes: Counter[str] = Counter()
    numbers = iter(range(ANONYMOUS + TOKENED))
    began = time.perf_counter()

    async def worker(client: httpx.AsyncClient) -> None:
        for number in numbers:
            headers = {"Authorization": f"Bearer {token}"} if number >= ANONYMOUS else {}
            response = await client.post("/graphql", json=_registration(number), headers=headers)
            errors = response.json().get("errors")
            outcomes[errors[0]["extensions"]["code"] if errors else "ok"] += 1

    async with httpx.AsyncClient(base_url=api, timeout=60) as client:
        await asyncio.gather(*(worker(client) for _ in range(CONCURRENCY)))
    return outcomes, time.perf_counter() - began


def main() -> None:
    """Print the persisted_registrations line."""
    with harness.running("emulator") as emulator, harness.redis_server() as redis_url:
        token = harness.token_of(harness.state(emulator), "brand_manager")["token"]
        with (
            harness.running("serve", "--redis-url", redis_url, "--graph-url", emulator) as api,
            Redis.from_url(redis_url) as redis,
        ):
            before = int(redis.info("memory")["used_memory"])
            outcomes, seconds = asyncio.run(_attack(api, token))
            after = int(redis.info("memory")["used_memory"])
            documents = sum(1 for _ in redis.scan_iter("partnergraph:document:*"))
    asked = (ANONYMOUS + TOKENED) * (COMMENT_BYTES + len("{ __typename }"))
    mib = 1024 * 1024
    print(
        harness.report(
            NAME,
            (after - before) / asked,
            "Redis growth ÷ bytes the registrations sent to be kept",
            "≤ 0.01",
            f"{ANONYMOUS + TOKENED} requests ({ANONYMOUS} anonymous, {TOKENED} with one token) "
            f"in {seconds:.1f} s: {dict(sorted(outcomes.items()))}; {documents} documents "
            f"kept; Redis used_memory {before / mib:.1f} → {after / mib:.1f} MiB, "
            f"{asked / mib:.0f} MiB sent",
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
