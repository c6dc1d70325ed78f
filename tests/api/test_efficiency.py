"""Fewest upstream calls: single-flight, batches, per-document loading, caches, local budgets."""

import asyncio
import math
from typing import Any

import pytest

from tests.api.conftest import Api, ApiFactory, Demo, nodes

PAGE = "permissions(first: 2) { edges { node { graphId status } } }"


def _brands_document(brands: list[str]) -> str:
    fields = " ".join(
        f'b{i}: brand(igId: "{brand}") {{ ...Page }}' for i, brand in enumerate(brands)
    )
    return f"{{ {fields} }} fragment Page on Brand {{ {PAGE} }}"


async def _total(api: Api) -> int:
    total: int = (await api.upstream_calls())["total"]
    return total


async def _shared_brand(api: Api, demo: Demo) -> str:
    state = (await api.emulator.get("/admin/state")).json()
    scopes: dict[str, set[str]] = {t["token"]: set(t["brandIds"]) for t in state["tokens"]}
    return sorted(scopes[demo.agency] & scopes[demo.in_house])[0]


async def test_200_concurrent_identical_cold_reads_cost_one_call(api: Api, demo: Demo) -> None:
    await api.reset_stats()
    variables = {"brandId": demo.big_brand, "first": 20}
    answers = await asyncio.gather(*(api.op("BrandPermissions", variables) for _ in range(200)))
    assert all("errors" not in answer for answer in answers)
    assert len({str(answer["data"]) for answer in answers}) == 1
    assert await _total(api) == 1


async def test_a_brand_read_twice_in_a_document_costs_one_call(api: Api, demo: Demo) -> None:
    document = (
        f"query($id: ID!) {{ a: brand(igId: $id) {{ {PAGE} }} b: brand(igId: $id) {{ {PAGE} }} }}"
    )
    await api.reset_stats()
    body = await api.run(document, {"id": demo.big_brand})
    assert body["data"]["a"] == body["data"]["b"]
    assert await _total(api) == 1


@pytest.mark.parametrize("count", [20, 120])
async def test_many_brands_go_out_in_batches_of_50(api: Api, demo: Demo, count: int) -> None:
    state = (await api.emulator.get("/admin/state")).json()
    agency = next(t for t in state["tokens"] if t["token"] == demo.agency)
    brands = agency["brandIds"][:count]
    await api.reset_stats()
    body = await api.run(_brands_document(brands))
    assert "errors" not in body
    pages = [body["data"][f"b{i}"]["permissions"]["edges"] for i in range(count)]
    assert [len(page) for page in pages] == [
        min(2, demo.brand(brand)["permissionCount"]) for brand in brands
    ]
    assert sum(len(page) for page in pages) > count  # most brands have permissions
    stats = await api.upstream_calls()
    assert stats["total"] == math.ceil(count / 50)
    assert stats["byEdge"]["batch"]["POST"] == math.ceil(count / 50)
    assert stats["byEdge"]["branded_content_ad_permissions"]["GET"] == count


async def test_a_failed_batch_entry_fails_only_its_node(api: Api, demo: Demo) -> None:
    # `brand` and `permissions` are non-null: `nodes` is where a list of brands may hold a gap.
    ids = []
    for brand in (demo.big_brand, demo.out_of_scope_brand, demo.odd_brand):
        ids.append(
            (await api.run("query($b: ID!) { brand(igId: $b) { id } }", {"b": brand}))["data"][
                "brand"
            ]["id"]
        )
    document = f"query($ids: [ID!]!) {{ nodes(ids: $ids) {{ ... on Brand {{ {PAGE} }} }} }}"
    await api.reset_stats()
    body = await api.run(document, {"ids": ids})
    first, refused, third = body["data"]["nodes"]
    assert len(first["permissions"]["edges"]) == 2
    assert refused is None
    assert len(third["permissions"]["edges"]) == 2
    assert [e["path"] for e in body["errors"]] == [["nodes", 1, "permissions"]]
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await _total(api) == 1


async def test_a_repeat_within_the_ttl_costs_nothing(api: Api, demo: Demo) -> None:
    variables = {"brandId": demo.big_brand, "first": 7}
    first = await api.data("BrandPermissions", variables)
    await api.reset_stats()
    assert await api.data("BrandPermissions", variables) == first
    # Another document over the same upstream page is answered from the read cache.
    page_info = "permissions(first: 7) { pageInfo { hasNextPage } }"
    document = f"query($id: ID!) {{ brand(igId: $id) {{ {page_info} }} }}"
    assert "errors" not in await api.run(document, {"id": demo.big_brand})
    assert await _total(api) == 0


