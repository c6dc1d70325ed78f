"""The wire as real clients send it: version prefixes, query, form or JSON bodies, Bearer, flags."""

import httpx
import pytest

from tests.demo import Demo
from tests.emulator.support import PERMISSIONS, error_of


@pytest.mark.parametrize("prefix", ["", "/v23.0", "/v19.0", "/v2.12"])
async def test_any_version_prefix(emulator: httpx.AsyncClient, demo: Demo, prefix: str) -> None:
    response = await emulator.get(
        f"{prefix}/{demo.big_brand}/{PERMISSIONS}", params={"access_token": demo.agency}
    )
    assert response.status_code == 200
    expected = f"{emulator.base_url}{prefix}/{demo.big_brand}/{PERMISSIONS}?"
    assert response.json()["paging"]["next"].startswith(expected)


async def test_bearer_header_carries_the_token(emulator: httpx.AsyncClient, demo: Demo) -> None:
    response = await emulator.get(
        f"/{demo.big_brand}/{PERMISSIONS}", headers={"Authorization": f"Bearer {demo.agency}"}
    )
    assert response.status_code == 200
    assert "access_token" not in response.json()["paging"]["next"]


async def test_the_paging_url_keeps_the_query(emulator: httpx.AsyncClient, demo: Demo) -> None:
    response = await emulator.get(
        f"/{demo.big_brand}/{PERMISSIONS}",
        params={"access_token": demo.agency, "limit": 3, "fields": "id,status"},
    )
    next_url = httpx.URL(response.json()["paging"]["next"])
    assert next_url.params["access_token"] == demo.agency
    assert next_url.params["limit"] == "3"
    assert next_url.params["fields"] == "id,status"
    assert next_url.params["after"] == response.json()["paging"]["cursors"]["after"]


async def _request_ok(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    permission_id: str = response.json()["id"]
    return permission_id


async def test_form_json_and_query_bodies_all_work(emulator: httpx.AsyncClient, demo: Demo) -> None:
    url = f"/{demo.big_brand}/{PERMISSIONS}"
    creators = demo.state["creators"][-4:]
    ids = {
        await _request_ok(
            await emulator.post(
                url,
                data={"access_token": demo.agency, "creator_instagram_account": creators[0]["id"]},
            )
        ),
        await _request_ok(
            await emulator.post(
                url,
                json={
                    "access_token": demo.agency,
                    "creator_instagram_username": creators[1]["username"],
                },
            )
        ),
        await _request_ok(
            await emulator.post(
                url,
                params={
                    "access_token": demo.agency,
                    "creator_instagram_account": creators[2]["id"],
                },
            )
        ),
        await _request_ok(
            await emulator.post(
                url,
                params={"access_token": demo.agency},
                data={"creator_instagram_account": creators[3]["id"]},
            )
        ),
    }
    assert len(ids) == 4


async def test_json_booleans_and_string_booleans(emulator: httpx.AsyncClient, demo: Demo) -> None:
    url = f"/{demo.big_brand}/{PERMISSIONS}"
    creator = demo.creator_without_big_brand_permission()["id"]
    headers = {"Authorization": f"Bearer {demo.agency}"}
    asked = await emulator.post(url, json={"creator_instagram_account": creator}, headers=headers)
    revoked = await emulator.post(
        url, json={"creator_instagram_account": creator, "revoke": True}, headers=headers
    )
    assert revoked.json() == asked.json()
    again = await emulator.post(
        url, json={"creator_instagram_account": creator, "revoke": "True"}, headers=headers
    )
    assert (again.status_code, error_of(again)["code"]) == (400, 100)


async def test_a_malformed_json_body_is_a_graph_error(
    emulator: httpx.AsyncClient, demo: Demo
) -> None:
    response = await emulator.post(
        f"/{demo.big_brand}/{PERMISSIONS}",
        content=b"{not json",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {demo.agency}"},
    )
    assert (response.status_code, error_of(response)["code"]) == (400, 100)


async def test_appsecret_proof_and_summary_are_accepted(
    emulator: httpx.AsyncClient, demo: Demo
) -> None:
    response = await emulator.get(
        f"/{demo.big_brand}/{PERMISSIONS}",
        params={"access_token": demo.agency, "appsecret_proof": "ab" * 32, "summary": "1"},
    )
    assert response.json()["summary"]["total_count"] == 300
