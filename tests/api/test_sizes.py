"""Real sizes: what a permission or an invite costs upstream does not grow with its list.

The module grows the emulator once (`/admin/grow`): a brand to 3,000 permissions, another to
10,000, beside the seeded big brand's 300, and a creator to 2,000 pending invites. Its tests
do not reset the emulator; each works on permissions and invites no other test touches.
"""

import base64
import math
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from tests.api.conftest import Api, ApiFactory, Demo
from tests.demo import demo_of

EDGE = "branded_content_ad_permissions"
SIZES = [300, 3_000, 10_000]
INVITES = 2_000
ITEM_FIELDS = "id,creator_id,creator_username,permission_status"
NODE = """query($id: ID!) { node(id: $id) { id ... on Permission {
  graphId status creator { igId } brand { igId } } ... on Invite { mediaId } } }"""
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Permission { graphId status } } }"
BY_USERNAME = """query($brand: ID!, $username: String) { brand(igId: $brand) {
  permissions(first: 10, creatorUsername: $username) {
    totalCount nodes { id graphId status creator { igId username } }
    pageInfo { hasNextPage } } } }"""
BY_STATUS = """query($brand: ID!, $after: String) { brand(igId: $brand) {
  permissions(first: 100, after: $after, status: APPROVED) {
    nodes { graphId status } pageInfo { hasNextPage endCursor } } } }"""


@dataclass(frozen=True)
class Grown:
    """The grown emulator: the demo facts, a brand of each size and its listing, the invites."""

    demo: Demo
    brands: dict[int, str]
    listings: dict[str, list[dict[str, str]]]
    invitee: str
    invitee_token: str

    def listed(self, size: int) -> list[dict[str, str]]:
        """The permissions of the brand of that size, oldest first, as the emulator lists them."""
        return self.listings[self.brands[size]]

    def approved(self, size: int, start: int, count: int) -> list[dict[str, str]]:
        """count APPROVED permissions of the brand of that size, from position start on."""
        found = [
            item for item in self.listed(size)[start:] if item["permission_status"] == "APPROVED"
        ]
        assert len(found) >= count
        return found[:count]


def _listing(emulator: httpx.Client, brand: str, token: str) -> list[dict[str, str]]:
    items: list[dict[str, str]] = []
    params = {"access_token": token, "limit": "100", "fields": ITEM_FIELDS}
    while True:
        body = emulator.get(f"/v23.0/{brand}/{EDGE}", params=params).json()
        items += body["data"]
        if "next" not in body.get("paging", {}):
            return items
        params["after"] = body["paging"]["cursors"]["after"]


@pytest.fixture(scope="module")
def grown(emulator_url: str) -> Grown:
    """The emulator reset, then grown once for the whole module."""
    with httpx.Client(base_url=emulator_url, timeout=60) as emulator:
        emulator.post("/admin/reset").raise_for_status()
        demo = demo_of(emulator.get("/admin/state").json())
        agency = next(t for t in demo.state["tokens"] if t["token"] == demo.agency)
        others = [b for b in agency["brandIds"] if b not in (demo.big_brand, demo.odd_brand)]
        brands = {300: demo.big_brand, 3_000: others[0], 10_000: others[1]}
        for size, brand in brands.items():
            grow = emulator.post("/admin/grow", json={"brandId": brand, "permissions": size})
            assert grow.json()["permissionCount"] == size
        grow = emulator.post("/admin/grow", json={"userId": demo.creator_id, "invites": INVITES})
        assert grow.json()["pendingInviteCount"] == INVITES
        listings = {brand: _listing(emulator, brand, demo.agency) for brand in brands.values()}
        emulator.post("/admin/stats/reset").raise_for_status()
        return Grown(demo, brands, listings, demo.creator_id, demo.creator_token)


@pytest.fixture
async def emulator(emulator_url: str, grown: Grown) -> AsyncIterator[httpx.AsyncClient]:
    """The grown emulator as it is: this module never resets it."""
    async with httpx.AsyncClient(base_url=emulator_url, timeout=60) as client:
        yield client