async def test_two_tokens_cost_one_call_each(api: Api, demo: Demo) -> None:
    brand = await _shared_brand(api, demo)
    await api.reset_stats()
    for token in (demo.agency, demo.in_house, demo.agency, demo.in_house):
        await api.data("BrandPermissions", {"brandId": brand}, token=token)
    assert await _total(api) == 2


async def test_without_a_ttl_every_read_goes_upstream(make_api: ApiFactory, demo: Demo) -> None:
    async with make_api(cache_ttl=0) as api:
        await api.reset_stats()
        for _ in range(3):
            await api.data("BrandPermissions", {"brandId": demo.big_brand})
        assert await _total(api) == 3


async def test_a_mutation_refreshes_cached_answers_of_every_token(api: Api, demo: Demo) -> None:
    brand = await _shared_brand(api, demo)
    variables = {"brandId": brand, "first": 100}
    before = await api.data("BrandPermissions", variables, token=demo.in_house)
    creator = demo.creator_without_big_brand_permission()["id"]
    known = {n["creator"]["igId"] for n in nodes(before["brand"]["permissions"])}
    assert creator not in known

    payload = await api.data(
        "RequestPermission", {"input": {"brandId": brand, "creatorIgId": creator}}
    )
    assert payload["requestPermission"]["userErrors"] == []
    after = await api.data("BrandPermissions", variables, token=demo.in_house)
    assert creator in {n["creator"]["igId"] for n in nodes(after["brand"]["permissions"])}


async def test_the_301st_invite_read_of_the_day_is_refused_locally(
    make_api: ApiFactory, demo: Demo
) -> None:
    async with make_api(cache_ttl=0) as api:
        variables = {"creatorId": demo.creator_id, "first": 1}
        for _ in range(300):
            await api.data("CreatorInvites", variables, token=demo.creator_token)
        await api.reset_stats()
        body = await api.op("CreatorInvites", variables, token=demo.creator_token)
        assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert body["errors"][0]["extensions"]["retryAfter"] > 0
        assert await _total(api) == 0
        budget = (await api.data("RateLimit", token=demo.creator_token))["rateLimit"]
        assert budget["invitesRead"] == {
            "igUserId": demo.creator_id,
            "limit": 300,
            "used": 300,
            "remaining": 0,
            "resetsInSeconds": budget["invitesRead"]["resetsInSeconds"],
        }


async def test_rate_limit_is_live_and_reports_usage_headers(api: Api, demo: Demo) -> None:
    token = demo.creator_token
    invites = {"creatorId": demo.creator_id, "first": 1}
    await api.data("CreatorInvites", invites, token=token)
    first: dict[str, Any] = (await api.data("RateLimit", token=token))["rateLimit"]
    assert first["appCallCount"] is not None
    assert first["businessUseCase"][0]["businessId"] == demo.creator_id
    assert first["invitesRead"]["used"] == 1
    await api.data("CreatorInvites", {**invites, "first": 2}, token=token)
    await api.reset_stats()
    second = (await api.data("RateLimit", token=token))["rateLimit"]
    assert second["invitesRead"]["used"] == 2
    assert await _total(api) == 0


async def test_an_identical_mutation_is_never_answered_from_the_cache(api: Api, demo: Demo) -> None:
    creator = demo.creator_without_big_brand_permission()["id"]
    variables = {"input": {"brandId": demo.big_brand, "creatorIgId": creator}}
    await api.reset_stats()
    answers = [await api.data("RequestPermission", variables) for _ in range(2)]
    assert answers[0] == answers[1]
    stats = await api.upstream_calls()
    assert stats["byEdge"]["branded_content_ad_permissions"]["POST"] == 2


