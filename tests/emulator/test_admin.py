"""The admin API: state, stats, acting as creator and media owner, each fault kind, reset."""

import json
from typing import Any

import httpx
import pytest

from tests.demo import Demo
from tests.emulator.support import INVITES, MEDIAS, PERMISSIONS, error_of


async def test_state_has_the_documented_shape_and_seed(
    emulator: httpx.AsyncClient, demo: Demo
) -> None:
    state = demo.state
    assert set(state) == {"tokens", "brands", "creators"}
    for token in state["tokens"]:
        assert set(token) == {"token", "role", "userId", "brandIds"}
        assert token["token"].startswith("EAAB")
    assert {t["role"] for t in state["tokens"]} == {"brand_manager", "creator", "expired"}
    agency = next(t for t in state["tokens"] if t["token"] == demo.agency)
    assert len(agency["brandIds"]) >= 120
    assert len(state["brands"]) > len(agency["brandIds"])
    for brand in state["brands"]:
        assert set(brand) == {"id", "username", "permissionCount", "advertisableMediaCount"}
        assert brand["id"].startswith("178414")
        assert len(brand["id"]) == 17
    assert demo.brand(demo.big_brand)["permissionCount"] >= 300
    creators = state["creators"]
    assert len(creators) >= 40
    assert any(c["facebookPageId"] for c in creators)
    assert any(c["facebookPageId"] is None for c in creators)
    invited = [c for c in creators if c["pendingInviteCount"] >= 30]
    assert len(invited) >= 3
    creator_tokens = {t["userId"] for t in state["tokens"] if t["role"] == "creator"}
    assert all(c["id"] in creator_tokens for c in invited)
    again = (await emulator.get("/admin/state")).json()
    assert again == state


async def test_stats_count_requests_before_faults(emulator: httpx.AsyncClient, demo: Demo) -> None:
    url = f"/{demo.big_brand}/{PERMISSIONS}"
    await emulator.get(url, params={"access_token": demo.agency})
    await emulator.post(url, params={"access_token": demo.agency})
    await emulator.post("/admin/faults", json={"status": 503, "count": 1})
    faulted = await emulator.get(url, params={"access_token": demo.agency})
    assert faulted.status_code == 503
    await emulator.get(f"/{demo.creator_id}/{INVITES}")
    await emulator.get("/nowhere")
    stats = (await emulator.get("/admin/stats")).json()
    assert stats == {
        "total": 5,
        "byEdge": {
            PERMISSIONS: {"GET": 2, "POST": 1},
            INVITES: {"GET": 1, "POST": 0},
            MEDIAS: {"GET": 0},
            "accounts": {"GET": 0},
            "me": {"GET": 0},
            "node": {"GET": 1},
            "batch": {"POST": 0},
        },
    }
    await emulator.post("/admin/stats/reset")
    zero = (await emulator.get("/admin/stats")).json()
    assert zero["total"] == 0
    assert zero["byEdge"][PERMISSIONS] == {"GET": 0, "POST": 0}


async def test_acting_as_the_creator_sets_any_status(
    emulator: httpx.AsyncClient, demo: Demo
) -> None:
    url = f"/{demo.big_brand}/{PERMISSIONS}"
    first = (await emulator.get(url, params={"access_token": demo.agency, "limit": 1})).json()
    permission = first["data"][0]["id"]
    for status in ("APPROVED", "REJECTED", "weird"):
        set_ = await emulator.post(f"/admin/permissions/{permission}", json={"status": status})
        assert set_.json() == {"id": permission, "status": status}
        seen = (await emulator.get(url, params={"access_token": demo.agency, "limit": 1})).json()
        assert seen["data"][0]["permission_status"] == status
    missing = await emulator.post("/admin/permissions/1", json={"status": "APPROVED"})
    assert missing.status_code == 404
    bad = await emulator.post(f"/admin/permissions/{permission}", json={"status": 3})
    assert bad.status_code == 400


