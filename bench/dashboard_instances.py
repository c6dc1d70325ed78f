"""Upstream requests of the dashboard mix over two instances on one Redis ÷ over one instance."""

import asyncio

from bench import harness
from bench.dashboard_mix import CLIENTS, TTL, mix, views_of

NAME = "dashboard_instances"


def main() -> None:
    """Print the dashboard_instances line."""
    with harness.running("emulator") as emulator, harness.redis_server() as redis:
        views = views_of(harness.state(emulator))
        serve = ("serve", "--graph-url", emulator, "--cache-ttl", TTL)
        with harness.running(*serve) as api:
            harness.reset_stats(emulator)
            sent_one = asyncio.run(mix([api], views))
            one = harness.upstream_total(emulator)
        shared = (*serve, "--redis-url", redis)
        with harness.running(*shared) as first, harness.running(*shared) as second:
            harness.reset_stats(emulator)
            sent_two = asyncio.run(mix([first, second], views))
            two = harness.upstream_total(emulator)
    print(
        harness.report(
            NAME,
            two / one,
            "upstream requests over two instances on one Redis ÷ over one instance",
            "1.0",
            f"{two} upstream for {sent_two} GraphQL requests spread over two instances, "
            f"{one} for {sent_one} through one; {CLIENTS} clients, 5 tokens",
        )
    )


if __name__ == "__main__":
    main()
