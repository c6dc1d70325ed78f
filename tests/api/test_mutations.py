"""Mutations: each one's effect, read-after-write through the cache, and coded user errors."""

from typing import Any

import pytest

from tests.api.conftest import Api, ApiFactory, Demo, nodes


async def _permission_of(api: Api, brand: str, creator: str) -> dict[str, Any] | None:
    """The brand's permission with a creator, found by walking the list through the API."""
    after = None
    while True:
        data = await api.data("BrandPermissions", {"brandId": brand, "first": 100, "after": after})
        connection = data["brand"]["permissions"]
        for edge in connection["edges"]:
            if edge["node"]["creator"]["igId"] == creator:
                node: dict[str, Any] = edge["node"]
                return node
        if not connection["pageInfo"]["hasNextPage"]:
            return None
        after = connection["pageInfo"]["endCursor"]


async def test_request_by_id_is_listed_pending_right_after(api: Api, demo: Demo) -> None:
    creator = demo.creator_without_big_brand_permission()["id"]
    assert await _permission_of(api, demo.big_brand, creator) is None  # cached now

    data = await api.data(
        "RequestPermission",
        {"input": {"brandId": demo.big_brand, "creatorIgId": creator, "clientMutationId": "m1"}},
    )
    payload = data["requestPermission"]
    assert payload["userErrors"] == []
    assert payload["clientMutationId"] == "m1"
    assert payload["permission"]["status"] == "PENDING"
    assert payload["permission"]["creator"]["igId"] == creator
    listed = await _permission_of(api, demo.big_brand, creator)
    assert listed is not None
    assert listed["graphId"] == payload["permission"]["graphId"]
    assert listed["status"] == "PENDING"


async def test_request_by_username_and_repeat_returns_the_same_permission(
    api: Api, demo: Demo
) -> None:
    creator = demo.creator_without_big_brand_permission()
    by_name = {"brandId": demo.big_brand, "creatorUsername": "@" + creator["username"].upper()}
    first = (await api.data("RequestPermission", {"input": by_name}))["requestPermission"]
    assert first["userErrors"] == []
    assert first["permission"]["creator"]["igId"] == creator["id"]
    by_id = {"brandId": demo.big_brand, "creatorIgId": creator["id"]}
    again = (await api.data("RequestPermission", {"input": by_id}))["requestPermission"]
    assert again["permission"]["graphId"] == first["permission"]["graphId"]


async def test_revoke_shows_revoked_right_after(api: Api, demo: Demo) -> None:
    approved = (
        await api.data("BrandPermissions", {"brandId": demo.big_brand, "status": "APPROVED"})
    )["brand"]["permissions"]["edges"][0]["node"]
    creator = approved["creator"]["igId"]
    brand_gid = (await api.data("BrandPermissions", {"brandId": demo.big_brand, "first": 1}))[
        "brand"
    ]["id"]

    data = await api.data(
        "RevokePermission", {"input": {"brandId": brand_gid, "creatorIgId": creator}}
    )
    payload = data["revokePermission"]
    assert payload["userErrors"] == []
    assert payload["permission"] == {
        "id": approved["id"],
        "graphId": approved["graphId"],
        "status": "REVOKED",
    }
    listed = await _permission_of(api, demo.big_brand, creator)
    assert listed is not None
    assert listed["status"] == "REVOKED"


async def test_revoking_nothing_is_a_user_error(api: Api, demo: Demo) -> None:
    creator = demo.creator_without_big_brand_permission()["id"]
    data = await api.data(
        "RevokePermission", {"input": {"brandId": demo.big_brand, "creatorIgId": creator}}
    )
    payload = data["revokePermission"]
    assert payload["permission"] is None
    assert [e["code"] for e in payload["userErrors"]] == ["NOTHING_TO_REVOKE"]
    assert payload["userErrors"][0]["field"] == ["input", "creatorIgId"]


async def test_unknown_creator_is_a_user_error(api: Api, demo: Demo) -> None:
    data = await api.data(
        "RequestPermission",
        {"input": {"brandId": demo.big_brand, "creatorUsername": "nobody.here.at.all"}},
    )
    payload = data["requestPermission"]
    assert payload["permission"] is None
    assert [e["code"] for e in payload["userErrors"]] == ["CREATOR_NOT_FOUND"]


async def test_both_or_neither_creator_is_invalid_input_and_sends_nothing(
    api: Api, demo: Demo
) -> None:
    await api.reset_stats()
    for creator in ({}, {"creatorIgId": "1784", "creatorUsername": "someone"}):
        data = await api.data(
            "RequestPermission", {"input": {"brandId": demo.big_brand, **creator}}
        )
        payload = data["requestPermission"]
        assert [e["code"] for e in payload["userErrors"]] == ["INVALID_INPUT"]
        assert payload["brand"]["igId"] == demo.big_brand
    assert (await api.upstream_calls())["total"] == 0


async def test_malformed_username_is_invalid_input(api: Api, demo: Demo) -> None:
    data = await api.data(
        "RequestPermission", {"input": {"brandId": demo.big_brand, "creatorUsername": "no spaces"}}
    )
    errors = data["requestPermission"]["userErrors"]
    assert errors[0]["code"] == "INVALID_INPUT"
    assert errors[0]["field"] == ["input", "creatorUsername"]