@pytest.fixture
def demo(grown: Grown) -> Demo:
    """The demo facts of the grown emulator."""
    return grown.demo


async def _total(api: Api) -> int:
    total: int = (await api.upstream_calls())["total"]
    return total


# --- one permission, one request ------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
async def test_a_request_and_its_answer_cost_one_request(api: Api, grown: Grown, size: int) -> None:
    brand = grown.brands[size]
    by_id, by_name = grown.approved(size, size - 100, 2)  # near the end of the list
    await api.reset_stats()
    payload = (
        await api.data(
            "RequestPermission", {"input": {"brandId": brand, "creatorIgId": by_id["creator_id"]}}
        )
    )["requestPermission"]
    assert await _total(api) == 1
    assert payload["userErrors"] == []
    assert payload["permission"]["graphId"] == by_id["id"]
    assert payload["permission"]["status"] == "APPROVED"  # asked again: it stays as it was
    assert payload["permission"]["creator"]["igId"] == by_id["creator_id"]

    await api.reset_stats()
    by_username = {"brandId": brand, "creatorUsername": "@" + by_name["creator_username"]}
    payload = (await api.data("RequestPermission", {"input": by_username}))["requestPermission"]
    assert await _total(api) == 1
    assert payload["permission"]["graphId"] == by_name["id"]
    assert payload["permission"]["status"] == "APPROVED"
    assert payload["permission"]["creator"] == {
        "id": payload["permission"]["creator"]["id"],
        "igId": by_name["creator_id"],
        "username": by_name["creator_username"],
    }
    await api.reset_stats()
    node = (await api.run(NODE, {"id": payload["permission"]["id"]}))["data"]["node"]
    assert await _total(api) == 1
    assert node["graphId"] == by_name["id"]
    assert node["creator"]["igId"] == by_name["creator_id"]


@pytest.mark.parametrize("size", SIZES)
async def test_revoke_by_id_and_by_username_cost_one_request_each(
    api: Api, grown: Grown, size: int
) -> None:
    brand = grown.brands[size]
    by_id, by_name = grown.approved(size, size - 30, 2)
    found = await api.run(BY_USERNAME, {"brand": brand, "username": by_id["creator_username"]})
    global_id = found["data"]["brand"]["permissions"]["nodes"][0]["id"]
    cached = (await api.run(NODE, {"id": global_id}))["data"]["node"]
    assert cached["status"] == "APPROVED"
    await api.reset_stats()
    revoke = {"brandId": brand, "creatorIgId": by_id["creator_id"]}
    payload = (await api.data("RevokePermission", {"input": revoke}))["revokePermission"]
    assert await _total(api) == 1
    assert payload["userErrors"] == []
    assert payload["permission"]["graphId"] == by_id["id"]
    assert payload["permission"]["status"] == "REVOKED"

    await api.reset_stats()
    revoke = {"brandId": brand, "creatorUsername": by_name["creator_username"].upper()}
    payload = (await api.data("RevokePermission", {"input": revoke}))["revokePermission"]
    assert await _total(api) == 1
    assert payload["userErrors"] == []
    assert payload["permission"]["graphId"] == by_name["id"]
    assert payload["permission"]["status"] == "REVOKED"
    again = (await api.data("RevokePermission", {"input": revoke}))["revokePermission"]
    assert [e["code"] for e in again["userErrors"]] == ["NOTHING_TO_REVOKE"]
    assert again["userErrors"][0]["field"] == ["input", "creatorUsername"]
    # the write hid every cached read of the brand: the node read too
    assert (await api.run(NODE, {"id": global_id}))["data"]["node"]["status"] == "REVOKED"
    for item in (by_id, by_name):
        await api.reset_stats()
        found = await api.run(BY_USERNAME, {"brand": brand, "username": item["creator_username"]})
        assert await _total(api) == 1
        assert [n["status"] for n in found["data"]["brand"]["permissions"]["nodes"]] == ["REVOKED"]


