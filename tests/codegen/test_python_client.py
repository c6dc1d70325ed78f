"""Every operation of queries/ through the generated Python client, against `partnergraph serve`."""

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from partnergraph_client import (
    CreatorRef,
    PartnergraphClient,
    PermissionStatus,
    RequestPermissionInput,
    RequestPermissionsInput,
    RespondToInviteInput,
    RevokePermissionInput,
    RevokePermissionsInput,
    UserErrorCode,
)

from tests.demo import Demo, demo_of
from tests.servers import running

ROOT = Path(__file__).resolve().parents[2]
QUERIES = sorted((ROOT / "queries").glob("*.graphql"))
MANIFEST = ROOT / "clients" / "typescript" / "persisted-documents.json"
POLL_INTERVAL = 0.3


@dataclass(frozen=True)
class Live:
    """`partnergraph serve` on the freshly reset emulator, and the demo data behind it."""

    url: str
    emulator_url: str
    demo: Demo

    @asynccontextmanager
    async def client(self, token: str) -> AsyncIterator[PartnergraphClient]:
        """The generated client, sending `token`."""
        async with PartnergraphClient(
            url=f"{self.url}/graphql", headers={"Authorization": f"Bearer {token}"}
        ) as client:
            yield client

    async def media_id(self) -> str:
        """A pending invite of the demo creator, read through the client."""
        async with self.client(self.demo.creator_token) as creator:
            invites = await creator.creator_invites(creator_id=self.demo.creator_id, first=1)
        return invites.creator.invites.edges[0].node.media_id


@pytest.fixture(scope="module", params=["any documents", "trusted documents"])
def live(emulator_url: str, request: pytest.FixtureRequest) -> Iterator[Live]:
    """A server running any document, and one running only the generated manifest's: the
    client's documents are its operations, as ariadne-codegen lays them out."""
    httpx.post(f"{emulator_url}/admin/reset").raise_for_status()
    demo = demo_of(httpx.get(f"{emulator_url}/admin/state").json())
    env = {"PARTNERGRAPH_GRAPH_URL": emulator_url, "PARTNERGRAPH_POLL_INTERVAL": str(POLL_INTERVAL)}
    if request.param == "trusted documents":
        env["PARTNERGRAPH_TRUSTED_DOCUMENTS"] = str(MANIFEST)
    with running("serve", env=env) as url:
        yield Live(url, emulator_url, demo)


async def _brand_permissions(live: Live) -> None:
    brand, approved = live.demo.big_brand, PermissionStatus.APPROVED
    async with live.client(live.demo.agency) as agency:
        first = await agency.brand_permissions(brand_id=brand, first=4, status=approved)
        page = first.brand.permissions
        second = await agency.brand_permissions(
            brand_id=brand, first=4, after=page.page_info.end_cursor, status=approved
        )
        back = await agency.brand_permissions(
            brand_id=brand,
            last=4,
            before=second.brand.permissions.page_info.start_cursor,
            status=approved,
        )
    assert [edge.node.status for edge in page.edges] == [approved] * 4
    assert page.page_info.has_next_page
    assert [edge.node.id for edge in back.brand.permissions.edges] == [
        edge.node.id for edge in page.edges
    ]
    assert second.brand.permissions.page_info.has_previous_page


async def _creator_invites(live: Live) -> None:
    async with live.client(live.demo.creator_token) as creator:
        invites = await creator.creator_invites(creator_id=live.demo.creator_id, first=5)
    assert invites.creator.ig_id == live.demo.creator_id
    assert len(invites.creator.invites.edges) == 5


async def _request_permission(live: Live) -> None:
    username = live.demo.creator_without_big_brand_permission()["username"]
    async with live.client(live.demo.agency) as agency:
        answer = await agency.request_permission(
            RequestPermissionInput(brandId=live.demo.big_brand, creatorUsername=username)
        )
    payload = answer.request_permission
    assert payload is not None
    assert payload.user_errors == []
    assert payload.permission is not None
    assert payload.permission.status == PermissionStatus.PENDING
    assert payload.permission.creator.username == username


