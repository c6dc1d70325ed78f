"""Helpers of the emulator tests: the error envelope, and the three ways clients walk a list."""

from typing import Any

import httpx

PERMISSIONS = "branded_content_ad_permissions"
INVITES = "collaboration_invites"
MEDIAS = "branded_content_advertisable_medias"


def error_of(response: httpx.Response) -> dict[str, Any]:
    """The Graph error of an answer, checked to have Meta's envelope."""
    error: dict[str, Any] = response.json()["error"]
    assert {"message", "type", "code", "is_transient", "fbtrace_id"} <= error.keys()
    return error


def assert_unknown_object(response: httpx.Response, object_id: str, method: str) -> None:
    """The answer is Meta's 100/33 for an object that does not exist, with its message."""
    assert response.status_code == 400
    error = error_of(response)
    assert (error["code"], error["error_subcode"], error["type"]) == (
        100,
        33,
        "GraphMethodException",
    )
    assert error["message"].startswith(
        f"Unsupported {method.lower()} request. Object with ID '{object_id}' does not exist, "
        "cannot be loaded due to missing permissions, or does not support this operation"
    )


async def walk_next(client: httpx.AsyncClient, url: str, **params: Any) -> list[list[Any]]:
    """Every page of a list, following `paging.next` from the first."""
    pages: list[list[Any]] = []
    response = await client.get(url, params=params)
    while True:
        body = response.json()
        assert response.status_code == 200, body
        pages.append(body["data"])
        next_url = body.get("paging", {}).get("next")
        if next_url is None:
            return pages
        response = await client.get(next_url)


async def walk_previous(client: httpx.AsyncClient, url: str, **params: Any) -> list[list[Any]]:
    """Every page of a list in reading order, following `paging.previous` from the last."""
    response = await client.get(url, params=params)
    while "next" in response.json().get("paging", {}):
        response = await client.get(response.json()["paging"]["next"])
    pages: list[list[Any]] = []
    while True:
        body = response.json()
        assert response.status_code == 200, body
        pages.insert(0, body["data"])
        previous = body.get("paging", {}).get("previous")
        if previous is None:
            return pages
        response = await client.get(previous)


async def walk_cursors(client: httpx.AsyncClient, url: str, **params: Any) -> list[list[Any]]:
    """Every page of a list as Meta's SDK reads it: copy `cursors.after` while `next` is there."""
    pages: list[list[Any]] = []
    while True:
        response = await client.get(url, params=params)
        body = response.json()
        assert response.status_code == 200, body
        pages.append(body["data"])
        paging = body.get("paging", {})
        if "next" not in paging:
            return pages
        params = {**params, "after": paging["cursors"]["after"]}
