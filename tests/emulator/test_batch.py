"""The batch endpoint: mixed outcomes per entry, the 50-entry cap, and how entries are counted."""

import json
from typing import Any

import httpx
import pytest

from tests.demo import Demo
from tests.emulator.support import INVITES, PERMISSIONS, error_of


async def _batch(
    client: httpx.AsyncClient, token: str, entries: list[dict[str, Any]], path: str = "/"
) -> httpx.Response:
    return await client.post(path, data={"access_token": token, "batch": json.dumps(entries)})


@pytest.mark.parametrize("path", ["/", "/v23.0/", "/v23.0"])
async def test_mixed_entries_fail_alone(emulator: httpx.AsyncClient, demo: Demo, path: str) -> None:
    creator = demo.creator_without_big_brand_permission()
    entries = [
        {"method": "GET", "relative_url": f"v23.0/{demo.big_brand}/{PERMISSIONS}?limit=2"},
        {"method": "GET", "relative_url": f"/{demo.out_of_scope_brand}/{PERMISSIONS}"},
        {
            "method": "POST",
            "relative_url": f"{demo.big_brand}/{PERMISSIONS}",
            "body": f"creator_instagram_account={creator['id']}",
        },
        {"method": "GET", "relative_url": f"17841400000000000/{PERMISSIONS}"},
        {
            "method": "GET",
            "relative_url": f"{demo.creator_id}/{INVITES}?access_token={demo.creator_token}",
        },
    ]
    response = await _batch(emulator, demo.agency, entries, path)
    assert response.status_code == 200
    results = response.json()
    assert [result["code"] for result in results] == [200, 403, 200, 400, 200]
    bodies = [json.loads(result["body"]) for result in results]
    assert len(bodies[0]["data"]) == 2
    assert bodies[0]["paging"]["next"].startswith(str(emulator.base_url))
    assert bodies[1]["error"]["code"] == 10
    assert set(bodies[2]) == {"id"}
    assert bodies[3]["error"]["error_subcode"] == 33
    assert len(bodies[4]["data"]) == 10
    names = {header["name"].lower() for header in results[0]["headers"]}
    assert {"content-type", "x-app-usage", "x-business-use-case-usage"} <= names


async def test_more_than_50_entries_are_refused(emulator: httpx.AsyncClient, demo: Demo) -> None:
    entry = {"method": "GET", "relative_url": f"{demo.big_brand}/{PERMISSIONS}"}
    assert (await _batch(emulator, demo.agency, [entry] * 50)).status_code == 200
    refused = await _batch(emulator, demo.agency, [entry] * 51)
    assert (refused.status_code, error_of(refused)["code"]) == (400, 100)


@pytest.mark.parametrize("batch", ["", "not json", "{}", "[1]", '[{"method": "GET"}]'])
async def test_malformed_batches_are_code_100(
    emulator: httpx.AsyncClient, demo: Demo, batch: str
) -> None:
    response = await emulator.post("/", data={"access_token": demo.agency, "batch": batch})
    assert (response.status_code, error_of(response)["code"]) == (400, 100)


async def test_entries_are_counted_under_their_edges(
    emulator: httpx.AsyncClient, demo: Demo
) -> None:
    entries = [
        {"method": "GET", "relative_url": f"{demo.big_brand}/{PERMISSIONS}"},
        {"method": "GET", "relative_url": f"{demo.big_brand}/{PERMISSIONS}"},
        {"method": "POST", "relative_url": f"{demo.creator_id}/{INVITES}", "body": "media_id=1"},
    ]
    await _batch(emulator, demo.agency, entries)
    stats = (await emulator.get("/admin/stats")).json()
    assert stats["total"] == 1
    assert stats["byEdge"]["batch"] == {"POST": 1}
    assert stats["byEdge"][PERMISSIONS] == {"GET": 2, "POST": 0}
    assert stats["byEdge"][INVITES] == {"GET": 0, "POST": 1}


async def test_entries_spend_the_daily_limit(emulator: httpx.AsyncClient, demo: Demo) -> None:
    entry = {"method": "GET", "relative_url": f"{demo.creator_id}/{INVITES}?limit=1"}
    for _ in range(6):
        response = await _batch(emulator, demo.creator_token, [entry] * 50)
        assert all(result["code"] == 200 for result in response.json())
    last = await _batch(emulator, demo.creator_token, [entry])
    assert json.loads(last.json()[0]["body"])["error"]["code"] == 80002