async def _request_permissions(live: Live) -> None:
    fresh = live.demo.state["creators"][-3:]
    creators = [
        CreatorRef(igId=fresh[0]["id"]),
        CreatorRef(username="nobody.here.at.all"),
        CreatorRef(username=fresh[2]["username"]),
    ]
    async with live.client(live.demo.agency) as agency:
        answer = await agency.request_permissions(
            RequestPermissionsInput(brandId=live.demo.big_brand, creators=creators)
        )
    payload = answer.request_permissions
    assert payload is not None
    assert [(e.field, e.code) for e in payload.user_errors] == [
        (["creators", "1", "username"], UserErrorCode.CREATOR_NOT_FOUND)
    ]
    first, unknown, third = payload.permissions
    assert unknown is None
    assert first is not None
    assert third is not None
    assert [first.creator.ig_id, third.creator.ig_id] == [fresh[0]["id"], fresh[2]["id"]]


async def _revoke_permission(live: Live) -> None:
    async with live.client(live.demo.agency) as agency:
        approved = await agency.brand_permissions(
            brand_id=live.demo.big_brand, first=1, status=PermissionStatus.APPROVED
        )
        creator = approved.brand.permissions.edges[0].node.creator.ig_id
        answer = await agency.revoke_permission(
            RevokePermissionInput(brandId=live.demo.big_brand, creatorIgId=creator)
        )
    payload = answer.revoke_permission
    assert payload is not None
    assert payload.user_errors == []
    assert payload.permission is not None
    assert payload.permission.status == PermissionStatus.REVOKED


async def _revoke_permissions(live: Live) -> None:
    async with live.client(live.demo.agency) as agency:
        approved = await agency.brand_permissions(
            brand_id=live.demo.big_brand, first=2, status=PermissionStatus.APPROVED
        )
        first, second = (edge.node.creator for edge in approved.brand.permissions.edges)
        creators = [
            CreatorRef(igId=first.ig_id),
            CreatorRef(username="nobody.here.at.all"),
            CreatorRef(username=second.username),
        ]
        answer = await agency.revoke_permissions(
            RevokePermissionsInput(brandId=live.demo.big_brand, creators=creators)
        )
    payload = answer.revoke_permissions
    assert payload is not None
    assert [(e.field, e.code) for e in payload.user_errors] == [
        (["creators", "1", "username"], UserErrorCode.NOTHING_TO_REVOKE)
    ]
    revoked, unknown, also_revoked = payload.permissions
    assert unknown is None
    assert revoked is not None
    assert also_revoked is not None
    assert [revoked.creator.ig_id, also_revoked.creator.ig_id] == [first.ig_id, second.ig_id]
    assert {revoked.status, also_revoked.status} == {PermissionStatus.REVOKED}


async def _accept_invite(live: Live) -> None:
    media_id = await live.media_id()
    async with live.client(live.demo.creator_token) as creator:
        answer = await creator.accept_invite(
            RespondToInviteInput(creatorId=live.demo.creator_id, mediaId=media_id)
        )
    assert answer.accept_invite is not None
    assert answer.accept_invite.success
    assert await live.media_id() != media_id


async def _decline_invite(live: Live) -> None:
    media_id = await live.media_id()
    async with live.client(live.demo.creator_token) as creator:
        answer = await creator.decline_invite(
            RespondToInviteInput(creatorId=live.demo.creator_id, mediaId=media_id)
        )
    assert answer.decline_invite is not None
    assert answer.decline_invite.success
    assert answer.decline_invite.creator.ig_id == live.demo.creator_id


async def _rate_limit(live: Live) -> None:
    await live.media_id()
    async with live.client(live.demo.creator_token) as creator:
        answer = await creator.rate_limit()
    assert answer.rate_limit.invites_read is not None
    assert answer.rate_limit.invites_read.used >= 1


async def _node(live: Live) -> None:
    async with live.client(live.demo.agency) as agency:
        page = await agency.brand_permissions(brand_id=live.demo.big_brand, first=2)
        permission = page.brand.permissions.edges[1].node
        answer = await agency.node(id=permission.id)
    assert answer.node is not None
    assert answer.node.typename__ == "Permission"
    assert answer.node.id == permission.id


