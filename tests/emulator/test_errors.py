"""The error contract: token errors, unknown objects and paths, all as Graph error bodies."""

import httpx
import pytest

from tests.demo import Demo
from tests.emulator.support import INVITES, PERMISSIONS, assert_unknown_object, error_of


@pytest.mark.parametrize("edge", [PERMISSIONS, INVITES])
@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_token_errors(
    emulator: httpx.AsyncClient, demo: Demo, edge: str, method: str
) -> None:
    url = f"/v23.0/{demo.big_brand}/{edge}"
    missing = await emulator.request(method, url)
    assert missing.status_code == 400
    assert (error_of(missing)["code"], error_of(missing)["type"]) == (104, "OAuthException")
    unknown = await emulator.request(method, url, params={"access_token": "EAABnotatoken"})
    assert unknown.status_code == 400
    assert error_of(unknown)["code"] == 190
    assert "error_subcode" not in error_of(unknown)
    expired = await emulator.request(method, url, params={"access_token": demo.expired})
    assert expired.status_code == 400
    assert (error_of(expired)["code"], error_of(expired)["error_subcode"]) == (190, 463)
    bearer = await emulator.request(
        method, url, headers={"Authorization": f"Bearer {demo.expired}"}
    )
    assert error_of(bearer)["error_subcode"] == 463


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_an_unknown_object_is_100_33(
    emulator: httpx.AsyncClient, demo: Demo, method: str
) -> None:
    response = await emulator.request(
        method, f"/17841400000000000/{PERMISSIONS}", params={"access_token": demo.agency}
    )
    assert_unknown_object(response, "17841400000000000", method)


async def test_unknown_paths_are_graph_errors(emulator: httpx.AsyncClient, demo: Demo) -> None:
    params = {"access_token": demo.agency}
    edge = await emulator.get(f"/{demo.big_brand}/followers", params=params)
    assert (edge.status_code, error_of(edge)["code"]) == (400, 100)
    assert "nonexisting field (followers)" in error_of(edge)["message"]
    deep = await emulator.get(f"/v23.0/{demo.big_brand}/{PERMISSIONS}/x", params=params)
    assert (deep.status_code, error_of(deep)["code"]) == (400, 2500)
    for method in ("DELETE", "PATCH", "PUT"):
        other = await emulator.request(method, f"/{demo.big_brand}/{PERMISSIONS}", params=params)
        assert (other.status_code, error_of(other)["code"]) == (400, 100)
    root = await emulator.get("/", params=params)
    assert (root.status_code, error_of(root)["code"]) == (400, 2500)
    node = await emulator.get(f"/{demo.big_brand}", params=params)
    assert error_of(node)["error_subcode"] == 33


async def test_trace_ids_differ_and_bodies_are_json(
    emulator: httpx.AsyncClient, demo: Demo
) -> None:
    first = await emulator.get(f"/{demo.big_brand}/{PERMISSIONS}")
    second = await emulator.get(f"/{demo.big_brand}/{PERMISSIONS}")
    assert first.headers["content-type"].startswith("application/json")
    assert error_of(first)["fbtrace_id"] != error_of(second)["fbtrace_id"]
    assert "x-app-usage" in first.headers
