"""The API answers a brand's permissions in the emulator's order."""

from tests.api.conftest import Api, Demo


async def test_first_page_matches_the_emulator(api: Api, demo: Demo) -> None:
    data = await api.data("BrandPermissions", {"brandId": demo.big_brand, "first": 5})
    edges = data["brand"]["permissions"]["edges"]
    upstream = await api.emulator.get(
        f"/v23.0/{demo.big_brand}/branded_content_ad_permissions",
        params={"access_token": demo.agency, "limit": 5},
    )
    assert [e["node"]["graphId"] for e in edges] == [p["id"] for p in upstream.json()["data"]]