async def test_revoke_names_exactly_one_creator(api: Api, grown: Grown) -> None:
    await api.reset_stats()
    for creator in ({}, {"creatorIgId": "1784", "creatorUsername": "someone"}):
        revoke = {"brandId": grown.brands[300], **creator}
        payload = (await api.data("RevokePermission", {"input": revoke}))["revokePermission"]
        assert [e["code"] for e in payload["userErrors"]] == ["INVALID_INPUT"]
    unknown = {"brandId": grown.brands[300], "creatorUsername": "nobody.here.at.all"}
    payload = (await api.data("RevokePermission", {"input": unknown}))["revokePermission"]
    assert payload["permission"] is None
    assert [e["field"] for e in payload["userErrors"]] == [["input", "creatorUsername"]]
    assert await _total(api) == 1


@pytest.mark.parametrize("size", SIZES)
async def test_a_permission_anywhere_in_a_big_list_is_one_node_read(
    api: Api, grown: Grown, size: int
) -> None:
    brand = grown.brands[size]
    listed = grown.listed(size)
    positions = [0, 1, size // 2, size // 2 + 1, size - 2, size - 1]
    ids = []
    for at in positions:
        answer = await api.run(
            BY_USERNAME, {"brand": brand, "username": listed[at]["creator_username"]}
        )
        [permission] = answer["data"]["brand"]["permissions"]["nodes"]
        assert permission["graphId"] == listed[at]["id"]
        ids.append(permission["id"])
    await api.reset_stats()
    for at, global_id in zip(positions[::2], ids[::2], strict=True):
        node = (await api.run(NODE, {"id": global_id}))["data"]["node"]
        assert node["graphId"] == listed[at]["id"]
        assert node["creator"]["igId"] == listed[at]["creator_id"]
        assert node["brand"]["igId"] == brand
    assert await _total(api) == 3
    await api.reset_stats()
    nodes = (await api.run(NODES, {"ids": ids[1::2] * 20}))["data"]["nodes"]
    assert [node["graphId"] for node in nodes] == [listed[at]["id"] for at in positions[1::2]] * 20
    assert await _total(api) == 1  # three node reads in one batch


@pytest.mark.parametrize("size", SIZES)
async def test_the_username_filter_is_the_graph_filter(api: Api, grown: Grown, size: int) -> None:
    brand = grown.brands[size]
    item = grown.listed(size)[size - 3]
    await api.reset_stats()
    answer = await api.run(
        BY_USERNAME, {"brand": brand, "username": item["creator_username"].upper()}
    )
    connection = answer["data"]["brand"]["permissions"]
    assert [n["graphId"] for n in connection["nodes"]] == [item["id"]]
    assert connection["nodes"][0]["creator"]["username"] == item["creator_username"]
    assert connection["totalCount"] is None
    assert connection["pageInfo"]["hasNextPage"] is False
    stats = await api.upstream_calls()
    assert stats["total"] == 1
    assert stats["byEdge"][EDGE]["GET"] == 1


async def test_gone_is_null_and_an_id_issued_before_still_resolves(api: Api, grown: Grown) -> None:
    brand = grown.brands[300]
    item = grown.listed(300)[250]
    old_id = base64.urlsafe_b64encode(f"Permission:{brand}:{item['id']}".encode()).decode()
    node = (await api.run(NODE, {"id": old_id.rstrip("=")}))["data"]["node"]
    assert node["graphId"] == item["id"]
    assert node["creator"]["igId"] == item["creator_id"]
    assert node["status"] == item["permission_status"]
    far = grown.listed(10_000)[9_000]  # past the scan budget, with no creator in the ID
    old_far = f"Permission:{grown.brands[10_000]}:{far['id']}"
    answer = await api.run(NODE, {"id": base64.urlsafe_b64encode(old_far.encode()).decode()})
    assert answer["data"] == {"node": None}
    assert [e["extensions"]["code"] for e in answer["errors"]] == ["SCAN_BUDGET_EXCEEDED"]
    gone = base64.urlsafe_b64encode(f"Permission:{brand}:17999999999999999:1784".encode())
    answer = await api.run(NODE, {"id": gone.decode().rstrip("=")})
    assert answer == {"data": {"node": None}}


# --- bulk: ⌈N/25⌉ requests, read-back included ----------------------------------------------


@pytest.mark.parametrize("size", SIZES)
async def test_bulk_requests_cost_a_request_per_25_creators(
    api: Api, grown: Grown, size: int
) -> None:
    brand = grown.brands[size]
    items = grown.listed(size)[size - 300 : size - 240]  # 60 creators near the end
    creators = [
        {"username": item["creator_username"]} if index % 2 else {"igId": item["creator_id"]}
        for index, item in enumerate(items)
    ]
    await api.reset_stats()
    payload = (
        await api.data("RequestPermissions", {"input": {"brandId": brand, "creators": creators}})
    )["requestPermissions"]
    assert await _total(api) == math.ceil(len(creators) / 25)
    assert payload["userErrors"] == []
    slots = payload["permissions"]
    assert [slot["graphId"] for slot in slots] == [item["id"] for item in items]
    assert [slot["creator"]["igId"] for slot in slots] == [item["creator_id"] for item in items]
    assert [slot["status"] for slot in slots] == [
        "PENDING" if item["permission_status"] == "REVOKED" else item["permission_status"]
        for item in items
    ]


@pytest.mark.parametrize("size", SIZES)
async def test_bulk_revoke_fails_each_creator_at_its_index(
    api: Api, grown: Grown, size: int
) -> None:
    brand = grown.brands[size]
    items = grown.approved(size, size - 600, 40)
    creators: list[dict[str, str]] = [
        {"username": item["creator_username"]} if index % 2 else {"igId": item["creator_id"]}
        for index, item in enumerate(items)
    ]
    creators[5] = {"username": "nobody.here.5"}
    creators[8] = {"igId": "99999999999999908"}
    await api.reset_stats()
    payload = (
        await api.data("RevokePermissions", {"input": {"brandId": brand, "creators": creators}})
    )["revokePermissions"]
    # 20 by ID (one entry each), 20 by username (two each): 60 entries, two batches
    assert await _total(api) == 2
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["creators", "5", "username"], "NOTHING_TO_REVOKE"),
        (["creators", "8", "igId"], "NOTHING_TO_REVOKE"),
    ]
    slots = payload["permissions"]
    revoked = [index for index, slot in enumerate(slots) if slot is not None]
    assert revoked == [index for index in range(40) if index not in (5, 8)]
    assert [slots[index]["graphId"] for index in revoked] == [
        items[index]["id"] for index in revoked
    ]
    assert {slots[index]["status"] for index in revoked} == {"REVOKED"}


