"""A token revoked upstream is served from the caches for one TTL at most: an answer expires
no later than the oldest upstream read it was built from."""

from partnergraph.server.settings import Settings
from tests.api.conftest import ApiFactory, Demo
from tests.state.conftest import FakeClock

TTL = Settings().cache_ttl  # the default
COUNT = "query($b: ID!) { brand(igId: $b) { permissions(first: 2) { totalCount } } }"
NODES = "query($b: ID!) { brand(igId: $b) { permissions(first: 2) { nodes { graphId } } } }"


async def test_an_answer_built_late_from_an_early_read_expires_with_that_read(
    make_api: ApiFactory, demo: Demo
) -> None:
    clock = FakeClock()
    brand = next(t for t in demo.state["tokens"] if t["token"] == demo.in_house)["brandIds"][0]
    async with make_api(state_clock=clock) as api:
        api.token = demo.in_house
        assert "errors" not in await api.run(COUNT, {"b": brand})  # the page, read now
        clock.advance(TTL * 0.9)
        await api.reset_stats()
        late = await api.run(NODES, {"b": brand})  # another answer, from the same page
        assert "errors" not in late
        assert (await api.upstream_calls())["total"] == 0
        revoked = await api.emulator.post("/admin/tokens/revoke", json={"token": demo.in_house})
        assert revoked.status_code == 200
        clock.advance(TTL * 0.09)
        assert await api.run(NODES, {"b": brand}) == late  # within one TTL of the read
        clock.advance(TTL * 0.02)  # one TTL after the read: the late answer went with it
        refused = await api.run(NODES, {"b": brand})
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert refused["errors"][0]["extensions"]["graph"]["subcode"] == 460
