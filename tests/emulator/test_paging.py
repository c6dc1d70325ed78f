"""Both edges walked every way a client walks them, at several page sizes, against /admin/state."""

import base64

import httpx
import pytest

from tests.demo import Demo
from tests.emulator.support import (
    INVITES,
    PERMISSIONS,
    error_of,
    walk_cursors,
    walk_next,
    walk_previous,
)

SIZES = [1, 7, 10, 100]


def _flat(pages: list[list[dict[str, str]]], key: str) -> list[str]:
    return [item[key] for page in pages for item in page]


@pytest.mark.parametrize("limit", SIZES)
async def test_permissions_walk_the_same_every_way(
    emulator: httpx.AsyncClient, demo: Demo, limit: int
) -> None:
    url = f"/v23.0/{demo.big_brand}/{PERMISSIONS}"
    params = {"access_token": demo.agency, "limit": limit}
    forward = await walk_next(emulator, url, **params)
    backward = await walk_previous(emulator, url, **params)
    copied = await walk_cursors(emulator, url, **params)
    ids = _flat(forward, "id")
    assert len(ids) == demo.brand(demo.big_brand)["permissionCount"] == 300
    assert len(set(ids)) == len(ids)
    assert _flat(backward, "id") == ids
    assert _flat(copied, "id") == ids
    assert all(len(page) == limit for page in forward[:-1])
    assert len(forward) == -(-300 // limit)


@pytest.mark.parametrize("limit", SIZES)
async def test_invites_walk_the_same_every_way(
    emulator: httpx.AsyncClient, demo: Demo, limit: int
) -> None:
    url = f"/{demo.creator_id}/{INVITES}"
    params = {"access_token": demo.creator_token, "limit": limit}
    forward = _flat(await walk_next(emulator, url, **params), "media_id")
    backward = _flat(await walk_previous(emulator, url, **params), "media_id")
    copied = _flat(await walk_cursors(emulator, url, **params), "media_id")
    assert len(forward) == demo.creator(demo.creator_id)["pendingInviteCount"] >= 30
    assert len(set(forward)) == len(forward)
    assert backward == forward
    assert copied == forward


async def test_every_small_brand_walks_to_its_count(
    emulator: httpx.AsyncClient, demo: Demo
) -> None:
    brands = [b for b in demo.state["brands"] if b["id"] != demo.big_brand][:20]
    for brand in brands:
        pages = await walk_next(
            emulator, f"/{brand['id']}/{PERMISSIONS}", access_token=demo.agency, limit=3
        )
        assert len(_flat(pages, "id")) == brand["permissionCount"]


async def test_new_permissions_come_last_and_new_invites_first(
    emulator: httpx.AsyncClient, demo: Demo
) -> None:
    creator = demo.creator_without_big_brand_permission()
    url = f"/{demo.big_brand}/{PERMISSIONS}"
    asked = await emulator.post(
        url, data={"access_token": demo.agency, "creator_instagram_account": creator["id"]}
    )
    pages = await walk_next(emulator, url, access_token=demo.agency, limit=100)
    assert pages[-1][-1]["id"] == asked.json()["id"]
    assert pages[-1][-1]["permission_status"] == "PENDING"

    invite = await emulator.post(
        "/admin/invites", json={"userId": demo.creator_id, "mediaOwnerUsername": "newbie"}
    )
    first = await emulator.get(
        f"/{demo.creator_id}/{INVITES}", params={"access_token": demo.creator_token}
    )
    assert first.json()["data"][0]["media_id"] == invite.json()["mediaId"]
    assert "previous" not in first.json()["paging"]


async def test_any_item_cursor_works_both_ways(emulator: httpx.AsyncClient, demo: Demo) -> None:
    url = f"/{demo.big_brand}/{PERMISSIONS}"
    everything = (
        await emulator.get(url, params={"access_token": demo.agency, "limit": 100})
    ).json()
    ids = [item["id"] for item in everything["data"]]
    middle = (
        await emulator.get(
            url,
            params={
                "access_token": demo.agency,
                "limit": 5,
                "after": everything["paging"]["cursors"]["before"],
            },
        )
    ).json()
    assert [item["id"] for item in middle["data"]] == ids[1:6]
    start = middle["paging"]["cursors"]["before"]
    after_start = await emulator.get(
        url, params={"access_token": demo.agency, "limit": 2, "after": start}
    )
    assert [item["id"] for item in after_start.json()["data"]] == ids[2:4]
    before_start = await emulator.get(
        url, params={"access_token": demo.agency, "limit": 3, "before": start}
    )
    body = before_start.json()
    assert [item["id"] for item in body["data"]] == ids[0:1]
    assert "previous" not in body["paging"]
    assert "next" in body["paging"]


async def test_after_wins_over_before(emulator: httpx.AsyncClient, demo: Demo) -> None:
    url = f"/{demo.big_brand}/{PERMISSIONS}"
    first = (await emulator.get(url, params={"access_token": demo.agency, "limit": 2})).json()
    both = await emulator.get(
        url,
        params={
            "access_token": demo.agency,
            "limit": 2,
            "after": first["paging"]["cursors"]["after"],
            "before": first["paging"]["cursors"]["before"],
        },
    )
    second = await emulator.get(first["paging"]["next"])
    assert both.json()["data"] == second.json()["data"]


async def test_cursors_survive_answered_invites(emulator: httpx.AsyncClient, demo: Demo) -> None:
    url = f"/{demo.creator_id}/{INVITES}"
    token = demo.creator_token
    everything = (await emulator.get(url, params={"access_token": token, "limit": 100})).json()
    media = [item["media_id"] for item in everything["data"]]
    page = (await emulator.get(url, params={"access_token": token, "limit": 5})).json()
    for media_id in media[3:6]:
        answered = await emulator.post(
            url, data={"access_token": token, "media_id": media_id, "accept": "true"}
        )
        assert answered.json() == {"success": True}
    following = (await emulator.get(page["paging"]["next"])).json()
    assert [item["media_id"] for item in following["data"]] == media[6:11]
    preceding = (await emulator.get(following["paging"]["previous"])).json()
    assert [item["media_id"] for item in preceding["data"]] == media[:3]


async def test_summary_counts_the_whole_list(emulator: httpx.AsyncClient, demo: Demo) -> None:
    url = f"/{demo.big_brand}/{PERMISSIONS}"
    asked = await emulator.get(url, params={"access_token": demo.agency, "summary": "true"})
    assert asked.json()["summary"] == {"total_count": 300}
    plain = await emulator.get(url, params={"access_token": demo.agency})
    assert "summary" not in plain.json()
    assert len(plain.json()["data"]) == 10
    invites = await emulator.get(
        f"/{demo.creator_id}/{INVITES}",
        params={"access_token": demo.creator_token, "summary": "true", "limit": 3},
    )
    count = demo.creator(demo.creator_id)["pendingInviteCount"]
    assert invites.json()["summary"] == {"total_count": count}
    assert len(invites.json()["data"]) == 3


async def test_limit_is_clamped_and_checked(emulator: httpx.AsyncClient, demo: Demo) -> None:
    url = f"/{demo.big_brand}/{PERMISSIONS}"
    big = await emulator.get(url, params={"access_token": demo.agency, "limit": 500})
    assert len(big.json()["data"]) == 100
    for bad in ("0", "-3", "ten", "1.5"):
        response = await emulator.get(url, params={"access_token": demo.agency, "limit": bad})
        assert response.status_code == 400
        assert error_of(response)["code"] == 100


async def test_an_empty_list_has_no_paging(emulator: httpx.AsyncClient, demo: Demo) -> None:
    empty = next(b for b in demo.state["brands"] if b["permissionCount"] == 0)
    response = await emulator.get(
        f"/{empty['id']}/{PERMISSIONS}", params={"access_token": demo.agency}
    )
    assert response.json() == {"data": []}


@pytest.mark.parametrize(
    "cursor",
    ["not base64!", base64.b64encode(b"garbage").decode(), "", "=="],
)
async def test_malformed_cursors_are_graph_errors(
    emulator: httpx.AsyncClient, demo: Demo, cursor: str
) -> None:
    url = f"/{demo.big_brand}/{PERMISSIONS}"
    for direction in ("after", "before"):
        response = await emulator.get(
            url, params={"access_token": demo.agency, direction: cursor or "%%%"}
        )
        assert response.status_code == 400
        assert error_of(response)["code"] == 2642


async def test_a_cursor_of_another_list_is_refused(emulator: httpx.AsyncClient, demo: Demo) -> None:
    other = next(b for b in demo.state["brands"][2:] if b["permissionCount"] > 1)
    page = await emulator.get(
        f"/{other['id']}/{PERMISSIONS}", params={"access_token": demo.agency, "limit": 1}
    )
    cursor = page.json()["paging"]["cursors"]["after"]
    response = await emulator.get(
        f"/{demo.big_brand}/{PERMISSIONS}", params={"access_token": demo.agency, "after": cursor}
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == 2642


async def test_a_cursor_past_the_end_exceeds_the_limit(
    emulator: httpx.AsyncClient, demo: Demo
) -> None:
    page = await emulator.get(
        f"/{demo.big_brand}/{PERMISSIONS}", params={"access_token": demo.agency, "limit": 1}
    )
    tag = base64.b64decode(page.json()["paging"]["cursors"]["after"]).decode().split(":")[0]
    forged = base64.b64encode(f"{tag}:99999999".encode()).decode()
    response = await emulator.get(
        f"/{demo.big_brand}/{PERMISSIONS}", params={"access_token": demo.agency, "after": forged}
    )
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == 100
    assert "After Cursor specified exceeds" in error["message"]
