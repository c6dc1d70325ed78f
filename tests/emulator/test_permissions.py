"""The permissions edge: fields, request by ID or username, repeats, revoke, and its errors."""

from typing import Any

import httpx
import pytest

from tests.demo import Demo
from tests.emulator.support import PERMISSIONS, error_of

DOCUMENTED = {
    "id",
    "creator_id",
    "creator_username",
    "creator_fb_page",
    "brand_ig_user",
    "permission_status",
}


async def _list(client: httpx.AsyncClient, demo: Demo, **params: Any) -> dict[str, Any]:
    response = await client.get(
        f"/{demo.big_brand}/{PERMISSIONS}", params={"access_token": demo.agency, **params}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_default_fields_are_the_documented_ones(
    emulator: httpx.AsyncClient, demo: Demo
) -> None:
    items = (await _list(emulator, demo, limit=100))["data"]
    with_page = [item for item in items if "creator_fb_page" in item]
    without_page = [item for item in items if "creator_fb_page" not in item]
    assert with_page
    assert without_page
    assert {frozenset(item) for item in with_page} == {frozenset(DOCUMENTED)}
    assert {frozenset(item) for item in without_page} == {
        frozenset(DOCUMENTED - {"creator_fb_page"})
    }
    for item in items:
        assert item["brand_ig_user"] == {"id": demo.big_brand}
        creator = demo.creator(item["creator_id"])
        assert item["creator_username"] == creator["username"]
        assert item.get("creator_fb_page") == creator["facebookPageId"]
        assert item["id"].isdigit()


async def test_every_status_is_in_the_big_brand(emulator: httpx.AsyncClient, demo: Demo) -> None:
    statuses: set[str] = set()
    page = await _list(emulator, demo, limit=100, fields="permission_status")
    statuses.update(item["permission_status"] for item in page["data"])
    assert {"PENDING", "APPROVED", "REJECTED", "REVOKED"} <= statuses


async def test_the_odd_brand_has_odd_statuses(emulator: httpx.AsyncClient, demo: Demo) -> None:
    response = await emulator.get(
        f"/{demo.odd_brand}/{PERMISSIONS}", params={"access_token": demo.agency, "fields": "status"}
    )
    statuses = {item["status"] for item in response.json()["data"]}
    assert {"Approved", "EXPIRED"} <= statuses


async def test_fields_select_including_the_sdk_names(
    emulator: httpx.AsyncClient, demo: Demo
) -> None:
    sdk = (await _list(emulator, demo, fields="id,permission_type,status"))["data"]
    assert len(sdk) == 10
    assert all(set(item) == {"id", "permission_type", "status"} for item in sdk)
    assert all(item["permission_type"] == "ACCOUNT_LEVEL" for item in sdk)
    live = (await _list(emulator, demo, fields="creator_ig_id,creator_id,brand_ig_user{id}"))[
        "data"
    ]
    assert len(live) == 10
    for item in live:
        assert item["creator_ig_id"] == item["creator_id"]
        assert item["brand_ig_user"] == {"id": demo.big_brand}
    both = (await _list(emulator, demo, fields="status,permission_status"))["data"]
    assert len(both) == 10
    assert all(item["status"] == item["permission_status"] for item in both)


async def test_an_unknown_field_is_refused(emulator: httpx.AsyncClient, demo: Demo) -> None:
    response = await emulator.get(
        f"/{demo.big_brand}/{PERMISSIONS}",
        params={"access_token": demo.agency, "fields": "id,shoe_size"},
    )
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == 100
    assert "nonexisting field (shoe_size)" in error["message"]


async def _post(client: httpx.AsyncClient, demo: Demo, **data: str) -> httpx.Response:
    return await client.post(
        f"/{demo.big_brand}/{PERMISSIONS}", data={"access_token": demo.agency, **data}
    )


async def _status_of(client: httpx.AsyncClient, demo: Demo, permission_id: str) -> str:
    items = []
    url = f"/{demo.big_brand}/{PERMISSIONS}"
    params: dict[str, Any] = {"access_token": demo.agency, "limit": 100}
    while True:
        body = (await client.get(url, params=params)).json()
        items.extend(body["data"])
        if "next" not in body.get("paging", {}):
            break
        params["after"] = body["paging"]["cursors"]["after"]
    return str(next(item for item in items if item["id"] == permission_id)["permission_status"])


async def test_request_by_id_then_username_returns_the_same_permission(
    emulator: httpx.AsyncClient, demo: Demo
) -> None:
    creator = demo.creator_without_big_brand_permission()
    first = await _post(emulator, demo, creator_instagram_account=creator["id"])
    assert first.status_code == 200
    assert set(first.json()) == {"id"}
    again = await _post(emulator, demo, creator_instagram_username=creator["username"].upper())
    assert again.json() == first.json()
    assert await _status_of(emulator, demo, first.json()["id"]) == "PENDING"
    state = (await emulator.get("/admin/state")).json()
    count = next(b for b in state["brands"] if b["id"] == demo.big_brand)["permissionCount"]
    assert count == 301


async def test_revoke_then_request_again(emulator: httpx.AsyncClient, demo: Demo) -> None:
    creator = demo.creator_without_big_brand_permission()
    asked = (await _post(emulator, demo, creator_instagram_account=creator["id"])).json()["id"]
    revoked = await _post(emulator, demo, creator_instagram_account=creator["id"], revoke="true")
    assert revoked.json() == {"id": asked}
    assert await _status_of(emulator, demo, asked) == "REVOKED"
    twice = await _post(emulator, demo, creator_instagram_account=creator["id"], revoke="true")
    assert twice.status_code == 400
    assert error_of(twice)["code"] == 100
    assert "error_subcode" not in error_of(twice)
    again = await _post(emulator, demo, creator_instagram_account=creator["id"], revoke="false")
    assert again.json() == {"id": asked}
    assert await _status_of(emulator, demo, asked) == "PENDING"


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"creator_instagram_account": "17841400000000001", "creator_instagram_username": "x"},
        {"creator_instagram_username": "ada.eats1", "revoke": "true"},
        {"creator_instagram_account": "CREATOR", "revoke": "maybe"},
        {"creator_instagram_account": "17841400000000001"},
        {"creator_instagram_username": "nobody.here"},
    ],
)
async def test_bad_requests_are_code_100_without_subcode(
    emulator: httpx.AsyncClient, demo: Demo, data: dict[str, str]
) -> None:
    creator = demo.state["creators"][0]["id"]
    data = {k: creator if v == "CREATOR" else v for k, v in data.items()}
    response = await _post(emulator, demo, **data)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == 100
    assert error["type"] == "OAuthException"
    assert "error_subcode" not in error