async def test_acting_as_a_media_owner_invites(emulator: httpx.AsyncClient, demo: Demo) -> None:
    created = await emulator.post(
        "/admin/invites",
        json={
            "userId": demo.creator_id,
            "mediaOwnerUsername": "katrina",
            "caption": "Making memories",
            "mediaUrl": "https://cdn.example/1.jpg",
        },
    )
    media_id = created.json()["mediaId"]
    first = await emulator.get(
        f"/{demo.creator_id}/{INVITES}", params={"access_token": demo.creator_token, "limit": 1}
    )
    assert first.json()["data"] == [
        {
            "media_id": media_id,
            "media_owner_username": "katrina",
            "caption": "Making memories",
            "media_url": "https://cdn.example/1.jpg",
        }
    ]
    unknown = await emulator.post(
        "/admin/invites", json={"userId": "17841400000000000", "mediaOwnerUsername": "x"}
    )
    assert unknown.status_code == 404
    assert "error" in unknown.json()
    malformed = await emulator.post("/admin/invites", content=b"[")
    assert malformed.status_code == 400


async def _get(client: httpx.AsyncClient, demo: Demo, patience: float = 30) -> httpx.Response:
    return await client.get(
        f"/{demo.big_brand}/{PERMISSIONS}", params={"access_token": demo.agency}, timeout=patience
    )


async def _fault(client: httpx.AsyncClient, **spec: Any) -> str:
    response = await client.post("/admin/faults", json=spec)
    assert response.status_code == 200, response.text
    fault_id: str = response.json()["id"]
    return fault_id


async def test_error_code_faults(emulator: httpx.AsyncClient, demo: Demo) -> None:
    await _fault(emulator, errorCode=2, count=1)
    transient = await _get(emulator, demo)
    assert transient.status_code == 500
    assert (error_of(transient)["code"], error_of(transient)["is_transient"]) == (2, True)
    await _fault(emulator, errorCode=4, count=1)
    throttled = await _get(emulator, demo)
    assert (throttled.status_code, error_of(throttled)["code"]) == (403, 4)
    await _fault(emulator, errorCode=190, status=401, count=1)
    both = await _get(emulator, demo)
    assert (both.status_code, error_of(both)["code"]) == (401, 190)
    assert (await _get(emulator, demo)).status_code == 200


async def test_status_faults_choose_code_1_or_2(emulator: httpx.AsyncClient, demo: Demo) -> None:
    await _fault(emulator, status=502, count=1)
    server = await _get(emulator, demo)
    assert (server.status_code, error_of(server)["code"]) == (502, 2)
    await _fault(emulator, status=429, count=1)
    client = await _get(emulator, demo)
    assert (client.status_code, error_of(client)["code"]) == (429, 1)


async def test_html_and_truncated_bodies(emulator: httpx.AsyncClient, demo: Demo) -> None:
    await _fault(emulator, body="html", count=1)
    html = await _get(emulator, demo)
    assert html.status_code == 502
    assert html.headers["content-type"].startswith("text/html")
    assert html.text.startswith("<!DOCTYPE html>")
    await _fault(emulator, body="truncated", count=1)
    truncated = await _get(emulator, demo)
    assert truncated.status_code == 200
    with pytest.raises(json.JSONDecodeError, match=r"Unterminated|Expecting"):
        truncated.json()
    assert truncated.text.startswith('{"data":[')


async def test_a_reset_fault_drops_the_connection(emulator: httpx.AsyncClient, demo: Demo) -> None:
    await _fault(emulator, body="reset", count=1)
    with pytest.raises(httpx.TransportError):
        await _get(emulator, demo)
    assert (await _get(emulator, demo)).status_code == 200


async def test_latency_faults_delay(emulator: httpx.AsyncClient, demo: Demo) -> None:
    # far from normal both ways: a read answers in milliseconds, the fault holds it 10 seconds
    await _fault(emulator, latencyMs=10_000, count=1)
    with pytest.raises(httpx.ReadTimeout):
        await _get(emulator, demo, patience=1.0)
    assert (await _get(emulator, demo)).status_code == 200  # the fault was spent


async def test_faults_match_edge_and_method(emulator: httpx.AsyncClient, demo: Demo) -> None:
    await _fault(emulator, status=500, edge=INVITES, method="post")
    assert (await _get(emulator, demo)).status_code == 200
    invites = f"/{demo.creator_id}/{INVITES}"
    read = await emulator.get(invites, params={"access_token": demo.creator_token})
    assert read.status_code == 200
    for _ in range(3):
        write = await emulator.post(invites, params={"access_token": demo.creator_token})
        assert write.status_code == 500
    batch = await _fault(emulator, status=503, edge="batch")
    assert batch != ""
    response = await emulator.post("/", data={"access_token": demo.agency, "batch": "[]"})
    assert response.status_code == 503
    assert (await emulator.delete("/admin/faults")).status_code == 200
    write = await emulator.post(invites, params={"access_token": demo.creator_token})
    assert write.status_code == 400


