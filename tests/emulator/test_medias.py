"""The advertisable medias edge: the seed's medias, eligibility that follows the permission,
fields, filters, paging, errors and stats."""

import json
from typing import Any

import httpx

from partnergraph.emulator.seed import seeded_accounts, seeded_store
from partnergraph.emulator.store import Store
from tests.demo import Demo
from tests.emulator.support import (
    MEDIAS,
    PERMISSIONS,
    error_of,
    walk_cursors,
    walk_next,
    walk_previous,
)

ALL_FIELDS = (
    "id,eligibility_errors,has_permission_for_partnership_ad,is_creator_allowlisted,"
    "linked_products,owner_id,permalink,product_suggestions,recommended_campaign_objectives"
)
DEFAULT_FIELDS = {
    "id",
    "eligibility_errors",
    "has_permission_for_partnership_ad",
    "owner_id",
    "permalink",
}


async def _medias(
    client: httpx.AsyncClient, brand: str, token: str, **params: Any
) -> list[dict[str, Any]]:
    """Every media the brand's edge lists with these parameters, in one page of 100."""
    response = await client.get(
        f"/v23.0/{brand}/{MEDIAS}",
        params={"access_token": token, "limit": 100, "fields": ALL_FIELDS, **params},
    )
    body = response.json()
    assert response.status_code == 200, body
    assert "next" not in body.get("paging", {})
    listed: list[dict[str, Any]] = body["data"]
    return listed


async def _statuses(client: httpx.AsyncClient, brand: str, token: str) -> dict[str, str]:
    """The brand's permission statuses by creator ID."""
    pages = await walk_next(
        client,
        f"/{brand}/{PERMISSIONS}",
        access_token=token,
        limit=100,
        fields="creator_id,status",
    )
    return {item["creator_id"]: item["status"] for page in pages for item in page}


def _eligible(media: dict[str, Any]) -> bool:
    return bool(media["has_permission_for_partnership_ad"]) and media["eligibility_errors"] == []


async def test_each_brand_is_tagged_eligible_while_its_permission_is_approved(
    emulator: httpx.AsyncClient, demo: Demo
) -> None:
    with_both = 0
    seen_statuses: set[str | None] = set()
    agency = next(t for t in demo.state["tokens"] if t["token"] == demo.agency)
    for brand in demo.state["brands"]:
        token = demo.agency if brand["id"] in agency["brandIds"] else demo.in_house
        medias = await _medias(emulator, brand["id"], token)
        statuses = await _statuses(emulator, brand["id"], token)
        assert len(medias) == brand["advertisableMediaCount"] > 0
        for media in medias:
            status = statuses.get(media["owner_id"])
            approved = status is not None and status.upper() == "APPROVED"
            assert _eligible(media) is approved, (brand["username"], media, status)
            assert media["has_permission_for_partnership_ad"] is approved
            if not approved:
                [error] = media["eligibility_errors"]
                assert (status or "no partnership ad permission") in error
            if brand["id"] == demo.big_brand:
                seen_statuses.add(status)
        assert not all(_eligible(media) for media in medias)
        if any(status.upper() == "APPROVED" for status in statuses.values()):
            assert any(_eligible(media) for media in medias)
            with_both += 1
    assert seen_statuses == {"PENDING", "APPROVED", "REJECTED", "REVOKED", None}
    assert with_both >= len(demo.state["brands"]) * 2 // 3