async def test_an_unknown_creator_is_named(emulator: httpx.AsyncClient, demo: Demo) -> None:
    response = await _post(emulator, demo, creator_instagram_username="nobody.here")
    assert "nobody.here" in error_of(response)["message"]


async def test_revoking_a_creator_without_permission_fails(
    emulator: httpx.AsyncClient, demo: Demo
) -> None:
    creator = demo.creator_without_big_brand_permission()
    response = await _post(emulator, demo, creator_instagram_account=creator["id"], revoke="true")
    assert response.status_code == 400
    assert error_of(response)["code"] == 100


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_tokens_without_scope_get_code_10(
    emulator: httpx.AsyncClient, demo: Demo, method: str
) -> None:
    cases = [
        (demo.agency, demo.out_of_scope_brand),
        (demo.in_house, demo.big_brand),
        (demo.creator_token, demo.big_brand),
        (demo.agency, demo.creator_id),
    ]
    creator = demo.creator_without_big_brand_permission()["id"]
    for token, brand in cases:
        response = await emulator.request(
            method,
            f"/{brand}/{PERMISSIONS}",
            params={"access_token": token, "creator_instagram_account": creator},
        )
        assert response.status_code == 403, (token[:8], brand)
        error = error_of(response)
        assert (error["code"], error["type"]) == (10, "OAuthException")
        assert error["message"] == "(#10) Application does not have permission for this action"


async def test_two_brand_tokens_see_different_brands(
    emulator: httpx.AsyncClient, demo: Demo
) -> None:
    response = await emulator.get(
        f"/{demo.out_of_scope_brand}/{PERMISSIONS}", params={"access_token": demo.in_house}
    )
    assert response.status_code == 200
    assert len(response.json()["data"]) == min(
        10, demo.brand(demo.out_of_scope_brand)["permissionCount"]
    )


async def test_the_username_filter_keeps_that_creators_permission(
    emulator: httpx.AsyncClient, demo: Demo
) -> None:
    listed = (await _list(emulator, demo, limit=100))["data"][57]
    found = await _list(
        emulator, demo, creator_username=listed["creator_username"].upper(), summary="true"
    )
    assert found["data"] == [listed]
    assert found["summary"] == {"total_count": 1}
    assert set(found["paging"]) == {"cursors"}
    after = await _list(
        emulator,
        demo,
        creator_username=listed["creator_username"],
        after=found["paging"]["cursors"]["after"],
    )
    assert after == {"data": []}


@pytest.mark.parametrize("username", ["WITHOUT", "nobody.here"])
async def test_the_username_filter_of_a_creator_without_permission_is_empty(
    emulator: httpx.AsyncClient, demo: Demo, username: str
) -> None:
    if username == "WITHOUT":
        username = demo.creator_without_big_brand_permission()["username"]
    found = await _list(emulator, demo, creator_username=username, summary="true")
    assert found == {"data": [], "summary": {"total_count": 0}}


async def test_the_username_filter_finds_the_last_of_10000_in_one_request(
    emulator: httpx.AsyncClient, demo: Demo
) -> None:
    await emulator.post("/admin/grow", json={"brandId": demo.big_brand, "permissions": 10_000})
    creator = (await emulator.get("/admin/state")).json()["creators"][-1]
    await emulator.post("/admin/stats/reset")
    found = await _list(emulator, demo, creator_username=creator["username"], fields="creator_id")
    assert found["data"] == [{"creator_id": creator["id"]}]
    assert (await emulator.get("/admin/stats")).json()["total"] == 1


async def test_there_is_no_status_filter(emulator: httpx.AsyncClient, demo: Demo) -> None:
    page = await _list(emulator, demo, status="APPROVED", limit=100, fields="status")
    assert len(page["data"]) == 100
    assert {item["status"] for item in page["data"]} > {"APPROVED"}