async def test_bulk_revoke_takes_at_most_500_creators(api: Api, grown: Grown) -> None:
    creators = [{"igId": str(17841400000000000 + n)} for n in range(501)]
    await api.reset_stats()
    payload = (
        await api.data(
            "RevokePermissions", {"input": {"brandId": grown.brands[300], "creators": creators}}
        )
    )["revokePermissions"]
    assert [e["field"] for e in payload["userErrors"]] == [["creators"]]
    assert await _total(api) == 0


# --- the status filter walks the whole list, exactly once -----------------------------------


async def test_the_status_filter_walks_10000_permissions_exactly_once_in_order(
    make_api: ApiFactory, grown: Grown
) -> None:
    brand = grown.brands[10_000]
    # the listing as it is now, after the other tests' writes
    async with make_api(scan_budget=1) as api:
        approved = [
            item["id"]
            for item in await _listing_now(grown, brand, api.emulator)
            if item["permission_status"] == "APPROVED"
        ]
        walked: list[str] = []
        cut_short = 0
        after = None
        for _ in range(200):
            await api.reset_stats()
            connection = (await api.run(BY_STATUS, {"brand": brand, "after": after}))["data"][
                "brand"
            ]["permissions"]
            assert await _total(api) <= 2
            assert {node["status"] for node in connection["nodes"]} <= {"APPROVED"}
            walked += [node["graphId"] for node in connection["nodes"]]
            info = connection["pageInfo"]
            if not info["hasNextPage"]:
                break
            cut_short += len(connection["nodes"]) < 100
            after = info["endCursor"]
        assert walked == approved
        assert cut_short > 0  # pages the scan budget cut short said so, and resumed


