"""`POST /admin/grow`: a brand's list and a user's invites at real sizes, paged as at the seed's."""

from collections import Counter
from typing import Any

import httpx
import pytest

from tests.demo import Demo
from tests.emulator.support import INVITES, PERMISSIONS, walk_next


async def _grow(client: httpx.AsyncClient, body: dict[str, Any]) -> httpx.Response:
    return await client.post("/admin/grow", json=body)


async def test_a_brand_grows_to_10000_in_every_status_oldest_first(
    emulator: httpx.AsyncClient, demo: Demo
) -> None:
    url = f"/{demo.big_brand}/{PERMISSIONS}"
    params = {"access_token": demo.agency, "limit": 100, "fields": "id,status,creator_id"}
    seeded = [item for page in await walk_next(emulator, url, **params) for item in page]
    grown = await _grow(emulator, {"brandId": demo.big_brand, "permissions": 10_000})
    assert grown.json() == {"brandId": demo.big_brand, "permissionCount": 10_000}
    pages = await walk_next(emulator, url, **params)
    items = [item for page in pages for item in page]
    assert len(items) == len({item["id"] for item in items}) == 10_000
    assert len({item["creator_id"] for item in items}) == 10_000
    assert items[:300] == seeded
    assert set(Counter(item["status"] for item in items[300:])) == {
        "PENDING",
        "APPROVED",
        "REJECTED",
        "REVOKED",
    }
    state = (await emulator.get("/admin/state")).json()
    assert demo.brand(demo.big_brand)["permissionCount"] == 300
    assert next(b for b in state["brands"] if b["id"] == demo.big_brand)["permissionCount"] == (
        10_000
    )
    creators = {creator["id"] for creator in state["creators"]}
    assert {item["creator_id"] for item in items} <= creators
    assert len(creators) == 10_000
    assert [c["username"] for c in state["creators"]][:360] == [
        c["username"] for c in demo.state["creators"]
    ]


async def test_the_page_at_item_9900_is_the_list_from_there(
    emulator: httpx.AsyncClient, demo: Demo
) -> None:
    await _grow(emulator, {"brandId": demo.big_brand, "permissions": 10_000})
    url = f"/{demo.big_brand}/{PERMISSIONS}"
    params: dict[str, str | int] = {"access_token": demo.agency, "limit": 100, "fields": "id"}
    ids: list[str] = []
    cursors: list[str] = []
    while len(ids) < 10_000:
        after = {"after": cursors[-1]} if cursors else {}
        body = (await emulator.get(url, params={**params, **after})).json()
        ids.extend(item["id"] for item in body["data"])
        cursors.append(body["paging"]["cursors"]["after"])
    assert len(set(ids)) == 10_000
    deep = (await emulator.get(url, params={**params, "after": cursors[98]})).json()
    assert [item["id"] for item in deep["data"]] == ids[9_900:]
    assert set(deep["paging"]) == {"cursors", "previous"}
    back = (
        await emulator.get(url, params={**params, "before": deep["paging"]["cursors"]["before"]})
    ).json()
    assert [item["id"] for item in back["data"]] == ids[9_800:9_900]
    first = (await emulator.get(url, params={**params, "summary": "true"})).json()
    assert [item["id"] for item in first["data"]] == ids[:100]
    assert first["summary"] == {"total_count": 10_000}


async def test_a_user_grows_to_2000_pending_invites_newest_first(
    emulator: httpx.AsyncClient, demo: Demo
) -> None:
    url = f"/{demo.creator_id}/{INVITES}"
    params = {"access_token": demo.creator_token, "limit": 100, "fields": "media_id"}
    seeded = [item for page in await walk_next(emulator, url, **params) for item in page]
    grown = await _grow(emulator, {"userId": demo.creator_id, "invites": 2_000})
    assert grown.json() == {"userId": demo.creator_id, "pendingInviteCount": 2_000}
    items = [item for page in await walk_next(emulator, url, **params) for item in page]
    assert len(items) == len({item["media_id"] for item in items}) == 2_000
    assert items[-len(seeded) :] == seeded
    state = (await emulator.get("/admin/state")).json()
    counts = {creator["id"]: creator["pendingInviteCount"] for creator in state["creators"]}
    assert counts[demo.creator_id] == 2_000


async def test_growing_to_a_smaller_size_changes_nothing(
    emulator: httpx.AsyncClient, demo: Demo
) -> None:
    brand = await _grow(emulator, {"brandId": demo.big_brand, "permissions": 10})
    assert brand.json() == {"brandId": demo.big_brand, "permissionCount": 300}
    invites = demo.creator(demo.creator_id)["pendingInviteCount"]
    user = await _grow(emulator, {"userId": demo.creator_id, "invites": 0})
    assert user.json() == {"userId": demo.creator_id, "pendingInviteCount": invites}
    assert (await emulator.get("/admin/state")).json() == demo.state


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({}, 400),
        ({"brandId": "BRAND"}, 400),
        ({"brandId": "BRAND", "permissions": -1}, 400),
        ({"brandId": "BRAND", "permissions": 100_001}, 400),
        ({"brandId": "BRAND", "permissions": "10"}, 400),
        ({"brandId": "BRAND", "permissions": True}, 400),
        ({"brandId": "BRAND", "permissions": 10, "invites": 10}, 400),
        ({"userId": "CREATOR", "permissions": 10}, 400),
        ({"brandId": "CREATOR", "permissions": 10}, 404),
        ({"userId": "17841400000000000", "invites": 10}, 404),
    ],
)
async def test_malformed_grows_are_refused(
    emulator: httpx.AsyncClient, demo: Demo, body: dict[str, Any], status: int
) -> None:
    names = {"BRAND": demo.big_brand, "CREATOR": demo.creator_id}
    body = {
        key: names.get(value, value) if isinstance(value, str) else value
        for key, value in body.items()
    }
    response = await _grow(emulator, body)
    assert response.status_code == status
    assert "message" in response.json()["error"]
    assert (await emulator.get("/admin/state")).json() == demo.state
