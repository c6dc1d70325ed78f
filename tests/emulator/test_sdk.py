"""Meta's own Python SDK (facebook-business) against the emulator, its Graph URL pointed here."""

import asyncio
from typing import Any

import httpx
from facebook_business.adobjects.brandedcontentshadowigmediaid import BrandedContentShadowIGMediaID
from facebook_business.adobjects.igbcadspermission import IGBCAdsPermission
from facebook_business.adobjects.iguser import IGUser
from facebook_business.api import FacebookAdsApi
from facebook_business.exceptions import FacebookRequestError

from tests.demo import Demo
from tests.emulator.support import walk_next


def _api(base_url: str, token: str) -> Any:
    api = FacebookAdsApi.init(access_token=token, api_version="v23.0", crash_log=False)
    api._session.GRAPH = base_url  # the SDK's documented attribute, per session instance
    return api


def _walk_and_request(base_url: str, demo: Demo, creator_id: str) -> dict[str, Any]:
    api = _api(base_url, demo.agency)
    brand = IGUser(demo.big_brand, api=api)
    cursor = brand.get_branded_content_ad_permissions(
        fields=["id", "permission_type", "status"], params={"limit": 25}
    )
    listed = [permission["id"] for permission in cursor]
    created = brand.create_branded_content_ad_permission(
        params={"creator_instagram_account": creator_id}
    )
    try:
        IGUser(demo.out_of_scope_brand, api=api).get_branded_content_ad_permissions()
    except FacebookRequestError as error:
        refused = (error.api_error_code(), error.http_status())
    return {"listed": listed, "total": cursor.total(), "created": created["id"], "refused": refused}


async def test_the_sdk_walks_and_requests(
    emulator: httpx.AsyncClient, emulator_url: str, demo: Demo
) -> None:
    creator = demo.creator_without_big_brand_permission()
    result = await asyncio.to_thread(_walk_and_request, emulator_url, demo, creator["id"])
    assert len(result["listed"]) == demo.brand(demo.big_brand)["permissionCount"] == 300
    assert len(set(result["listed"])) == 300
    assert result["total"] == 300
    assert result["refused"] == (10, 403)
    state = (await emulator.get("/admin/state")).json()
    count = next(b for b in state["brands"] if b["id"] == demo.big_brand)["permissionCount"]
    assert count == 301
    stats = (await emulator.get("/admin/stats")).json()
    assert stats["byEdge"]["branded_content_ad_permissions"] == {"GET": 13, "POST": 1}
    pages = await walk_next(
        emulator,
        f"/{demo.big_brand}/branded_content_ad_permissions",
        access_token=demo.agency,
        limit=100,
        fields="id,status",
    )
    assert pages[-1][-1] == {"id": result["created"], "status": "PENDING"}


def _read_one(base_url: str, demo: Demo, username: str) -> dict[str, Any]:
    api = _api(base_url, demo.agency)
    filtered = IGUser(demo.big_brand, api=api).get_branded_content_ad_permissions(
        fields=["id", "permission_type", "status"], params={"creator_username": username}
    )
    listed = [permission.export_all_data() for permission in filtered]
    read = IGBCAdsPermission(listed[0]["id"], api=api).api_get(
        fields=[IGBCAdsPermission.Field.permission_type, IGBCAdsPermission.Field.status]
    )
    try:
        IGBCAdsPermission("17999999999999999", api=api).api_get(fields=["status"])
    except FacebookRequestError as error:
        unknown = (error.api_error_code(), error.api_error_subcode(), error.api_error_type())
    return {"listed": listed, "read": read.export_all_data(), "unknown": unknown}


async def test_the_sdk_reads_a_permission_and_filters_by_username(
    emulator: httpx.AsyncClient, emulator_url: str, demo: Demo
) -> None:
    await emulator.post("/admin/grow", json={"brandId": demo.big_brand, "permissions": 10_000})
    creator = (await emulator.get("/admin/state")).json()["creators"][-1]
    await emulator.post("/admin/stats/reset")
    result = await asyncio.to_thread(_read_one, emulator_url, demo, creator["username"])
    [listed] = result["listed"]
    assert listed["permission_type"] == "ACCOUNT_LEVEL"
    assert result["read"] == listed
    assert result["unknown"] == (100, 33, "GraphMethodException")
    stats = (await emulator.get("/admin/stats")).json()
    assert stats["byEdge"]["branded_content_ad_permissions"]["GET"] == 1
    assert stats["byEdge"]["node"] == {"GET": 2}


def _advertisable(base_url: str, demo: Demo, username: str) -> dict[str, Any]:
    api = _api(base_url, demo.agency)
    fields = [
        BrandedContentShadowIGMediaID.Field.id,
        BrandedContentShadowIGMediaID.Field.eligibility_errors,
        BrandedContentShadowIGMediaID.Field.has_permission_for_partnership_ad,
        BrandedContentShadowIGMediaID.Field.owner_id,
        BrandedContentShadowIGMediaID.Field.permalink,
    ]
    brand = IGUser(demo.big_brand, api=api)
    every = brand.get_branded_content_advertisable_medias(fields=fields, params={"limit": 25})
    listed = [media for media in every]
    own = brand.get_branded_content_advertisable_medias(
        fields=fields,
        params={
            "creator_username": username,
            "media_relationship": [BrandedContentShadowIGMediaID.MediaRelationship.is_tagged],
            "only_fetch_allowlisted": False,
        },
    )
    chosen = brand.get_branded_content_advertisable_medias(
        fields=["id"], params={"permalinks": [listed[3]["permalink"], listed[0]["permalink"]]}
    )
    try:
        IGUser(demo.out_of_scope_brand, api=api).get_branded_content_advertisable_medias()
    except FacebookRequestError as error:
        refused = (error.api_error_code(), error.http_status())
    return {
        "types": {type(media).__name__ for media in listed},
        "listed": [media.export_all_data() for media in listed],
        "total": every.total(),
        "own": [media.export_all_data() for media in own],
        "chosen": [media["id"] for media in chosen],
        "refused": refused,
    }


async def test_the_sdk_lists_what_a_brand_can_promote(
    emulator: httpx.AsyncClient, emulator_url: str, demo: Demo
) -> None:
    creator = demo.creator(demo.creator_id)
    result = await asyncio.to_thread(_advertisable, emulator_url, demo, creator["username"])
    assert result["types"] == {"BrandedContentShadowIGMediaID"}
    listed = result["listed"]
    assert len(listed) == result["total"] == demo.brand(demo.big_brand)["advertisableMediaCount"]
    assert len(listed) > 25
    eligible = [m for m in listed if m["has_permission_for_partnership_ad"]]
    assert all(m["eligibility_errors"] == [] for m in eligible)
    assert all(len(m["eligibility_errors"]) == 1 for m in listed if m not in eligible)
    assert 0 < len(eligible) < len(listed)
    assert result["own"] == [m for m in listed if m["owner_id"] == demo.creator_id]
    assert result["own"]
    assert result["chosen"] == [listed[0]["id"], listed[3]["id"]]
    assert result["refused"] == (10, 403)
    stats = (await emulator.get("/admin/stats")).json()
    assert stats["byEdge"]["branded_content_advertisable_medias"] == {"GET": len(listed) // 25 + 4}