async def test_eligibility_follows_the_permission(emulator: httpx.AsyncClient, demo: Demo) -> None:
    statuses = await _statuses(emulator, demo.big_brand, demo.agency)
    medias = await _medias(emulator, demo.big_brand, demo.agency)
    stranger = next(m["owner_id"] for m in medias if m["owner_id"] not in statuses)
    pending = next(m["owner_id"] for m in medias if statuses.get(m["owner_id"]) == "PENDING")

    async def owned_by(creator_id: str) -> list[dict[str, Any]]:
        return [
            m
            for m in await _medias(emulator, demo.big_brand, demo.agency)
            if m["owner_id"] == creator_id
        ]

    [before] = {tuple(m["eligibility_errors"]) for m in await owned_by(stranger)}
    assert "no partnership ad permission" in before[0]
    asked = await emulator.post(
        f"/{demo.big_brand}/{PERMISSIONS}",
        data={"access_token": demo.agency, "creator_instagram_account": stranger},
    )
    permission = asked.json()["id"]
    assert all("PENDING" in m["eligibility_errors"][0] for m in await owned_by(stranger))
    await emulator.post(f"/admin/permissions/{permission}", json={"status": "APPROVED"})
    assert all(_eligible(m) for m in await owned_by(stranger))
    await emulator.post(
        f"/{demo.big_brand}/{PERMISSIONS}",
        data={"access_token": demo.agency, "creator_instagram_account": stranger, "revoke": "true"},
    )
    revoked = await owned_by(stranger)
    assert not any(m["has_permission_for_partnership_ad"] for m in revoked)
    assert all("REVOKED" in m["eligibility_errors"][0] for m in revoked)
    assert not any(_eligible(m) for m in await owned_by(pending))


async def test_fields_default_and_select(emulator: httpx.AsyncClient, demo: Demo) -> None:
    url = f"/{demo.big_brand}/{MEDIAS}"
    plain = (await emulator.get(url, params={"access_token": demo.agency})).json()
    assert len(plain["data"]) == 10
    assert {frozenset(item) for item in plain["data"]} == {frozenset(DEFAULT_FIELDS)}
    full = await _medias(emulator, demo.big_brand, demo.agency)
    assert {frozenset(item) for item in full} == {frozenset(ALL_FIELDS.split(","))}
    assert all(item["id"].isdigit() and len(item["id"]) == 17 for item in full)
    assert all(item["permalink"].startswith("https://www.instagram.com/") for item in full)
    assert {item["linked_products"] == item["product_suggestions"] == [] for item in full} == {True}
    assert {bool(item["recommended_campaign_objectives"]) for item in full} == {True, False}
    assert {item["is_creator_allowlisted"] for item in full} == {True, False}
    chosen = (
        await emulator.get(url, params={"access_token": demo.agency, "fields": "id,permalink"})
    ).json()
    assert [item["id"] for item in chosen["data"]] == [item["id"] for item in plain["data"]]
    assert {frozenset(item) for item in chosen["data"]} == {frozenset({"id", "permalink"})}
    bad = await emulator.get(url, params={"access_token": demo.agency, "fields": "id,caption"})
    assert (bad.status_code, error_of(bad)["code"]) == (400, 100)
    assert "(caption) on node type (BrandedContentShadowIGMediaID)" in error_of(bad)["message"]


async def test_creator_username_keeps_that_creators_medias(
    emulator: httpx.AsyncClient, demo: Demo
) -> None:
    medias = await _medias(emulator, demo.big_brand, demo.agency)
    owner = medias[-1]["owner_id"]
    username = demo.creator(owner)["username"]
    own = await _medias(emulator, demo.big_brand, demo.agency, creator_username=username.upper())
    assert own == [m for m in medias if m["owner_id"] == owner]
    assert own
    untagging = demo.creator_without_big_brand_permission()
    assert untagging["id"] not in {m["owner_id"] for m in medias}
    none = await _medias(
        emulator, demo.big_brand, demo.agency, creator_username=untagging["username"]
    )
    assert none == []
    unknown = await emulator.get(
        f"/{demo.big_brand}/{MEDIAS}",
        params={"access_token": demo.agency, "creator_username": "no.such.creator"},
    )
    assert (unknown.status_code, error_of(unknown)["code"]) == (400, 100)
    assert "'no.such.creator' was not found" in error_of(unknown)["message"]


