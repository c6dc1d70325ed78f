"""Writes whose answer was lost or odd: coded, sent once, and seen by the next read."""

from tests.api.conftest import Api, Demo, nodes

EDGE = "branded_content_ad_permissions"
LOST = "read the data again"


async def test_a_request_whose_answer_was_cut_short_is_seen_by_the_next_read(
    api: Api, demo: Demo
) -> None:
    creator = demo.creator_without_big_brand_permission()
    by_name = {"brandId": demo.big_brand, "creatorUsername": creator["username"], "first": 3}
    assert nodes((await api.data("BrandPermissions", by_name))["brand"]["permissions"]) == []
    await api.fault(edge="batch", body="truncated", count=1)
    await api.reset_stats()

    body = await api.op(
        "RequestPermission", {"input": {"brandId": demo.big_brand, "creatorIgId": creator["id"]}}
    )

    assert body["data"] == {"requestPermission": None}
    [error] = body["errors"]
    assert error["path"] == ["requestPermission"]
    assert error["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
    assert LOST in error["message"]
    assert (await api.upstream_calls())["byEdge"][EDGE]["POST"] == 1
    [listed] = nodes((await api.data("BrandPermissions", by_name))["brand"]["permissions"])
    assert listed["creator"]["igId"] == creator["id"]
    assert listed["status"] == "PENDING"


async def test_an_answer_to_an_invite_cut_short_is_seen_by_the_next_read(
    api: Api, demo: Demo
) -> None:
    variables = {"creatorId": demo.creator_id, "first": 5}
    before = await api.data("CreatorInvites", variables, token=demo.creator_token)
    media = [node["mediaId"] for node in nodes(before["creator"]["invites"])]
    await api.fault(edge="collaboration_invites", method="POST", body="truncated", count=1)

    body = await api.op(
        "AcceptInvite",
        {"input": {"creatorId": demo.creator_id, "mediaId": media[0]}},
        token=demo.creator_token,
    )

    assert body["data"] == {"acceptInvite": None}
    assert body["errors"][0]["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
    assert LOST in body["errors"][0]["message"]
    after = await api.data("CreatorInvites", variables, token=demo.creator_token)
    assert [node["mediaId"] for node in nodes(after["creator"]["invites"])][:4] == media[1:]


async def test_a_connection_reset_on_a_write_is_unavailable_and_sent_once(
    api: Api, demo: Demo
) -> None:
    creator = demo.creator_without_big_brand_permission()["id"]
    await api.fault(edge="batch", body="reset", count=1)
    await api.reset_stats()
    body = await api.op(
        "RequestPermission", {"input": {"brandId": demo.big_brand, "creatorIgId": creator}}
    )
    assert body["errors"][0]["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
    assert LOST in body["errors"][0]["message"]
    assert (await api.upstream_calls())["byEdge"]["batch"]["POST"] == 1  # sent once


async def test_an_undocumented_graph_code_on_a_write_is_the_upstreams_fault(
    api: Api, demo: Demo
) -> None:
    creator = demo.creator_without_big_brand_permission()["id"]
    await api.fault(edge="batch", errorCode=12345, count=1)
    await api.reset_stats()
    body = await api.op(
        "RequestPermission", {"input": {"brandId": demo.big_brand, "creatorIgId": creator}}
    )
    assert body["data"] == {"requestPermission": None}
    [error] = body["errors"]
    assert error["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
    assert error["extensions"]["graph"]["code"] == 12345
    assert LOST in error["message"]
    assert (await api.upstream_calls())["byEdge"]["batch"]["POST"] == 1  # sent once


async def test_an_undocumented_graph_code_on_a_read_is_unavailable_and_not_sent_again(
    api: Api, demo: Demo
) -> None:
    await api.fault(edge=EDGE, method="GET", errorCode=12345, count=1)
    await api.reset_stats()
    body = await api.op("BrandPermissions", {"brandId": demo.big_brand})
    [error] = body["errors"]
    assert error["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
    assert error["extensions"]["graph"]["code"] == 12345
    assert LOST not in error["message"]
    assert (await api.upstream_calls())["byEdge"][EDGE]["GET"] == 1


async def test_code_100_on_a_write_stays_a_user_error(api: Api, demo: Demo) -> None:
    creator = demo.creator_without_big_brand_permission()["id"]
    await api.fault(edge="batch", errorCode=100, count=1)
    body = await api.op(
        "RequestPermission", {"input": {"brandId": demo.big_brand, "creatorIgId": creator}}
    )
    assert "errors" not in body
    payload = body["data"]["requestPermission"]
    assert [e["code"] for e in payload["userErrors"]] == ["CREATOR_NOT_FOUND"]
    assert payload["userErrors"][0]["field"] == ["input", "creatorIgId"]
