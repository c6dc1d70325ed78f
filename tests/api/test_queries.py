"""Every query and mutation in queries/ runs against the live app without errors.

Subscriptions go over WebSocket: tests/codegen/test_python_client.py runs them.
"""

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from graphql import OperationDefinitionNode, OperationType, parse

from tests.api.conftest import Api, Demo, nodes


def _over_http(path: Path) -> bool:
    (operation,) = parse(path.read_text()).definitions
    assert isinstance(operation, OperationDefinitionNode)
    return operation.operation is not OperationType.SUBSCRIPTION


QUERIES = sorted(
    path
    for path in (Path(__file__).resolve().parents[2] / "queries").glob("*.graphql")
    if _over_http(path)
)

Variables = Callable[[Api, Demo], Awaitable[tuple[dict[str, Any], str]]]


async def _media_id(api: Api, demo: Demo) -> str:
    data = await api.data(
        "CreatorInvites", {"creatorId": demo.creator_id}, token=demo.creator_token
    )
    media_id: str = nodes(data["creator"]["invites"])[0]["mediaId"]
    return media_id


async def _brand_permissions(api: Api, demo: Demo) -> tuple[dict[str, Any], str]:
    return {"brandId": demo.big_brand, "status": "APPROVED"}, demo.agency


async def _request(api: Api, demo: Demo) -> tuple[dict[str, Any], str]:
    creator = demo.creator_without_big_brand_permission()["id"]
    return {"input": {"brandId": demo.big_brand, "creatorIgId": creator}}, demo.agency


async def _request_many(api: Api, demo: Demo) -> tuple[dict[str, Any], str]:
    creators = [{"igId": c["id"]} for c in demo.state["creators"][-3:-1]]
    last = demo.creator_without_big_brand_permission()["username"]
    return {"input": {"brandId": demo.big_brand, "creators": [*creators, {"username": last}]}}, (
        demo.agency
    )


async def _revoke(api: Api, demo: Demo) -> tuple[dict[str, Any], str]:
    data = await api.data("BrandPermissions", {"brandId": demo.big_brand, "status": "APPROVED"})
    creator = nodes(data["brand"]["permissions"])[0]["creator"]["igId"]
    return {"input": {"brandId": demo.big_brand, "creatorIgId": creator}}, demo.agency


async def _revoke_many(api: Api, demo: Demo) -> tuple[dict[str, Any], str]:
    data = await api.data("BrandPermissions", {"brandId": demo.big_brand, "status": "APPROVED"})
    approved = [node["creator"] for node in nodes(data["brand"]["permissions"])[:2]]
    creators = [{"igId": approved[0]["igId"]}, {"username": approved[1]["username"]}]
    return {"input": {"brandId": demo.big_brand, "creators": creators}}, demo.agency


async def _invites(api: Api, demo: Demo) -> tuple[dict[str, Any], str]:
    return {"creatorId": demo.creator_id, "first": 5}, demo.creator_token


async def _respond(api: Api, demo: Demo) -> tuple[dict[str, Any], str]:
    media_id = await _media_id(api, demo)
    return {"input": {"creatorId": demo.creator_id, "mediaId": media_id}}, demo.creator_token


async def _rate_limit(api: Api, demo: Demo) -> tuple[dict[str, Any], str]:
    await _media_id(api, demo)
    return {}, demo.creator_token


async def _node(api: Api, demo: Demo) -> tuple[dict[str, Any], str]:
    data = await api.data("BrandPermissions", {"brandId": demo.big_brand})
    return {"id": nodes(data["brand"]["permissions"])[3]["id"]}, demo.agency


async def _viewer(api: Api, demo: Demo) -> tuple[dict[str, Any], str]:
    return {"first": 3}, demo.agency


VARIABLES: dict[str, Variables] = {
    "Viewer": _viewer,
    "BrandPermissions": _brand_permissions,
    "RequestPermission": _request,
    "RequestPermissions": _request_many,
    "RevokePermission": _revoke,
    "RevokePermissions": _revoke_many,
    "CreatorInvites": _invites,
    "AcceptInvite": _respond,
    "DeclineInvite": _respond,
    "RateLimit": _rate_limit,
    "Node": _node,
}


@pytest.mark.parametrize("path", QUERIES, ids=[path.stem for path in QUERIES])
async def test_operation_runs_live(api: Api, demo: Demo, path: Path) -> None:
    assert path.stem in VARIABLES, f"add variables for queries/{path.name} here"
    variables, token = await VARIABLES[path.stem](api, demo)
    data = await api.data(path.stem, variables, token=token)
    root = next(iter(data.values()))
    assert root is not None
    assert root.get("userErrors", []) == []
    assert "success" not in root or root["success"] is True


async def test_node_round_trips_every_type(api: Api, demo: Demo) -> None:
    permissions = await api.data("BrandPermissions", {"brandId": demo.big_brand, "first": 2})
    invites = await api.data(
        "CreatorInvites", {"creatorId": demo.creator_id}, token=demo.creator_token
    )
    permission = nodes(permissions["brand"]["permissions"])[1]
    invite = nodes(invites["creator"]["invites"])[0]
    expected = {
        permission["id"]: ("Permission", demo.agency),
        permissions["brand"]["id"]: ("Brand", demo.agency),
        invites["creator"]["id"]: ("Creator", demo.agency),
        invite["id"]: ("Invite", demo.creator_token),
    }
    for global_id, (type_name, token) in expected.items():
        node = (await api.data("Node", {"id": global_id}, token=token))["node"]
        assert node["__typename"] == type_name
        assert node["id"] == global_id
    node = (await api.data("Node", {"id": permission["id"]}))["node"]
    assert node["graphId"] == permission["graphId"]
    assert node["status"] == permission["status"]