async def test_the_filters_narrow_the_list(emulator: httpx.AsyncClient, demo: Demo) -> None:
    medias = await _medias(emulator, demo.big_brand, demo.agency)
    ids = [m["id"] for m in medias]

    async def listed(**params: Any) -> list[str]:
        return [m["id"] for m in await _medias(emulator, demo.big_brand, demo.agency, **params)]

    allowlisted = await listed(only_fetch_allowlisted="true")
    assert allowlisted == [m["id"] for m in medias if m["is_creator_allowlisted"]]
    assert 0 < len(allowlisted) < len(ids)
    recommended = await listed(only_fetch_recommended_content="true")
    assert recommended == [m["id"] for m in medias if m["recommended_campaign_objectives"]]
    assert 0 < len(recommended) < len(ids)
    assert await listed(only_fetch_allowlisted="false") == ids
    other = await _medias(emulator, demo.odd_brand, demo.agency)
    chosen = [medias[5]["permalink"], other[0]["permalink"], medias[1]["permalink"]]
    shortcode = medias[1]["permalink"].rstrip("/").rsplit("/", 1)[1]
    assert await listed(permalinks=json.dumps(chosen)) == [ids[1], ids[5]]
    assert await listed(permalinks=f"['{chosen[0]}', '{shortcode}']") == [ids[1], ids[5]]
    assert await listed(permalinks=f"{chosen[0]},{chosen[1]}") == [ids[5]]
    assert await listed(permalinks=f"{chosen[0]}?igsh=x,not-a-code!") == [ids[5]]
    assert await listed(permalinks="[]") == []
    assert await listed(permalinks="[" * 5_000 + "]" * 5_000) == []
    assert await listed(media_relationship='["IS_TAGGED"]', permalinks=json.dumps(chosen)) == ids
    assert await listed(media_relationship='["OWNED"]') == []
    assert await listed(media_relationship="IS_TAGGED,OWNED") == ids
    bad = await emulator.get(
        f"/{demo.big_brand}/{MEDIAS}",
        params={"access_token": demo.agency, "media_relationship": '["MENTIONED"]'},
    )
    assert (bad.status_code, error_of(bad)["code"]) == (400, 100)
    assert "MENTIONED" in error_of(bad)["message"]
    for name, value in [("permalinks", "[1, 2]"), ("only_fetch_allowlisted", "maybe")]:
        refused = await emulator.get(
            f"/{demo.big_brand}/{MEDIAS}", params={"access_token": demo.agency, name: value}
        )
        assert (refused.status_code, error_of(refused)["code"]) == (400, 100)


async def test_an_ad_code_names_its_media(emulator: httpx.AsyncClient, demo: Demo) -> None:
    store = seeded_store()
    coded = [m for m in store.medias_tagging(demo.big_brand) if m.ad_code is not None]
    assert coded
    listed = await _medias(emulator, demo.big_brand, demo.agency, ad_code=coded[0].ad_code)
    assert [m["id"] for m in listed] == [coded[0].id]
    elsewhere = next(m for m in store.medias_tagging(demo.odd_brand) if m.ad_code is not None)
    assert await _medias(emulator, demo.big_brand, demo.agency, ad_code=elsewhere.ad_code) == []
    both = await _medias(
        emulator,
        demo.big_brand,
        demo.agency,
        ad_code=coded[0].ad_code,
        permalinks=json.dumps([coded[0].permalink]),
    )
    assert [m["id"] for m in both] == [coded[0].id]