async def test_accept_and_decline_remove_the_invite_right_after(api: Api, demo: Demo) -> None:
    variables = {"creatorId": demo.creator_id, "first": 100}
    before = (await api.data("CreatorInvites", variables, token=demo.creator_token))["creator"]
    media = [node["mediaId"] for node in nodes(before["invites"])]

    for name, media_id in (("AcceptInvite", media[0]), ("DeclineInvite", media[1])):
        data = await api.data(
            name,
            {"input": {"creatorId": before["id"], "mediaId": media_id, "clientMutationId": name}},
            token=demo.creator_token,
        )
        payload = next(iter(data.values()))
        assert payload == {
            "clientMutationId": name,
            "userErrors": [],
            "success": True,
            "creator": {"id": before["id"], "igId": demo.creator_id},
        }

    after = (await api.data("CreatorInvites", variables, token=demo.creator_token))["creator"]
    assert [node["mediaId"] for node in nodes(after["invites"])] == media[2:]


async def test_answering_twice_or_an_unknown_media_is_a_user_error(api: Api, demo: Demo) -> None:
    invites = await api.data(
        "CreatorInvites", {"creatorId": demo.creator_id}, token=demo.creator_token
    )
    media_id = nodes(invites["creator"]["invites"])[0]["mediaId"]
    answers = []
    for media in (media_id, media_id, "17999999999999999"):
        data = await api.data(
            "AcceptInvite",
            {"input": {"creatorId": demo.creator_id, "mediaId": media}},
            token=demo.creator_token,
        )
        payload = data["acceptInvite"]
        answers.append((payload["success"], [e["code"] for e in payload["userErrors"]]))
    assert answers == [
        (True, []),
        (False, ["INVITE_NOT_PENDING"]),
        (False, ["INVITE_NOT_PENDING"]),
    ]


async def test_a_wrong_type_of_global_id_is_bad_user_input(api: Api, demo: Demo) -> None:
    brand = (await api.data("BrandPermissions", {"brandId": demo.big_brand, "first": 1}))["brand"]
    body = await api.op(
        "AcceptInvite",
        {"input": {"creatorId": brand["id"], "mediaId": "1"}},
        token=demo.creator_token,
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "not of a Creator" in body["errors"][0]["message"]


_TWO_REQUESTS = """
  mutation($creator: ID!, $first: ID!, $second: ID!) {
    first: requestPermission(input: {brandId: $first, creatorIgId: $creator}) {
      userErrors { code }
      permission { graphId status }
    }
    second: requestPermission(input: {brandId: $second, creatorIgId: $creator}) {
      userErrors { code }
      permission { graphId }
    }
  }
"""


@pytest.mark.parametrize(
    ("second", "code"),
    [("out of scope", "FORBIDDEN"), ("not-a-brand", "BAD_USER_INPUT")],
)
async def test_a_failing_second_mutation_keeps_the_first_ones_result(
    api: Api, demo: Demo, second: str, code: str
) -> None:
    creator = demo.creator_without_big_brand_permission()["id"]
    second_brand = demo.out_of_scope_brand if second == "out of scope" else second
    before = await api.permission_count(demo.big_brand)
    body = await api.run(
        _TWO_REQUESTS, {"creator": creator, "first": demo.big_brand, "second": second_brand}
    )
    assert body["data"]["second"] is None
    assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [(["second"], code)]
    first = body["data"]["first"]
    assert first["userErrors"] == []
    assert first["permission"]["status"] == "PENDING"
    assert await api.permission_count(demo.big_brand) == before + 1
    listed = await _permission_of(api, demo.big_brand, creator)
    assert listed is not None
    assert listed["graphId"] == first["permission"]["graphId"]


@pytest.mark.parametrize("cache_ttl", [60, 0])
async def test_mutations_run_in_document_order_each_reading_what_the_one_before_wrote(
    make_api: ApiFactory, demo: Demo, cache_ttl: int
) -> None:
    creator = demo.creator_without_big_brand_permission()["id"]
    document = """
      mutation($brand: ID!, $creator: ID!) {
        revoke: revokePermission(input: {brandId: $brand, creatorIgId: $creator}) {
          userErrors { code }
        }
        bad: revokePermission(input: {brandId: "nope", creatorIgId: $creator}) {
          userErrors { code }
        }
        request: requestPermission(input: {brandId: $brand, creatorIgId: $creator}) {
          permission { status }
        }
        revokeAgain: revokePermission(input: {brandId: $brand, creatorIgId: $creator}) {
          userErrors { code }
          permission { status }
        }
      }
    """
    async with make_api(cache_ttl=cache_ttl) as api:
        body = await api.run(document, {"brand": demo.big_brand, "creator": creator})
    assert [e["path"] for e in body["errors"]] == [["bad"]]
    assert body["data"] == {
        "revoke": {"userErrors": [{"code": "NOTHING_TO_REVOKE"}]},
        "bad": None,
        "request": {"permission": {"status": "PENDING"}},
        "revokeAgain": {"userErrors": [], "permission": {"status": "REVOKED"}},
    }