async def _viewer(live: Live) -> None:
    scope = next(t for t in live.demo.state["tokens"] if t["token"] == live.demo.agency)
    async with live.client(live.demo.agency) as agency:
        first = await agency.viewer(first=3, permissions_first=2)
        accounts = first.viewer.instagram_accounts
        second = await agency.viewer(first=3, after=accounts.page_info.end_cursor)
    assert first.viewer.user_id == scope["userId"]
    assert accounts.total_count == len(scope["brandIds"])
    both = accounts.edges + second.viewer.instagram_accounts.edges
    assert [edge.node.ig_id for edge in both] == scope["brandIds"][:6]
    odd = accounts.edges[1].node.brand  # no other operation here writes to it
    assert odd.ig_id == live.demo.odd_brand
    assert odd.permissions.total_count == live.demo.brand(odd.ig_id)["permissionCount"]
    assert len(odd.permissions.nodes) == 2


async def _permission_reads(emulator: httpx.AsyncClient) -> int:
    stats = (await emulator.get("/admin/stats")).json()
    reads: int = stats["byEdge"].get("branded_content_ad_permissions", {}).get("GET", 0)
    return reads


async def _permission_changed(live: Live) -> None:
    scope = next(t for t in live.demo.state["tokens"] if t["token"] == live.demo.agency)
    brand = next(
        b["id"]
        for b in live.demo.state["brands"]
        if 0 < b["permissionCount"] <= 100 and b["id"] in scope["brandIds"]
    )
    async with live.client(live.demo.agency) as agency:
        page = await agency.brand_permissions(
            brand_id=brand, first=1, status=PermissionStatus.PENDING
        )
    pending = page.brand.permissions.edges[0].node
    async with (
        httpx.AsyncClient(base_url=live.emulator_url) as emulator,
        PartnergraphClient(
            ws_url=live.url.replace("http://", "ws://") + "/graphql",
            ws_connection_init_payload={"Authorization": f"Bearer {live.demo.agency}"},
        ) as client,
    ):
        (await emulator.post("/admin/stats/reset")).raise_for_status()
        changes = client.permission_changed(brand_id=brand)
        assert isinstance(changes, AsyncGenerator)  # closed below, with its WebSocket
        first = asyncio.ensure_future(anext(changes))
        async with asyncio.timeout(10):
            # The subscription's access check reads the list, then the poller; after both, the
            # poller's snapshot predates the approval (the emulator answers a GET as counted).
            while await _permission_reads(emulator) < 2:  # noqa: ASYNC110 - the emulator has no hook
                await asyncio.sleep(POLL_INTERVAL / 5)  # sleep-ok: the poller took its snapshot
            approve = {"status": "APPROVED"}
            await emulator.post(f"/admin/permissions/{pending.graph_id}", json=approve)
            change = (await first).permission_changed
        await changes.aclose()
    assert change.permission.id == pending.id
    assert change.permission.status == PermissionStatus.APPROVED
    assert change.previous_status == PermissionStatus.PENDING


OPERATIONS: dict[str, Callable[[Live], Awaitable[None]]] = {
    "BrandPermissions": _brand_permissions,
    "CreatorInvites": _creator_invites,
    "RequestPermission": _request_permission,
    "RequestPermissions": _request_permissions,
    "RevokePermission": _revoke_permission,
    "RevokePermissions": _revoke_permissions,
    "AcceptInvite": _accept_invite,
    "DeclineInvite": _decline_invite,
    "RateLimit": _rate_limit,
    "Node": _node,
    "Viewer": _viewer,
    "PermissionChanged": _permission_changed,
}


@pytest.mark.parametrize("path", QUERIES, ids=[path.stem for path in QUERIES])
async def test_operation_runs_through_the_generated_client(live: Live, path: Path) -> None:
    assert path.stem in OPERATIONS, f"run queries/{path.name} through the client here"
    await OPERATIONS[path.stem](live)
