"""`GET /me` and `/me/accounts`: the token's user and its Pages, paged, selected and batched."""

import json
from typing import Any

import httpx
import pytest

from tests.demo import Demo
from tests.emulator.support import error_of, walk_cursors, walk_next, walk_previous

ACCOUNTS = "accounts"
FIELDS = "id,name,instagram_business_account{id,username}"
SIZES = [1, 7, 10, 100]


def _token(demo: Demo, role: str, user_id: str | None = None) -> dict[str, Any]:
    return next(
        t
        for t in demo.state["tokens"]
        if t["role"] == role and (user_id is None or t["userId"] == user_id)
    )


def _agency(demo: Demo) -> dict[str, Any]:
    return next(t for t in demo.state["tokens"] if t["token"] == demo.agency)


def _in_house(demo: Demo) -> dict[str, Any]:
    return next(t for t in demo.state["tokens"] if t["token"] == demo.in_house)


def _creator_tokens(demo: Demo, with_page: bool) -> list[dict[str, Any]]:
    return [
        t
        for t in demo.state["tokens"]
        if t["role"] == "creator"
        and (demo.creator(t["userId"])["facebookPageId"] is not None) is with_page
    ]


def _flat(pages: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return [item for page in pages for item in page]


async def _all(client: httpx.AsyncClient, token: str, **params: Any) -> list[dict[str, Any]]:
    pages = await walk_next(
        client, f"/v23.0/me/{ACCOUNTS}", access_token=token, limit=100, **params
    )
    return _flat(pages)


async def test_me_is_the_tokens_user(emulator: httpx.AsyncClient, demo: Demo) -> None:
    for token in demo.state["tokens"]:
        if token["role"] == "expired":
            continue
        response = await emulator.get("/v23.0/me", params={"access_token": token["token"]})
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {"id", "name"}
        assert body["id"] == token["userId"]
        assert body["name"]
    names = await emulator.get("/me", params={"access_token": demo.agency, "fields": "name"})
    assert set(names.json()) == {"name"}
    unknown = await emulator.get("/me", params={"access_token": demo.agency, "fields": "email"})
    assert (unknown.status_code, error_of(unknown)["code"]) == (400, 100)
    assert "nonexisting field (email) on node type (User)" in error_of(unknown)["message"]


@pytest.mark.parametrize("path", ["/me", f"/me/{ACCOUNTS}"])
async def test_token_errors_come_first(emulator: httpx.AsyncClient, demo: Demo, path: str) -> None:
    missing = await emulator.get(path)
    assert (missing.status_code, error_of(missing)["code"]) == (400, 104)
    expired = await emulator.get(path, params={"access_token": demo.expired})
    assert (error_of(expired)["code"], error_of(expired)["error_subcode"]) == (190, 463)


async def test_the_agency_sees_one_page_per_brand_in_scope(
    emulator: httpx.AsyncClient, demo: Demo
) -> None:
    scope = _agency(demo)["brandIds"]
    pages = await _all(emulator, demo.agency, fields=FIELDS)
    accounts = [page["instagram_business_account"] for page in pages]
    assert [account["id"] for account in accounts] == scope
    assert [account["username"] for account in accounts] == [
        demo.brand(brand)["username"] for brand in scope
    ]
    assert len({page["id"] for page in pages}) == len(pages) == 125
    assert all(set(page) == {"id", "name", "instagram_business_account"} for page in pages)
    big = next(p for p in pages if p["instagram_business_account"]["id"] == demo.big_brand)
    assert big["name"] == "Northwind Outfitters"


async def test_the_in_house_team_also_has_pages_without_instagram(
    emulator: httpx.AsyncClient, demo: Demo
) -> None:
    pages = await _all(emulator, demo.in_house, fields=FIELDS)
    linked = [p["instagram_business_account"]["id"] for p in pages if len(p) == 3]
    assert sorted(linked) == sorted(_in_house(demo)["brandIds"])
    loose = [p for p in pages if "instagram_business_account" not in p]
    assert [set(p) for p in loose] == [{"id", "name"}] * 3
    # one opens the list and one sits between two linked Pages: skipping them is the reader's job
    assert pages[0] in loose
    assert any(
        pages[i] in loose and pages[i - 1] not in loose and pages[i + 1] not in loose
        for i in range(1, len(pages) - 1)
    )


async def test_a_creator_sees_its_own_page_or_none(emulator: httpx.AsyncClient, demo: Demo) -> None:
    with_page = _creator_tokens(demo, with_page=True)
    without = _creator_tokens(demo, with_page=False)
    assert with_page
    assert without
    for token in with_page:
        creator = demo.creator(token["userId"])
        pages = await _all(emulator, token["token"], fields=FIELDS, summary="true")
        assert pages == [
            {
                "id": creator["facebookPageId"],
                "name": pages[0]["name"],
                "instagram_business_account": {
                    "id": creator["id"],
                    "username": creator["username"],
                },
            }
        ]
    for token in without:
        response = await emulator.get(
            f"/me/{ACCOUNTS}", params={"access_token": token["token"], "summary": "true"}
        )
        assert response.json() == {"data": [], "summary": {"total_count": 0}}


@pytest.mark.parametrize("limit", SIZES)
async def test_accounts_walk_the_same_every_way(
    emulator: httpx.AsyncClient, demo: Demo, limit: int
) -> None:
    url = f"/v23.0/me/{ACCOUNTS}"
    params = {"access_token": demo.agency, "limit": limit, "fields": "id"}
    forward = await walk_next(emulator, url, **params)
    backward = await walk_previous(emulator, url, **params)
    copied = await walk_cursors(emulator, url, **params)
    ids = [page["id"] for page in _flat(forward)]
    assert len(ids) == 125
    assert [page["id"] for page in _flat(backward)] == ids
    assert [page["id"] for page in _flat(copied)] == ids
    assert all(len(page) == limit for page in forward[:-1])


async def test_user_id_path_is_the_same_list(emulator: httpx.AsyncClient, demo: Demo) -> None:
    agency = _agency(demo)
    mine = await emulator.get(
        f"/{agency['userId']}/{ACCOUNTS}", params={"access_token": demo.agency, "fields": FIELDS}
    )
    me = await emulator.get(
        f"/me/{ACCOUNTS}", params={"access_token": demo.agency, "fields": FIELDS}
    )
    assert mine.json()["data"] == me.json()["data"]
    theirs = await emulator.get(
        f"/{_in_house(demo)['userId']}/{ACCOUNTS}", params={"access_token": demo.agency}
    )
    assert (error_of(theirs)["code"], error_of(theirs)["error_subcode"]) == (100, 33)


async def test_summary_counts_every_page(emulator: httpx.AsyncClient, demo: Demo) -> None:
    for token, count in [(demo.agency, 125), (demo.in_house, 10)]:
        response = await emulator.get(
            f"/me/{ACCOUNTS}", params={"access_token": token, "summary": "true", "limit": 2}
        )
        assert response.json()["summary"] == {"total_count": count}
        assert len(response.json()["data"]) == 2


async def test_fields_select_including_the_nested_account(
    emulator: httpx.AsyncClient, demo: Demo
) -> None:
    async def first(fields: str | None) -> dict[str, Any]:
        params: dict[str, str | int] = {"access_token": demo.agency, "limit": 1}
        if fields is not None:
            params["fields"] = fields
        response = await emulator.get(f"/me/{ACCOUNTS}", params=params)
        assert response.status_code == 200, response.text
        item: dict[str, Any] = response.json()["data"][0]
        return item

    brand = _agency(demo)["brandIds"][0]
    assert set(await first(None)) == {"id", "name"}
    assert await first("instagram_business_account") == {
        "instagram_business_account": {"id": brand}
    }
    assert await first("instagram_business_account{username}") == {
        "instagram_business_account": {"username": demo.brand(brand)["username"]}
    }
    assert set(await first("name, instagram_business_account { id , username }")) == {
        "name",
        "instagram_business_account",
    }
    for bad, node_type in [("email", "Page"), ("instagram_business_account{followers}", "IGUser")]:
        response = await emulator.get(
            f"/me/{ACCOUNTS}", params={"access_token": demo.agency, "fields": bad}
        )
        assert (response.status_code, error_of(response)["code"]) == (400, 100)
        assert f"on node type ({node_type})" in error_of(response)["message"]


async def test_other_calls_on_the_user_are_graph_errors(
    emulator: httpx.AsyncClient, demo: Demo
) -> None:
    params = {"access_token": demo.agency}
    posted = await emulator.post(f"/me/{ACCOUNTS}", params=params)
    assert (error_of(posted)["code"], error_of(posted)["error_subcode"]) == (100, 33)
    feed = await emulator.get("/me/feed", params=params)
    assert (feed.status_code, error_of(feed)["code"]) == (400, 100)
    assert "nonexisting field (feed) on node type (User)" in error_of(feed)["message"]
    deep = await emulator.get(f"/me/{ACCOUNTS}/x", params=params)
    assert error_of(deep)["code"] == 2500


async def test_batch_entries_and_stats(emulator: httpx.AsyncClient, demo: Demo) -> None:
    entries = [
        {"method": "GET", "relative_url": "v23.0/me"},
        {"method": "GET", "relative_url": f"v23.0/me/{ACCOUNTS}?limit=3&summary=true"},
        {"method": "GET", "relative_url": f"me/{ACCOUNTS}?fields=nope"},
    ]
    await emulator.get("/me", params={"access_token": demo.agency})
    response = await emulator.post(
        "/", data={"access_token": demo.agency, "batch": json.dumps(entries)}
    )
    me, accounts, bad = response.json()
    assert (me["code"], json.loads(me["body"])["id"]) == (200, _agency(demo)["userId"])
    assert accounts["code"] == 200
    assert len(json.loads(accounts["body"])["data"]) == 3
    assert json.loads(accounts["body"])["summary"] == {"total_count": 125}
    assert (bad["code"], json.loads(bad["body"])["error"]["code"]) == (400, 100)
    stats = (await emulator.get("/admin/stats")).json()
    assert stats["total"] == 2
    assert stats["byEdge"][ACCOUNTS] == {"GET": 2}
    assert stats["byEdge"]["me"] == {"GET": 2}


async def test_faults_match_the_new_edges(emulator: httpx.AsyncClient, demo: Demo) -> None:
    await emulator.post("/admin/faults", json={"edge": ACCOUNTS, "errorCode": 2, "count": 1})
    me = await emulator.get("/me", params={"access_token": demo.agency})
    assert me.status_code == 200
    faulted = await emulator.get(f"/me/{ACCOUNTS}", params={"access_token": demo.agency})
    assert (faulted.status_code, error_of(faulted)["code"]) == (500, 2)
    again = await emulator.get(f"/me/{ACCOUNTS}", params={"access_token": demo.agency})
    assert again.status_code == 200
