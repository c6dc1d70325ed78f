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


def _bodies(response: httpx.Response) -> list[Any]:
    assert response.status_code == 200, response.text
    return [None if result is None else json.loads(result["body"]) for result in response.json()]


@pytest.mark.parametrize(
    "reference", ["{result=ask:$.id}", "%7Bresult%3Dask%3A%24.id%7D", "{result=ask:$['id']}"]
)
async def test_a_write_and_its_read_back_travel_as_one_request(
    emulator: httpx.AsyncClient, demo: Demo, reference: str
) -> None:
    creator = demo.creator_without_big_brand_permission()
    entries = [
        {
            "method": "POST",
            "name": "ask",
            "relative_url": f"v23.0/{demo.big_brand}/{PERMISSIONS}",
            "body": f"creator_instagram_account={creator['id']}",
        },
        {"method": "GET", "relative_url": f"v23.0/{reference}?fields=id,status,creator_id"},
    ]
    asked, read = _bodies(await _batch(emulator, demo.agency, entries))
    assert asked is None
    assert read["status"] == "PENDING"
    assert read["creator_id"] == creator["id"]
    state = (await emulator.get("/admin/state")).json()
    assert next(b for b in state["brands"] if b["id"] == demo.big_brand)["permissionCount"] == 301
    stats = (await emulator.get("/admin/stats")).json()
    assert stats["total"] == 1
    assert stats["byEdge"][PERMISSIONS] == {"GET": 0, "POST": 1}
    assert stats["byEdge"]["node"] == {"GET": 1}


async def test_a_named_answer_comes_back_when_asked_for(
    emulator: httpx.AsyncClient, demo: Demo
) -> None:
    creator = demo.creator_without_big_brand_permission()
    entries: list[dict[str, Any]] = [
        {
            "method": "POST",
            "name": "ask",
            "omit_response_on_success": False,
            "relative_url": f"{demo.big_brand}/{PERMISSIONS}",
            "body": {"creator_instagram_username": creator["username"]},
        },
        {"method": "GET", "relative_url": "{result=ask:$.id}?fields=status"},
        {"method": "GET", "name": "unused", "relative_url": f"{demo.big_brand}/{PERMISSIONS}"},
    ]
    asked, read, unused = _bodies(await _batch(emulator, demo.agency, entries))
    assert set(asked) == {"id"}
    assert read == {"status": "PENDING"}
    assert len(unused["data"]) == 10


async def test_references_fill_bodies_and_depends_on_waits(
    emulator: httpx.AsyncClient, demo: Demo
) -> None:
    listed = (
        await emulator.get(
            f"/{demo.big_brand}/{PERMISSIONS}",
            params={"access_token": demo.agency, "fields": "id", "limit": 1},
        )
    ).json()["data"][0]
    entries = [
        {"method": "GET", "name": "read", "relative_url": f"{listed['id']}?fields=creator_id"},
        {
            "method": "POST",
            "name": "revoke",
            "relative_url": f"{demo.big_brand}/{PERMISSIONS}",
            "body": "creator_instagram_account={result=read:$.creator_id}&revoke=true",
        },
        {"method": "GET", "depends_on": "revoke", "relative_url": f"{listed['id']}?fields=status"},
    ]
    read, revoked, after = _bodies(await _batch(emulator, demo.agency, entries))
    assert (read, revoked) == (None, None)
    assert after == {"status": "REVOKED"}


async def test_a_failed_dependency_skips_what_depends_on_it(
    emulator: httpx.AsyncClient, demo: Demo
) -> None:
    entries = [
        {
            "method": "POST",
            "name": "ask",
            "relative_url": f"{demo.big_brand}/{PERMISSIONS}",
            "body": "creator_instagram_username=nobody.here",
        },
        {"method": "GET", "name": "read", "relative_url": "{result=ask:$.id}"},
        {"method": "GET", "depends_on": "read", "relative_url": f"{demo.big_brand}/{PERMISSIONS}"},
        {"method": "GET", "relative_url": f"{demo.big_brand}/{PERMISSIONS}?limit=1"},
    ]
    response = await _batch(emulator, demo.agency, entries)
    results = response.json()
    assert results[0]["code"] == 400
    assert json.loads(results[0]["body"])["error"]["code"] == 100
    assert results[1:3] == [None, None]
    assert results[3]["code"] == 200
    stats = (await emulator.get("/admin/stats")).json()
    assert stats["byEdge"][PERMISSIONS] == {"GET": 2, "POST": 1}
    assert stats["byEdge"]["node"] == {"GET": 1}


async def test_a_list_result_joins_with_commas(emulator: httpx.AsyncClient, demo: Demo) -> None:
    entries = [
        {
            "method": "GET",
            "name": "page",
            "relative_url": f"{demo.big_brand}/{PERMISSIONS}?fields=id&limit=3",
            "omit_response_on_success": "false",
        },
        {"method": "GET", "relative_url": "{result=page:$.data.*.id}"},
        {"method": "GET", "relative_url": "{result=page:$.data[1].id}?fields=id"},
    ]
    page, joined, second = _bodies(await _batch(emulator, demo.agency, entries))
    ids = ",".join(item["id"] for item in page["data"])
    assert f"Object with ID '{ids}' does not exist" in joined["error"]["message"]
    assert second == page["data"][1]


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        (
            [{"method": "GET", "relative_url": "{result=later:$.id}"}, {"name": "later"}],
            "Request 0 cannot depend on an  unresolved request with  name later. "
            "Requests can only depend on preceding requests",
        ),
        (
            [{"method": "GET", "relative_url": "me"}, {"depends_on": "nobody"}],
            "Request 1 cannot depend on an  unresolved request with  name nobody. "
            "Requests can only depend on preceding requests",
        ),
        (
            [{"name": "a"}, {"method": "GET", "relative_url": "me?x={result=a:$.data[?(@.id)]}"}],
            "Invalid JSONPath expression in batch: $.data[?(@.id)]",
        ),
        (
            [{"name": "a"}, {"method": "GET", "relative_url": "me?x={result=a:id}"}],
            "Invalid JSONPath expression in batch: id",
        ),
    ],
)
async def test_references_to_no_preceding_entry_fail_the_batch(
    emulator: httpx.AsyncClient, demo: Demo, entries: list[dict[str, Any]], message: str
) -> None:
    entries = [{"method": "GET", "relative_url": "me", **entry} for entry in entries]
    response = await _batch(emulator, demo.agency, entries)
    assert response.status_code == 400
    error = error_of(response)
    assert (error["type"], error["message"]) == ("GraphBatchException", message)
    stats = (await emulator.get("/admin/stats")).json()
    assert (stats["total"], stats["byEdge"]["me"]) == (1, {"GET": 0})


@pytest.mark.parametrize(
    "entry", [{"name": 3}, {"depends_on": ["a"]}, {"omit_response_on_success": "maybe"}]
)
async def test_malformed_dependencies_are_code_100(
    emulator: httpx.AsyncClient, demo: Demo, entry: dict[str, Any]
) -> None:
    entries = [{"method": "GET", "relative_url": "me", "name": "a"}]
    entries.append({"method": "GET", "relative_url": "me", **entry})
    response = await _batch(emulator, demo.agency, entries)
    assert (response.status_code, error_of(response)["code"]) == (400, 100)
