"""requestPermissions: Graph batches of 25 writes and their reads, each creator failing alone;
bad input sends nothing."""

from typing import Any

import pytest

from tests.api.conftest import Api, Demo, nodes

EDGE = "branded_content_ad_permissions"
UNKNOWN = {3: ("igId", "99999999999999903"), 40: ("username", "nobody.here.40"),
           51: ("igId", "99999999999999951"), 99: ("username", "nobody.here.99"),
           109: ("igId", "99999999999999909")}  # fmt: skip


def _refs(creators: list[dict[str, Any]], size: int) -> list[dict[str, str]]:
    """size creator refs: the known creators in order, every third by username, UNKNOWN between."""
    known = iter(creators)
    refs = []
    for index in range(size):
        if index in UNKNOWN:
            field, value = UNKNOWN[index]
            refs.append({field: value})
            continue
        creator = next(known)
        refs.append({"username": creator["username"]} if index % 3 else {"igId": creator["id"]})
    return refs


async def _request(api: Api, brand: str, creators: list[Any], **more: Any) -> dict[str, Any]:
    return await api.op(
        "RequestPermissions", {"input": {"brandId": brand, "creators": creators, **more}}
    )


async def test_110_creators_cost_five_batches_and_five_unknown_fail_at_their_indexes(
    api: Api, demo: Demo
) -> None:
    brand = demo.odd_brand  # its 8 permissions are with the first 8 creators
    before = await api.permission_count(brand)
    fresh = demo.state["creators"][before : before + 105]
    refs = _refs(fresh, 110)
    await api.reset_stats()

    body = await _request(api, brand, refs, clientMutationId="bulk-1")

    assert "errors" not in body, body["errors"]
    payload = body["data"]["requestPermissions"]
    assert payload["clientMutationId"] == "bulk-1"
    assert payload["brand"]["igId"] == brand
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["creators", str(index), field], "CREATOR_NOT_FOUND")
        for index, (field, _) in sorted(UNKNOWN.items())
    ]
    slots = payload["permissions"]
    assert len(slots) == 110
    assert [index for index, slot in enumerate(slots) if slot is None] == sorted(UNKNOWN)
    asked = [slot["creator"]["igId"] for slot in slots if slot is not None]
    assert asked == [creator["id"] for creator in fresh]
    assert {slot["status"] for slot in slots if slot is not None} == {"PENDING"}
    assert len({slot["graphId"] for slot in slots if slot is not None}) == 105

    stats = await api.upstream_calls()
    assert stats["total"] == stats["byEdge"]["batch"]["POST"] == 5  # 25 writes and their reads
    assert stats["byEdge"][EDGE]["POST"] == 110
    assert await api.permission_count(brand) == before + 105


@pytest.mark.parametrize(
    ("creators", "fields"),
    [
        (
            [{"igId": "1784"}, {"igId": "1784", "username": "both"}, {}, {"username": "ok.one"}],
            [["creators", "1", "igId"], ["creators", "2", "igId"]],
        ),
        (
            [{"igId": "not-an-id"}, {"username": "no spaces"}, {"username": "x" * 31}],
            [
                ["creators", "0", "igId"],
                ["creators", "1", "username"],
                ["creators", "2", "username"],
            ],
        ),
        ([], [["creators"]]),
        ([{"igId": "1784"}] * 501, [["creators"]]),
    ],
    ids=["both-or-neither", "malformed", "empty", "501"],
)
async def test_invalid_input_is_user_errors_and_sends_nothing(
    api: Api, demo: Demo, creators: list[dict[str, str]], fields: list[list[str]]
) -> None:
    await api.reset_stats()
    body = await _request(api, demo.big_brand, creators)
    assert "errors" not in body, body["errors"]
    payload = body["data"]["requestPermissions"]
    assert [e["field"] for e in payload["userErrors"]] == fields
    assert {e["code"] for e in payload["userErrors"]} == {"INVALID_INPUT"}
    assert payload["permissions"] == [None] * len(creators)
    assert (await api.upstream_calls())["total"] == 0


async def test_a_brand_out_of_scope_fails_the_mutation_alone(api: Api, demo: Demo) -> None:
    creators = [{"igId": c["id"]} for c in demo.state["creators"][-60:]]
    before = await api.permission_count(demo.out_of_scope_brand)
    body = await _request(api, demo.out_of_scope_brand, creators)
    assert body["data"] == {"requestPermissions": None}
    assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [
        (["requestPermissions"], "FORBIDDEN")
    ]
    assert await api.permission_count(demo.out_of_scope_brand) == before


async def test_a_failed_batch_fails_only_its_own_creators_and_is_not_sent_again(
    api: Api, demo: Demo
) -> None:
    creators = demo.state["creators"][-60:]
    before = await api.permission_count(demo.big_brand)
    await api.fault(edge="batch", status=500, count=1)
    await api.reset_stats()

    body = await _request(api, demo.big_brand, [{"igId": c["id"]} for c in creators])

    slots = body["data"]["requestPermissions"]["permissions"]
    failed = [index for index, slot in enumerate(slots) if slot is None]
    # one batch of 25 creators (or of the last 10), whichever went first
    assert failed in (list(range(25)), list(range(25, 50)), list(range(50, 60)))
    assert [e["path"] for e in body["errors"]] == [
        ["requestPermissions", "permissions", index] for index in failed
    ]
    for error in body["errors"]:
        assert error["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
        assert "read the data again" in error["message"]
    assert (await api.upstream_calls())["byEdge"]["batch"]["POST"] == 3
    assert await api.permission_count(demo.big_brand) == before + 60 - len(failed)


async def test_a_lost_batch_answer_is_an_error_and_the_next_read_sees_the_writes(
    api: Api, demo: Demo
) -> None:
    creators = demo.state["creators"][-3:]
    by_name = {"brandId": demo.big_brand, "first": 3, "creatorUsername": creators[1]["username"]}
    assert nodes((await api.data("BrandPermissions", by_name))["brand"]["permissions"]) == []
    await api.fault(edge="batch", body="truncated", count=1)

    body = await _request(api, demo.big_brand, [{"igId": c["id"]} for c in creators])

    assert body["data"] == {"requestPermissions": None}
    [error] = body["errors"]
    assert error["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
    assert "read the data again" in error["message"]
    [permission] = nodes((await api.data("BrandPermissions", by_name))["brand"]["permissions"])
    assert permission["creator"]["igId"] == creators[1]["id"]
    assert permission["status"] == "PENDING"