async def _listing_now(
    grown: Grown, brand: str, emulator: httpx.AsyncClient
) -> list[dict[str, str]]:
    items: list[dict[str, str]] = []
    params = {"access_token": grown.demo.agency, "limit": "100", "fields": ITEM_FIELDS}
    while True:
        body = (await emulator.get(f"/v23.0/{brand}/{EDGE}", params=params)).json()
        items += body["data"]
        if "next" not in body.get("paging", {}):
            return items
        params["after"] = body["paging"]["cursors"]["after"]


async def _invite_at(emulator: httpx.AsyncClient, grown: Grown, position: int) -> str:
    """The media ID of the invite at a position of the grown creator's list."""
    params = {"access_token": grown.invitee_token, "limit": "100"}
    url = f"/v23.0/{grown.invitee}/collaboration_invites"
    for _ in range(position // 100):
        body = (await emulator.get(url, params=params)).json()
        params["after"] = body["paging"]["cursors"]["after"]
    body = (await emulator.get(url, params=params)).json()
    media: str = body["data"][position % 100]["media_id"]
    return media


# --- invites at size ------------------------------------------------------------------------


async def test_answering_an_invite_costs_one_request_among_2000(api: Api, grown: Grown) -> None:
    token = grown.invitee_token
    newest = []
    for caption in ("accept me", "decline me"):
        made = await api.emulator.post(
            "/admin/invites",
            json={"userId": grown.invitee, "mediaOwnerUsername": "late.owner", "caption": caption},
        )
        newest.append(made.json()["mediaId"])
    for name, media in zip(("AcceptInvite", "DeclineInvite"), newest, strict=True):
        await api.reset_stats()
        answer = {"input": {"creatorId": grown.invitee, "mediaId": media}}
        payload = await api.data(name, answer, token=token)
        assert next(iter(payload.values()))["success"] is True
        assert await _total(api) == 1


async def test_an_invite_past_the_scan_budget_is_a_coded_error_never_null(
    make_api: ApiFactory, grown: Grown
) -> None:
    token = grown.invitee_token
    async with make_api(scan_budget=2, cache_ttl=0) as api:
        first_page = await api.data(
            "CreatorInvites", {"creatorId": grown.invitee, "first": 1}, token=token
        )
        [near] = [edge["node"] for edge in first_page["creator"]["invites"]["edges"]]
        node = (await api.run(NODE, {"id": near["id"]}, token=token))["data"]["node"]
        assert node["mediaId"] == near["mediaId"]

        deep = await _invite_at(api.emulator, grown, 250)  # past 2 pages of 100
        late = base64.urlsafe_b64encode(f"Invite:{grown.invitee}:{deep}".encode())
        await api.reset_stats()
        answer = await api.run(NODE, {"id": late.decode().rstrip("=")}, token=token)
        assert answer["data"] == {"node": None}
        [error] = answer["errors"]
        assert error["extensions"]["code"] == "SCAN_BUDGET_EXCEEDED"
        assert await _total(api) == 2
        answer = {"input": {"creatorId": grown.invitee, "mediaId": near["mediaId"]}}
        assert (await api.data("AcceptInvite", answer, token=token))["acceptInvite"]["success"]
    async with make_api(scan_budget=INVITES // 100 + 1, cache_ttl=0) as api:
        gone = await api.run(NODE, {"id": near["id"]}, token=token)
        assert gone == {"data": {"node": None}}  # the whole list read: really gone
