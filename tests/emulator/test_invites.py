"""The collaboration invites edge: listing, accepting and declining once, errors, daily limits."""

import asyncio

import httpx
import pytest

from tests.demo import Demo
from tests.emulator.support import INVITES, error_of


def _url(demo: Demo) -> str:
    return f"/{demo.creator_id}/{INVITES}"


async def _media(client: httpx.AsyncClient, demo: Demo) -> list[str]:
    body = (
        await client.get(_url(demo), params={"access_token": demo.creator_token, "limit": 100})
    ).json()
    return [item["media_id"] for item in body["data"]]


async def test_invites_have_the_documented_fields(emulator: httpx.AsyncClient, demo: Demo) -> None:
    body = (await emulator.get(_url(demo), params={"access_token": demo.creator_token})).json()
    assert len(body["data"]) == 10
    for item in body["data"]:
        assert set(item) == {"media_id", "media_owner_username", "caption", "media_url"}
        assert item["media_url"].startswith("https://")
    chosen = await emulator.get(
        _url(demo), params={"access_token": demo.creator_token, "fields": "media_id,caption"}
    )
    assert len(chosen.json()["data"]) == 10
    assert all(set(item) == {"media_id", "caption"} for item in chosen.json()["data"])
    bad = await emulator.get(
        _url(demo), params={"access_token": demo.creator_token, "fields": "likes"}
    )
    assert (bad.status_code, error_of(bad)["code"]) == (400, 100)


@pytest.mark.parametrize("accept", ["true", "false"])
async def test_an_answered_invite_leaves_and_cannot_be_answered_again(
    emulator: httpx.AsyncClient, demo: Demo, accept: str
) -> None:
    media = await _media(emulator, demo)
    form = {"access_token": demo.creator_token, "media_id": media[4], "accept": accept}
    first = await emulator.post(_url(demo), data=form)
    assert (first.status_code, first.json()) == (200, {"success": True})
    assert await _media(emulator, demo) == media[:4] + media[5:]
    state = (await emulator.get("/admin/state")).json()
    count = next(c for c in state["creators"] if c["id"] == demo.creator_id)["pendingInviteCount"]
    assert count == len(media) - 1
    second = await emulator.post(_url(demo), data=form)
    assert second.status_code == 400
    error = error_of(second)
    assert error["code"] == 100
    assert "error_subcode" not in error


@pytest.mark.parametrize(
    "form",
    [
        {"media_id": "18000000000000000", "accept": "true"},
        {"accept": "true"},
        {"media_id": "MEDIA"},
        {"media_id": "MEDIA", "accept": "yes"},
    ],
)
async def test_bad_answers_are_code_100(
    emulator: httpx.AsyncClient, demo: Demo, form: dict[str, str]
) -> None:
    media = (await _media(emulator, demo))[0]
    data = {k: media if v == "MEDIA" else v for k, v in form.items()}
    response = await emulator.post(_url(demo), data={"access_token": demo.creator_token, **data})
    assert response.status_code == 400
    error = error_of(response)
    assert (error["code"], error["type"]) == (100, "OAuthException")
    assert "error_subcode" not in error


async def test_another_users_invite_cannot_be_answered(
    emulator: httpx.AsyncClient, demo: Demo
) -> None:
    theirs = await emulator.post(
        "/admin/invites",
        json={"userId": demo.state["creators"][1]["id"], "mediaOwnerUsername": "someone"},
    )
    response = await emulator.post(
        _url(demo),
        data={
            "access_token": demo.creator_token,
            "media_id": theirs.json()["mediaId"],
            "accept": "true",
        },
    )
    assert (response.status_code, error_of(response)["code"]) == (400, 100)


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_only_the_users_own_token_may_use_the_edge(
    emulator: httpx.AsyncClient, demo: Demo, method: str
) -> None:
    for token in (demo.other_creator_token, demo.agency):
        response = await emulator.request(
            method, _url(demo), params={"access_token": token, "media_id": "1", "accept": "true"}
        )
        assert response.status_code == 403
        assert error_of(response)["code"] == 10


async def test_the_301st_read_of_a_day_is_refused(emulator: httpx.AsyncClient, demo: Demo) -> None:
    params: dict[str, str | int] = {"access_token": demo.creator_token, "limit": 1}
    responses = await asyncio.gather(*(emulator.get(_url(demo), params=params) for _ in range(300)))
    assert all(response.status_code == 200 for response in responses)
    refused = await emulator.get(_url(demo), params=params)
    assert refused.status_code == 400
    error = error_of(refused)
    assert (error["code"], error["is_transient"]) == (80002, True)
    assert "too many calls to this Instagram account" in error["message"]
    usage = refused.headers["x-business-use-case-usage"]
    assert f'"{demo.creator_id}"' in usage
    assert '"call_count":100' in usage
    other = await emulator.get(
        f"/{demo.state['creators'][1]['id']}/{INVITES}",
        params={"access_token": demo.other_creator_token},
    )
    assert other.status_code == 200
    await emulator.post("/admin/reset")
    assert (await emulator.get(_url(demo), params=params)).status_code == 200


async def test_the_51st_answer_of_a_day_is_refused(emulator: httpx.AsyncClient, demo: Demo) -> None:
    media = await _media(emulator, demo)
    form = {"access_token": demo.creator_token, "accept": "false"}
    for media_id in media[:50]:
        answered = await emulator.post(_url(demo), data={**form, "media_id": media_id})
        assert answered.status_code == 200
    refused = await emulator.post(_url(demo), data={**form, "media_id": media[50]})
    assert error_of(refused)["code"] == 80002
    assert (
        await emulator.get(_url(demo), params={"access_token": demo.creator_token})
    ).status_code == 200


async def test_usage_headers_grow_with_calls(emulator: httpx.AsyncClient, demo: Demo) -> None:
    params: dict[str, str | int] = {"access_token": demo.creator_token, "limit": 1}
    first = await emulator.get(_url(demo), params=params)
    for _ in range(8):
        await emulator.get(_url(demo), params=params)
    later = await emulator.get(_url(demo), params=params)
    assert '"call_count":0' in first.headers["x-business-use-case-usage"]
    assert '"call_count":3' in later.headers["x-business-use-case-usage"]
    assert set(later.json()) >= {"data"}
    assert '"total_cputime"' in later.headers["x-app-usage"]