async def test_count_and_rate_and_stacking(emulator: httpx.AsyncClient, demo: Demo) -> None:
    await _fault(emulator, status=500, count=2)
    codes = [(await _get(emulator, demo)).status_code for _ in range(4)]
    assert codes == [500, 500, 200, 200]
    await _fault(emulator, status=500, rate=0.5)
    codes = [(await _get(emulator, demo)).status_code for _ in range(200)]
    assert 40 < codes.count(500) < 160
    await emulator.delete("/admin/faults")
    await _fault(emulator, latencyMs=1, count=1)
    await _fault(emulator, errorCode=613, count=1)
    assert error_of(await _get(emulator, demo))["code"] == 613
    never = await _fault(emulator, status=500, rate=0)
    assert never.startswith("fault-")
    assert (await _get(emulator, demo)).status_code == 200


@pytest.mark.parametrize(
    "spec",
    [
        {},
        {"rate": 2, "status": 500},
        {"body": "xml"},
        {"status": "500"},
        {"count": 0, "status": 500},
    ],
)
async def test_malformed_faults_are_refused(
    emulator: httpx.AsyncClient, spec: dict[str, Any]
) -> None:
    response = await emulator.post("/admin/faults", json=spec)
    assert response.status_code == 400
    assert "error" in response.json()


async def test_admin_calls_are_never_faulted(emulator: httpx.AsyncClient) -> None:
    await _fault(emulator, body="reset")
    assert (await emulator.get("/admin/stats")).status_code == 200
    assert (await emulator.get("/admin/nothing")).status_code == 404


async def test_reset_restores_the_seed(emulator: httpx.AsyncClient, demo: Demo) -> None:
    creator = demo.creator_without_big_brand_permission()
    await emulator.post(
        f"/{demo.big_brand}/{PERMISSIONS}",
        data={"access_token": demo.agency, "creator_instagram_account": creator["id"]},
    )
    await _fault(emulator, status=500)
    await emulator.post("/admin/reset")
    assert (await emulator.get("/admin/state")).json() == demo.state
    assert (await _get(emulator, demo)).status_code == 200
    assert (await emulator.get("/admin/stats")).json()["total"] == 1


async def test_a_revoked_token_answers_190_460_everywhere(
    emulator: httpx.AsyncClient, demo: Demo
) -> None:
    assert (await _get(emulator, demo)).status_code == 200
    revoked = await emulator.post("/admin/tokens/revoke", json={"token": demo.agency})
    assert revoked.json() == {"success": True}
    direct = await _get(emulator, demo)
    assert direct.status_code == 400
    error = error_of(direct)
    assert (error["code"], error["error_subcode"], error["type"]) == (190, 460, "OAuthException")
    assert error["message"].startswith("Error validating access token: The session has been")
    me = await emulator.get("/me", headers={"Authorization": f"Bearer {demo.agency}"})
    assert error_of(me)["code"] == 190
    entry = {"method": "GET", "relative_url": f"{demo.big_brand}/{PERMISSIONS}"}
    batch = await emulator.post(
        "/", data={"access_token": demo.agency, "batch": json.dumps([entry])}
    )
    assert batch.status_code == 200
    [answer] = batch.json()
    assert answer["code"] == 400
    assert json.loads(answer["body"])["error"]["error_subcode"] == 460
    other = await emulator.get(
        f"/{demo.creator_id}/{INVITES}", params={"access_token": demo.creator_token}
    )
    assert other.status_code == 200
    await emulator.post("/admin/reset")
    assert (await _get(emulator, demo)).status_code == 200


async def test_revoking_an_unknown_token_is_refused(emulator: httpx.AsyncClient) -> None:
    unknown = await emulator.post("/admin/tokens/revoke", json={"token": "EAABnothing"})
    assert unknown.status_code == 404
    missing = await emulator.post("/admin/tokens/revoke", json={})
    assert missing.status_code == 400