async def test_it_pages_like_every_list(emulator: httpx.AsyncClient, demo: Demo) -> None:
    url = f"/{demo.big_brand}/{MEDIAS}"
    whole = [m["id"] for m in await _medias(emulator, demo.big_brand, demo.agency)]
    params: dict[str, Any] = {"access_token": demo.agency, "limit": 7, "fields": "id"}
    for walk in (walk_next, walk_previous, walk_cursors):
        pages = await walk(emulator, url, **params)
        assert [len(page) for page in pages[:-1]] == [7] * (len(pages) - 1)
        assert [item["id"] for page in pages for item in page] == whole
    summary = (await emulator.get(url, params={**params, "summary": "true"})).json()
    assert summary["summary"] == {"total_count": len(whole)}
    assert summary["paging"]["next"].startswith(str(emulator.base_url))
    permissions = (
        await emulator.get(f"/{demo.big_brand}/{PERMISSIONS}", params={**params, "limit": 1})
    ).json()
    foreign = await emulator.get(
        url, params={**params, "after": permissions["paging"]["cursors"]["after"]}
    )
    assert (foreign.status_code, error_of(foreign)["code"]) == (400, 2642)


async def test_scope_errors_are_the_permissions_edges(
    emulator: httpx.AsyncClient, demo: Demo
) -> None:
    url = f"/{demo.big_brand}/{MEDIAS}"
    for token in (demo.creator_token, demo.in_house):
        refused = await emulator.get(url, params={"access_token": token})
        assert (refused.status_code, error_of(refused)["code"]) == (403, 10)
    outside = await emulator.get(
        f"/{demo.out_of_scope_brand}/{MEDIAS}", params={"access_token": demo.agency}
    )
    assert (outside.status_code, error_of(outside)["code"]) == (403, 10)
    own = await emulator.get(
        f"/{demo.creator_id}/{MEDIAS}", params={"access_token": demo.creator_token}
    )
    assert (own.status_code, error_of(own)["code"]) == (403, 10)
    expired = await emulator.get(url, params={"access_token": demo.expired})
    assert (expired.status_code, error_of(expired)["code"]) == (400, 190)
    posted = await emulator.post(url, data={"access_token": demo.agency})
    assert (posted.status_code, error_of(posted)["code"], error_of(posted)["error_subcode"]) == (
        400,
        100,
        33,
    )


async def test_calls_count_under_the_edge(emulator: httpx.AsyncClient, demo: Demo) -> None:
    url = f"/{demo.big_brand}/{MEDIAS}"
    answered = await emulator.get(url, params={"access_token": demo.agency})
    usage = json.loads(answered.headers["x-business-use-case-usage"])
    assert list(usage) == [demo.big_brand]
    await emulator.get(url, params={"access_token": demo.creator_token})
    entries = [{"method": "GET", "relative_url": f"v23.0/{demo.big_brand}/{MEDIAS}?limit=2"}]
    batch = await emulator.post(
        "/", data={"access_token": demo.agency, "batch": json.dumps(entries)}
    )
    assert json.loads(batch.json()[0]["body"])["data"]
    stats = (await emulator.get("/admin/stats")).json()
    assert stats["byEdge"][MEDIAS] == {"GET": 3}
    assert stats["total"] == 3


def _accounts(store: Store) -> list[Any]:
    """Everything the seed held before medias, and the next ID and key the store hands out."""
    brands = list(store.brands.values())
    return [
        brands,
        list(store.creators.values()),
        list(store.tokens.values()),
        list(store.users.values()),
        list(store.pages.values()),
        list(store.permissions.values()),
        [list(store.brand_permissions(brand.id)) for brand in brands],
        [list(store.invites_of(creator_id)) for creator_id in store.creators],
        [list(store.pages_of(user_id)) for user_id in store.users],
        store.last_key,
        store.new_id("17"),
        store.new_id("18"),
    ]


def test_medias_leave_the_rest_of_the_seed_as_it_was() -> None:
    with_medias, without = seeded_store(), seeded_accounts()
    assert _accounts(with_medias) == _accounts(without)
    assert sum(len(with_medias.medias_tagging(b)) for b in with_medias.brands) > 300
    assert sum(len(without.medias_tagging(b)) for b in without.brands) == 0
    again = seeded_store()
    assert [list(again.medias_tagging(b)) for b in again.brands] == [
        list(with_medias.medias_tagging(b)) for b in with_medias.brands
    ]
