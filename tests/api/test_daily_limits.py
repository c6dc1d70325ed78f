"""The Graph API's word on a user's daily limit wins over the local count: its 80002 closes
the user's window until the Graph API says access returns."""

from tests.api.conftest import ApiFactory, Demo
from tests.state.conftest import FakeClock

INVITES = "query($id: ID!) { creator(igId: $id) { invites(first: 1) { edges { cursor } } } }"


async def test_an_80002_closes_the_users_invite_reads_until_its_reset(
    make_api: ApiFactory, demo: Demo
) -> None:
    clock = FakeClock()
    async with make_api(state_clock=clock, cache_ttl=0) as api:
        api.token = demo.creator_token
        assert "errors" not in await api.run(INVITES, {"id": demo.creator_id})
        await api.fault(errorCode=80002, status=400, count=1, edge="collaboration_invites")
        upstream = (await api.run(INVITES, {"id": demo.creator_id}))["errors"][0]
        assert upstream["extensions"]["graph"]["code"] == 80002
        retry_after = upstream["extensions"]["retryAfter"]
        await api.reset_stats()
        clock.advance(retry_after - 1)
        local = (await api.run(INVITES, {"id": demo.creator_id}))["errors"][0]
        assert local["extensions"]["code"] == "RATE_LIMITED"
        assert "graph" not in local["extensions"]  # refused here: nothing went upstream
        assert local["extensions"]["retryAfter"] == 1
        assert (await api.upstream_calls())["total"] == 0
        clock.advance(1)
        again = await api.run(INVITES, {"id": demo.creator_id})
    assert "errors" not in again