async def test_calls_the_graph_api_turns_away_use_up_no_budget(
    make_api: ApiFactory, demo: Demo
) -> None:
    async with make_api(cache_ttl=0) as api:
        invites = {"creatorId": demo.creator_id, "first": 1}
        answer = {"input": {"creatorId": demo.creator_id, "mediaId": "17999999999999999"}}
        for _ in range(3):
            read = await api.op("CreatorInvites", invites, token="not-a-token")
            assert read["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
            write = await api.op("AcceptInvite", answer, token="not-a-token")
            assert write["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        await api.data("CreatorInvites", invites, token=demo.creator_token)
        budget = (await api.data("RateLimit", token=demo.creator_token))["rateLimit"]
        assert budget["invitesRead"]["used"] == 1
        assert budget["invitesWrite"]["used"] == 0
        stranger = (await api.data("RateLimit", token="not-a-token"))["rateLimit"]
        assert stranger["invitesRead"] is None  # the creator's use is not shown to a stranger


async def test_a_write_the_graph_api_turns_away_keeps_cached_reads(api: Api, demo: Demo) -> None:
    variables = {"brandId": demo.big_brand, "first": 2}
    await api.data("BrandPermissions", variables)
    creator = demo.creator_without_big_brand_permission()["id"]
    refused = await api.op(
        "RequestPermission",
        {"input": {"brandId": demo.big_brand, "creatorIgId": creator}},
        token=demo.expired,
    )
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    await api.reset_stats()
    await api.data("BrandPermissions", variables)
    assert await _total(api) == 0


async def test_one_bad_id_in_nodes_is_an_error_at_its_index(api: Api, demo: Demo) -> None:
    brand = await api.run("query($b: ID!) { brand(igId: $b) { id } }", {"b": demo.big_brand})
    good = brand["data"]["brand"]["id"]
    body = await api.run(
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": [good, "garbage", good]}
    )
    assert body["data"]["nodes"] == [{"id": good}, None, {"id": good}]
    assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [
        (["nodes", 1], "BAD_USER_INPUT")
    ]


async def test_nodes_takes_at_most_100_ids(api: Api) -> None:
    body = await api.run("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ["1"] * 101})
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    literal = ", ".join(['"1"'] * 151)
    body = await api.run(f"{{ nodes(ids: [{literal}]) {{ id }} }}")
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


async def test_a_connections_nodes_cost_no_more_than_its_edges(api: Api, demo: Demo) -> None:
    pages = (
        "a: permissions(first: 100) { nodes { id } } b: permissions(first: 100) { nodes { id } }"
    )
    body = await api.run(
        f"query($b: ID!) {{ brand(igId: $b) {{ {pages} }} }}", {"b": demo.big_brand}
    )
    assert "errors" not in body
    assert len(body["data"]["brand"]["a"]["nodes"]) == 100


async def test_nodes_cost_is_counted_with_the_ids_it_gets(api: Api, demo: Demo) -> None:
    brand = await api.run("query($b: ID!) { brand(igId: $b) { id } }", {"b": demo.big_brand})
    good = brand["data"]["brand"]["id"]
    two = "query($a: [ID!]!, $b: [ID!]!) { a: nodes(ids: $a) { id } b: nodes(ids: $b) { id } }"
    assert "errors" not in await api.run(two, {"a": [good], "b": [good]})
    nested = (
        "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Brand { permissions(first: 100) "
        "{ nodes { creator { invites(first: 1) { nodes { mediaId } } } } } } } }"
    )
    await api.reset_stats()
    body = await api.run(nested, {"ids": [good] * 40})
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert await _total(api) == 0


async def test_the_cost_is_in_the_answer_when_the_client_asks(api: Api, demo: Demo) -> None:
    brand = await api.run("query($b: ID!) { brand(igId: $b) { id } }", {"b": demo.big_brand})
    document = (
        "query($ids: [ID!]!, $n: Int) { nodes(ids: $ids) "
        "{ ... on Brand { permissions(first: $n) { nodes { id } } } } }"
    )
    request = {"query": document, "variables": {"ids": [brand["data"]["brand"]["id"]] * 3}}
    headers = {"Authorization": f"Bearer {demo.agency}"}
    for _ in range(2):  # the second answers come from the answer cache
        plain = (await api.http.post("/graphql", json=request, headers=headers)).json()
        asked = {**request, "extensions": {"cost": True}}
        costed = (await api.http.post("/graphql", json=asked, headers=headers)).json()
        assert "extensions" not in plain
        assert costed["data"] == plain["data"]
        # three reads by ID, and under each a permissions page (of 10: no `first` given)
        assert costed["extensions"] == {
            "cost": {"pageReads": 6, "limit": 150, "nodes": 3 + 3 * 10, "nodeLimit": 10_100}
        }
