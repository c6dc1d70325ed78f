"""`GET /{permission-id}`: one permission by its ID, its fields, its errors, how it is counted."""

import json
from typing import Any

import httpx

from tests.demo import Demo
from tests.emulator.support import PERMISSIONS, assert_unknown_object, error_of


async def _first(client: httpx.AsyncClient, demo: Demo, brand: str, **params: Any) -> Any:
    response = await client.get(
        f"/{brand}/{PERMISSIONS}", params={"access_token": demo.agency, **params}
    )
    return response.json()["data"][0]


async def test_a_permission_reads_as_listed_with_any_fields(
    emulator: httpx.AsyncClient, demo: Demo
) -> None:
    listed = await _first(emulator, demo, demo.big_brand, fields="id,status,creator_username")
    url = f"/v23.0/{listed['id']}"
    default = await emulator.get(url, params={"access_token": demo.agency})
    assert default.status_code == 200
    assert default.json() == {
        "id": listed["id"],
        "permission_type": "ACCOUNT_LEVEL",
        "status": listed["status"],
    }
    chosen = await emulator.get(
        url,
        params={
            "access_token": demo.agency,
            "fields": "creator_id,creator_username,permission_status,brand_ig_user{id}",
        },
    )
    creator = next(c for c in demo.state["creators"] if c["username"] == listed["creator_username"])
    assert chosen.json() == {
        "creator_id": creator["id"],
        "creator_username": listed["creator_username"],
        "permission_status": listed["status"],
        "brand_ig_user": {"id": demo.big_brand},
    }
    bearer = await emulator.get(
        url + "/", params={"fields": "id"}, headers={"Authorization": f"Bearer {demo.agency}"}
    )
    assert bearer.json() == {"id": listed["id"]}


async def test_a_read_sees_the_latest_status(emulator: httpx.AsyncClient, demo: Demo) -> None:
    listed = await _first(emulator, demo, demo.big_brand, fields="id")
    await emulator.post(f"/admin/permissions/{listed['id']}", json={"status": "Approved"})
    read = await emulator.get(
        f"/{listed['id']}", params={"access_token": demo.agency, "fields": "status"}
    )
    assert read.json() == {"status": "Approved"}


async def test_an_unknown_id_is_100_33(emulator: httpx.AsyncClient, demo: Demo) -> None:
    response = await emulator.get("/17999999999999999", params={"access_token": demo.agency})
    assert_unknown_object(response, "17999999999999999", "GET")


async def test_a_permission_cannot_be_posted_to(emulator: httpx.AsyncClient, demo: Demo) -> None:
    listed = await _first(emulator, demo, demo.big_brand, fields="id")
    response = await emulator.post(f"/{listed['id']}", data={"access_token": demo.agency})
    assert_unknown_object(response, listed["id"], "POST")


async def test_tokens_without_scope_on_its_brand_get_code_10(
    emulator: httpx.AsyncClient, demo: Demo
) -> None:
    scope = next(t["brandIds"] for t in demo.state["tokens"] if t["token"] == demo.agency)
    brand = next(
        b["id"] for b in demo.state["brands"] if b["id"] not in scope and b["permissionCount"]
    )
    outside = (
        await emulator.get(
            f"/{brand}/{PERMISSIONS}", params={"access_token": demo.in_house, "fields": "id"}
        )
    ).json()["data"][0]["id"]
    inside = await _first(emulator, demo, demo.big_brand, fields="id")
    cases = [
        (demo.agency, outside),
        (demo.in_house, inside["id"]),
        (demo.creator_token, inside["id"]),
    ]
    for token, permission in cases:
        response = await emulator.get(f"/{permission}", params={"access_token": token})
        assert response.status_code == 403
        error = error_of(response)
        assert (error["code"], error["type"]) == (10, "OAuthException")
        assert "x-business-use-case-usage" not in response.headers
    expired = await emulator.get(f"/{inside['id']}", params={"access_token": demo.expired})
    assert (error_of(expired)["code"], error_of(expired)["error_subcode"]) == (190, 463)


async def test_an_unknown_field_is_refused(emulator: httpx.AsyncClient, demo: Demo) -> None:
    listed = await _first(emulator, demo, demo.big_brand, fields="id")
    response = await emulator.get(
        f"/{listed['id']}", params={"access_token": demo.agency, "fields": "id,shoe_size"}
    )
    assert response.status_code == 400
    assert "nonexisting field (shoe_size)" in error_of(response)["message"]


async def test_a_read_is_counted_as_node_and_used_against_its_brand(
    emulator: httpx.AsyncClient, demo: Demo
) -> None:
    listed = await _first(emulator, demo, demo.big_brand, fields="id")
    await emulator.post("/admin/stats/reset")
    response = await emulator.get(f"/{listed['id']}", params={"access_token": demo.agency})
    usage = json.loads(response.headers["x-business-use-case-usage"])
    assert list(usage) == [demo.big_brand]
    stats = (await emulator.get("/admin/stats")).json()
    assert stats["total"] == 1
    assert stats["byEdge"]["node"] == {"GET": 1}
    assert stats["byEdge"][PERMISSIONS] == {"GET": 0, "POST": 0}


async def test_the_last_of_10000_permissions_reads_in_one_request(
    emulator: httpx.AsyncClient, demo: Demo
) -> None:
    await emulator.post("/admin/grow", json={"brandId": demo.big_brand, "permissions": 10_000})
    url = f"/{demo.big_brand}/{PERMISSIONS}"
    params: dict[str, Any] = {"access_token": demo.agency, "fields": "id,status", "limit": 100}
    page = (await emulator.get(url, params=params)).json()
    while "next" in page["paging"]:
        page = (await emulator.get(page["paging"]["next"])).json()
    last = page["data"][-1]
    await emulator.post("/admin/stats/reset")
    read = await emulator.get(f"/{last['id']}", params={"access_token": demo.agency})
    assert read.json() == {**last, "permission_type": "ACCOUNT_LEVEL"}
    assert (await emulator.get("/admin/stats")).json()["total"] == 1
