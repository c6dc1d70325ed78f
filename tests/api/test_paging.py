"""Relay paging through GraphQL, against the emulator's own listings and its request counts.

Every demo list (the big brand's permissions, a small brand's, a creator's invites with the
creator's token) is walked forward and back at several page sizes and compared with what the
emulator lists; edge cursors resume both ways; `/admin/stats` counts what a page costs upstream.
"""

import base64
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from partnergraph.resolvers import cursors
from partnergraph.resolvers.cursors import Anchor, ListKey, Position
from tests.api.conftest import Api, ApiFactory, Demo

SIZES = [1, 7, 10, 100]
PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount"
PERMISSIONS = f"""
query Permissions(
  $owner: ID!, $first: Int, $after: String, $last: Int, $before: String,
  $status: PermissionStatus, $creatorUsername: String
) {{
  owner: brand(igId: $owner) {{
    list: permissions(
      first: $first, after: $after, last: $last, before: $before,
      status: $status, creatorUsername: $creatorUsername
    ) {{
      edges {{ cursor node {{ key: graphId status rawStatus creator {{ igId username }} }} }}
      {PAGE_INFO}
    }}
  }}
}}
"""
INVITES = f"""
query Invites($owner: ID!, $first: Int, $after: String, $last: Int, $before: String) {{
  owner: creator(igId: $owner) {{
    list: invites(first: $first, after: $after, last: $last, before: $before) {{
      edges {{ cursor node {{ key: mediaId }} }}
      {PAGE_INFO}
    }}
  }}
}}
"""


@dataclass(frozen=True)
class DemoList:
    """One demo list: how to page it through GraphQL and how the emulator lists it."""

    name: str
    document: str
    owner: str
    token: str
    edge: str
    key: str

    async def listing(self, api: Api) -> list[str]:
        """The emulator's own listing, walked via `paging.next` with limit 100."""
        keys: list[str] = []
        response = await api.emulator.get(
            f"/v23.0/{self.owner}/{self.edge}",
            params={"access_token": self.token, "limit": 100},
        )
        while True:
            assert response.status_code == 200, response.text
            body = response.json()
            keys += [item[self.key] for item in body["data"]]
            next_url = body.get("paging", {}).get("next")
            if next_url is None:
                return keys
            response = await api.emulator.get(next_url)


def lists_of(demo: Demo) -> dict[str, DemoList]:
    agency = next(t for t in demo.state["tokens"] if t["token"] == demo.agency)
    small = max(
        (
            b
            for b in demo.state["brands"]
            if b["id"] in agency["brandIds"] and b["id"] not in {demo.big_brand, demo.odd_brand}
        ),
        key=lambda b: b["permissionCount"],
    )
    permissions = "branded_content_ad_permissions"
    return {
        "big_brand": DemoList(
            "big_brand", PERMISSIONS, demo.big_brand, demo.agency, permissions, "id"
        ),
        "small_brand": DemoList(
            "small_brand", PERMISSIONS, small["id"], demo.agency, permissions, "id"
        ),
        "odd_brand": DemoList(
            "odd_brand", PERMISSIONS, demo.odd_brand, demo.agency, permissions, "id"
        ),
        "invites": DemoList(
            "invites",
            INVITES,
            demo.creator_id,
            demo.creator_token,
            "collaboration_invites",
            "media_id",
        ),
    }


async def page(api: Api, demo_list: DemoList, **arguments: Any) -> dict[str, Any]:
    """A connection that must be answered without errors."""
    body = await api.run(
        demo_list.document, {"owner": demo_list.owner, **arguments}, token=demo_list.token
    )
    assert "errors" not in body, body["errors"]
    connection: dict[str, Any] = body["data"]["owner"]["list"]
    return connection


async def error_code(api: Api, demo_list: DemoList, **arguments: Any) -> str:
    """The code of the one error a page request gets (Api.run already refuses any non-200)."""
    body = await api.run(
        demo_list.document, {"owner": demo_list.owner, **arguments}, token=demo_list.token
    )
    assert body.get("data") is None, body
    assert len(body["errors"]) == 1, body["errors"]
    code: str = body["errors"][0]["extensions"]["code"]
    assert "Traceback" not in json.dumps(body)
    return code


def keys(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["key"] for edge in connection["edges"]]


def cursors_of(connection: dict[str, Any]) -> list[str]:
    return [edge["cursor"] for edge in connection["edges"]]


async def total(api: Api) -> int:
    calls: int = (await api.upstream_calls())["total"]
    return calls


async def walk_forward(
    api: Api, demo_list: DemoList, n: int, max_pages: int = 10_000
) -> list[dict[str, Any]]:
    """Pages of `first: n` following endCursor from the start."""
    pages = [await page(api, demo_list, first=n)]
    while pages[-1]["pageInfo"]["hasNextPage"] and len(pages) < max_pages:
        pages.append(await page(api, demo_list, first=n, after=pages[-1]["pageInfo"]["endCursor"]))
    return pages


async def last_edge(api: Api, demo_list: DemoList) -> dict[str, Any]:
    """The final edge of the list, read forward with pages of 100."""
    pages = await walk_forward(api, demo_list, 100)
    edge: dict[str, Any] = pages[-1]["edges"][-1]
    return edge


async def walk_backward(
    api: Api, demo_list: DemoList, n: int, before: str, max_pages: int = 10_000
) -> list[dict[str, Any]]:
    """Pages of `last: n` following startCursor back from `before`, in walking order."""
    pages = [await page(api, demo_list, last=n, before=before)]
    while pages[-1]["pageInfo"]["hasPreviousPage"] and len(pages) < max_pages:
        start = pages[-1]["pageInfo"]["startCursor"]
        pages.append(await page(api, demo_list, last=n, before=start))
    return pages


def max_pages(name: str, n: int) -> int:
    # Walking the 300 permissions one at a time is 600 requests: at n=1 walk 40 pages of it.
    return 40 if (name, n) == ("big_brand", 1) else 10_000


@pytest.fixture
async def cold_api(make_api: ApiFactory) -> AsyncIterator[Api]:
    """An app with every cache off, so that each page read reaches the emulator."""
    async with make_api(cache_ttl=0) as api:
        yield api


# --- walks ----------------------------------------------------------------------------------


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("name", ["big_brand", "small_brand", "invites"])
async def test_first_n_walks_the_list_as_the_emulator_lists_it(
    api: Api, demo: Demo, name: str, n: int
) -> None:
    demo_list = lists_of(demo)[name]
    listing = await demo_list.listing(api)
    assert len(listing) >= 10
    limit = max_pages(name, n)
    pages = await walk_forward(api, demo_list, n, limit)
    walked = [key for p in pages for key in keys(p)]
    if len(pages) < limit:
        assert walked == listing
        assert len(pages) == -(-len(listing) // n)
        assert not pages[-1]["pageInfo"]["hasNextPage"]
    else:
        assert walked == listing[: len(walked)]
        assert len(walked) == limit * n
    assert all(len(p["edges"]) == n for p in pages[:-1])
    assert all(p["pageInfo"]["hasNextPage"] for p in pages[:-1])
    assert not pages[0]["pageInfo"]["hasPreviousPage"]
    assert all(p["pageInfo"]["hasPreviousPage"] for p in pages[1:])
    for p in pages:
        assert p["pageInfo"]["startCursor"] == p["edges"][0]["cursor"]
        assert p["pageInfo"]["endCursor"] == p["edges"][-1]["cursor"]
    every_cursor = [c for p in pages for c in cursors_of(p)]
    assert len(set(every_cursor)) == len(every_cursor)


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("name", ["big_brand", "small_brand", "invites"])
async def test_last_n_walks_back_to_the_start(api: Api, demo: Demo, name: str, n: int) -> None:
    demo_list = lists_of(demo)[name]
    listing = await demo_list.listing(api)
    final = await last_edge(api, demo_list)
    assert final["node"]["key"] == listing[-1]
    limit = max_pages(name, n)
    pages = await walk_backward(api, demo_list, n, final["cursor"], limit)
    walked = [key for p in reversed(pages) for key in keys(p)]
    if len(pages) < limit:
        assert walked == listing[:-1]
        assert not pages[-1]["pageInfo"]["hasPreviousPage"]
    else:
        assert walked == listing[-1 - len(walked) : -1]
        assert len(walked) == limit * n
    assert all(len(p["edges"]) == n for p in pages[:-1])
    assert all(p["pageInfo"]["hasNextPage"] for p in pages)
    assert all(p["pageInfo"]["hasPreviousPage"] for p in pages[:-1])


async def test_without_a_size_a_page_has_ten_edges_either_way(api: Api, demo: Demo) -> None:
    demo_list = lists_of(demo)["big_brand"]
    listing = await demo_list.listing(api)
    forward = await page(api, demo_list)
    assert keys(forward) == listing[:10]
    back = await page(
        api, demo_list, before=(await page(api, demo_list, first=30))["pageInfo"]["endCursor"]
    )
    assert keys(back) == listing[19:29]


async def test_a_list_of_a_multiple_of_n_ends_on_a_full_page(api: Api, demo: Demo) -> None:
    demo_list = lists_of(demo)["big_brand"]
    pages = await walk_forward(api, demo_list, 100)
    assert [len(p["edges"]) for p in pages] == [100, 100, 100]
    assert not pages[-1]["pageInfo"]["hasNextPage"]


# --- resuming from any edge cursor ----------------------------------------------------------


@pytest.mark.parametrize("name", ["big_brand", "small_brand", "invites"])
async def test_every_edge_cursor_resumes_both_ways(api: Api, demo: Demo, name: str) -> None:
    demo_list = lists_of(demo)[name]
    listing = await demo_list.listing(api)
    # A forward page (cursors anchored after a Graph cursor), then a backward one (before one).
    pages = await walk_forward(api, demo_list, 7, 2)
    final = await last_edge(api, demo_list)
    backward = await page(api, demo_list, last=7, before=final["cursor"])
    for sample in [pages[-1], backward]:
        for edge in sample["edges"]:
            index = listing.index(edge["node"]["key"])
            after = await page(api, demo_list, first=5, after=edge["cursor"])
            assert keys(after) == listing[index + 1 : index + 6]
            assert after["pageInfo"]["hasNextPage"] is (index + 6 < len(listing))
            assert after["pageInfo"]["hasPreviousPage"]
            before = await page(api, demo_list, last=5, before=edge["cursor"])
            assert keys(before) == listing[max(0, index - 5) : index]
            assert before["pageInfo"]["hasPreviousPage"] is (index - 5 > 0)
            assert before["pageInfo"]["hasNextPage"]


async def test_cursors_of_a_page_of_100_resume_mid_upstream_page(api: Api, demo: Demo) -> None:
    demo_list = lists_of(demo)["big_brand"]
    listing = await demo_list.listing(api)
    second = (await walk_forward(api, demo_list, 100, 2))[-1]
    for k in [0, 1, 42, 98, 99]:
        edge = second["edges"][k]
        index = 100 + k
        assert edge["node"]["key"] == listing[index]
        after = await page(api, demo_list, first=100, after=edge["cursor"])
        assert keys(after) == listing[index + 1 : index + 101]
        before = await page(api, demo_list, last=100, before=edge["cursor"])
        assert keys(before) == listing[index - 100 : index]


# --- upstream cost --------------------------------------------------------------------------


@pytest.mark.parametrize("n", SIZES)
async def test_a_page_after_an_aligned_end_cursor_costs_one_call(
    cold_api: Api, demo: Demo, n: int
) -> None:
    demo_list = lists_of(demo)["big_brand"]
    first = await page(cold_api, demo_list, first=n)
    await cold_api.reset_stats()
    second = await page(cold_api, demo_list, first=n, after=first["pageInfo"]["endCursor"])
    assert len(second["edges"]) == n
    assert await total(cold_api) == 1
    await cold_api.reset_stats()
    back = await page(cold_api, demo_list, last=n, before=second["pageInfo"]["startCursor"])
    assert keys(back) == keys(first)
    assert await total(cold_api) == 1


async def test_mid_page_cursors_cost_at_most_two_calls(cold_api: Api, demo: Demo) -> None:
    demo_list = lists_of(demo)["big_brand"]
    listing = await demo_list.listing(cold_api)
    forward = await page(cold_api, demo_list, first=30)
    backward = await page(cold_api, demo_list, last=30, before=forward["pageInfo"]["endCursor"])
    for sample in [forward, backward]:
        for k in [1, 13, 28]:
            edge = sample["edges"][k]
            index = listing.index(edge["node"]["key"])
            for arguments, expected in [
                ({"first": 100, "after": edge["cursor"]}, listing[index + 1 : index + 101]),
                ({"last": 10, "before": edge["cursor"]}, listing[max(0, index - 10) : index]),
            ]:
                await cold_api.reset_stats()
                assert keys(await page(cold_api, demo_list, **arguments)) == expected
                assert 1 <= await total(cold_api) <= 2


async def test_a_cursor_deep_in_the_list_costs_no_walk_from_the_start(
    cold_api: Api, demo: Demo
) -> None:
    demo_list = lists_of(demo)["big_brand"]
    listing = await demo_list.listing(cold_api)
    third = (await walk_forward(cold_api, demo_list, 100))[-1]
    final = third["edges"][-1]
    backward = await page(cold_api, demo_list, last=100, before=final["cursor"])
    for edge in [third["edges"][50], third["edges"][97], backward["edges"][3]]:
        index = listing.index(edge["node"]["key"])
        assert index > 190
        await cold_api.reset_stats()
        after = await page(cold_api, demo_list, first=10, after=edge["cursor"])
        assert keys(after) == listing[index + 1 : index + 11]
        assert await total(cold_api) <= 2
        await cold_api.reset_stats()
        before = await page(cold_api, demo_list, last=10, before=edge["cursor"])
        assert keys(before) == listing[index - 10 : index]
        assert await total(cold_api) <= 2


async def test_with_the_cache_on_a_repeated_page_costs_nothing(api: Api, demo: Demo) -> None:
    demo_list = lists_of(demo)["big_brand"]
    first = await page(api, demo_list, first=10)
    middle = first["edges"][4]["cursor"]
    await api.reset_stats()
    second = await page(api, demo_list, first=10, after=middle)
    assert await total(api) >= 1
    await api.reset_stats()
    assert await page(api, demo_list, first=10, after=middle) == second
    assert await total(api) == 0


# --- bad input ------------------------------------------------------------------------------


def _forged(raw: object) -> str:
    return _packed(json.dumps(raw).encode())


def _packed(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _altered(cursor: str, slot: int, value: object) -> str:
    """A real cursor with one slot of its JSON list replaced."""
    raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    raw[slot] = value
    return _forged(raw)


CRAFTED: dict[str, Callable[[str], str]] = {
    "JSON nested 1,000 deep": lambda cursor: _packed(b"[" * 1000),
    "a lone surrogate as Graph cursor": lambda cursor: _altered(cursor, 4, "\ud800"),
    "a Graph cursor of 90,000 characters": lambda cursor: _altered(cursor, 4, "a" * 90_000),
    "a Graph cursor with a line break": lambda cursor: _altered(cursor, 4, "Y3Vy\nc29y"),
    "an item ID that is not digits": lambda cursor: _altered(cursor, 6, "x" * 20),
    "an offset of 10**30": lambda cursor: _altered(cursor, 5, 10**30),
    "a version of 2.0": lambda cursor: _altered(cursor, 0, 2.0),
}


BAD_ARGUMENTS: dict[str, Callable[[str, str], dict[str, Any]]] = {
    "first 0": lambda cursor, owner: {"first": 0},
    "first 101": lambda cursor, owner: {"first": 101},
    "first -1": lambda cursor, owner: {"first": -1},
    "last 0": lambda cursor, owner: {"last": 0, "before": cursor},
    "last 101": lambda cursor, owner: {"last": 101, "before": cursor},
    "last without before": lambda cursor, owner: {"last": 10},
    "first and last": lambda cursor, owner: {"first": 10, "last": 10},
    "last and after": lambda cursor, owner: {"last": 10, "after": cursor},
    "an old cursor": lambda cursor, owner: {
        "after": _forged([1, "permissions", owner, "a", "Y3Vyc29y", 0])
    },
    "a bound naming no item": lambda cursor, owner: {
        "first": 5,
        "after": cursor,
        "before": _forged([2, "permissions", owner, "=", "Y3Vyc29y", 0, None]),
    },
    "not a cursor": lambda cursor, owner: {"after": "not a cursor"},
    "empty cursor": lambda cursor, owner: {"after": ""},
    "cursor not base64": lambda cursor, owner: {"last": 5, "before": "%%%"},
    "cursor cut short": lambda cursor, owner: {"after": cursor[:-6]},
    "cursor of a JSON object": lambda cursor, owner: {"after": _forged({"v": 1})},
    # shaped like ours, but not a position: an unhashable anchor was a 500
    "list anchor": lambda cursor, owner: {
        "after": _forged([2, "permissions", owner, [], "Y3Vyc29y", 0, "1"])
    },
    "empty Graph cursor": lambda cursor, owner: {
        "after": _forged([2, "permissions", owner, "=", "", 0, "1"])
    },
    "offset 100": lambda cursor, owner: {
        "after": _forged([2, "permissions", owner, "a", "Y3Vyc29y", 100, "1"])
    },
}


@pytest.mark.parametrize("case", list(BAD_ARGUMENTS))
async def test_bad_page_arguments_are_bad_user_input_without_an_upstream_call(
    api: Api, demo: Demo, case: str
) -> None:
    demo_list = lists_of(demo)["big_brand"]
    cursor = (await page(api, demo_list, first=3))["edges"][1]["cursor"]
    arguments = BAD_ARGUMENTS[case](cursor, demo_list.owner)
    await api.reset_stats()
    assert await error_code(api, demo_list, **arguments) == "BAD_USER_INPUT"
    assert await total(api) == 0


@pytest.mark.parametrize("name", ["big_brand", "invites"])
async def test_crafted_cursors_are_bad_user_input_before_anything_goes_upstream(
    api: Api, demo: Demo, name: str
) -> None:
    """Cursors shaped like ours that once got past the decoder: a 500 each, or a Graph call."""
    demo_list = lists_of(demo)[name]
    cursor = (await page(api, demo_list, first=3))["edges"][1]["cursor"]
    await api.reset_stats()
    for case, craft in CRAFTED.items():
        crafted = craft(cursor)
        for arguments in ({"first": 5, "after": crafted}, {"last": 5, "before": crafted}):
            assert await error_code(api, demo_list, **arguments) == "BAD_USER_INPUT", case
    assert await total(api) == 0


async def test_cursors_of_another_list_are_bad_user_input(api: Api, demo: Demo) -> None:
    lists = lists_of(demo)
    big, small, invites = lists["big_brand"], lists["small_brand"], lists["invites"]
    small_cursor = (await page(api, small, first=3))["edges"][1]["cursor"]
    invite_cursor = (await page(api, invites, first=3))["edges"][1]["cursor"]
    big_cursor = (await page(api, big, first=3))["edges"][1]["cursor"]
    await api.reset_stats()
    assert await error_code(api, big, first=5, after=small_cursor) == "BAD_USER_INPUT"
    assert await error_code(api, big, last=5, before=invite_cursor) == "BAD_USER_INPUT"
    assert await error_code(api, invites, first=5, after=big_cursor) == "BAD_USER_INPUT"
    assert await total(api) == 0


async def test_a_graph_cursor_of_another_list_is_bad_user_input(api: Api, demo: Demo) -> None:
    """Our wrapper around another brand's Graph cursor: the Graph API refuses it, coded."""
    lists = lists_of(demo)
    big, small = lists["big_brand"], lists["small_brand"]
    response = await api.emulator.get(
        f"/v23.0/{small.owner}/{small.edge}", params={"access_token": small.token, "limit": 2}
    )
    foreign = response.json()["paging"]["cursors"]["after"]
    forged = cursors.encode(ListKey("permissions", big.owner), Position(Anchor.AT, foreign))
    body = await api.run(PERMISSIONS, {"owner": big.owner, "first": 5, "after": forged})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["graph"]["code"] == 2642


# --- between two cursors -------------------------------------------------------------------


async def edge_cursors(api: Api, demo_list: DemoList, listing: list[str]) -> dict[int, list[str]]:
    """Cursors of the first 63 items by listing index, minted both ways (every anchor)."""
    found: dict[int, list[str]] = {}
    forward = await walk_forward(api, demo_list, 7, 9)
    backward = await page(api, demo_list, last=30, before=forward[-1]["pageInfo"]["endCursor"])
    for sample in [*forward, backward]:
        for edge in sample["edges"]:
            found.setdefault(listing.index(edge["node"]["key"]), []).append(edge["cursor"])
    return found


@pytest.mark.parametrize("name", ["big_brand", "invites"])
async def test_after_and_before_together_page_what_lies_between(
    api: Api, demo: Demo, name: str
) -> None:
    demo_list = lists_of(demo)[name]
    listing = await demo_list.listing(api)
    cursors_at = await edge_cursors(api, demo_list, listing)
    assert len({len(c) for c in cursors_at.values()}) == 2  # some items minted twice
    top = max(cursors_at)
    assert top >= 29
    pairs = [(0, 1), (0, 2), (3, 9), (5, 5), (6, 7), (12, top - 10), (20, top), (1, top)]
    for i, j in pairs:
        between = listing[i + 1 : j]
        await api.reset_stats()
        for after in cursors_at[i]:
            for before in cursors_at[j]:
                for n in [1, 3, len(between) or 1, 100]:
                    forward = await page(api, demo_list, first=n, after=after, before=before)
                    assert keys(forward) == between[:n], (i, j, n)
                    assert forward["pageInfo"]["hasNextPage"] is (len(between) > n)
                    assert forward["pageInfo"]["hasPreviousPage"]
                    back = await page(api, demo_list, last=n, after=after, before=before)
                    assert keys(back) == between[max(0, len(between) - n) :], (i, j, n)
                    assert back["pageInfo"]["hasPreviousPage"] is (len(between) > n)
                    assert back["pageInfo"]["hasNextPage"]
        default = await page(api, demo_list, after=cursors_at[i][0], before=cursors_at[j][0])
        assert keys(default) == between[:10]
        if i == j:
            assert await total(api) == 0


async def test_first_with_before_alone_pages_from_the_start(api: Api, demo: Demo) -> None:
    demo_list = lists_of(demo)["big_brand"]
    listing = await demo_list.listing(api)
    cursors_at = await edge_cursors(api, demo_list, listing)
    for j in [0, 1, 5, 40]:
        for before in cursors_at[j]:
            for n in [1, 5, 100]:
                found = await page(api, demo_list, first=n, before=before)
                assert keys(found) == listing[: min(n, j)]
                assert found["pageInfo"]["hasNextPage"] is (j > n)
                assert not found["pageInfo"]["hasPreviousPage"]


async def test_a_page_between_cursors_costs_what_a_page_from_one_costs(
    cold_api: Api, demo: Demo
) -> None:
    demo_list = lists_of(demo)["big_brand"]
    listing = await demo_list.listing(cold_api)
    first = await page(cold_api, demo_list, first=10)
    third = await page(cold_api, demo_list, first=10, after=first["edges"][-1]["cursor"])
    third = await page(cold_api, demo_list, first=10, after=third["edges"][-1]["cursor"])
    after, before = first["pageInfo"]["endCursor"], third["pageInfo"]["startCursor"]
    for arguments in [{"first": 10}, {"first": 4}, {"last": 10}, {"last": 3}]:
        await cold_api.reset_stats()
        found = await page(cold_api, demo_list, after=after, before=before, **arguments)
        assert (
            keys(found)
            == (listing[10:20][: arguments.get("first", 10)])[-arguments.get("last", 10) :]
        )
        assert await total(cold_api) == 1  # aligned: the page of 10 after the first one
    for mid_after, mid_before in [(first["edges"][3], third["edges"][5])]:
        for arguments in [{"first": 100}, {"last": 100}, {"first": 2}, {"last": 2}]:
            await cold_api.reset_stats()
            found = await page(
                cold_api,
                demo_list,
                after=mid_after["cursor"],
                before=mid_before["cursor"],
                **arguments,
            )
            between = listing[4:25]
            assert (
                keys(found)
                == (between[: arguments.get("first", 100)])[-arguments.get("last", 100) :]
            )
            assert 1 <= await total(cold_api) <= 2


# --- totalCount -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["big_brand", "small_brand", "odd_brand", "invites"])
async def test_total_count_is_the_emulators_count_on_every_page(
    api: Api, demo: Demo, name: str
) -> None:
    demo_list = lists_of(demo)[name]
    if name == "invites":
        count = demo.creator(demo_list.owner)["pendingInviteCount"]
    else:
        count = demo.brand(demo_list.owner)["permissionCount"]
    assert count > 0
    pages = await walk_forward(api, demo_list, 3, 4)
    assert {p["totalCount"] for p in pages} == {count}
    back = await page(api, demo_list, last=2, before=pages[-1]["pageInfo"]["endCursor"])
    assert back["totalCount"] == count
    await api.reset_stats()
    await page(api, demo_list, first=4)
    assert await total(api) == 1  # the count comes with the page


async def test_total_count_follows_the_list_and_is_null_when_filtered(
    cold_api: Api, demo: Demo
) -> None:
    demo_list = lists_of(demo)["big_brand"]
    assert (await page(cold_api, demo_list, first=1))["totalCount"] == 300
    creator = demo.creator_without_big_brand_permission()
    asked = await cold_api.emulator.post(
        f"/v23.0/{demo.big_brand}/branded_content_ad_permissions",
        data={"access_token": demo.agency, "creator_instagram_account": creator["id"]},
    )
    assert asked.status_code == 200
    assert (await page(cold_api, demo_list, first=1))["totalCount"] == 301
    for filters in [{"status": "PENDING"}, {"creatorUsername": creator["username"]}]:
        filtered = await page(cold_api, demo_list, first=5, **filters)
        assert filtered["edges"]
        assert filtered["totalCount"] is None


# --- filters within the scan budget ---------------------------------------------------------


@pytest.mark.parametrize("status", ["PENDING", "APPROVED", "REJECTED", "REVOKED"])
async def test_status_filter_resumes_past_the_scan_budget(
    make_api: ApiFactory, demo: Demo, status: str
) -> None:
    async with make_api(scan_budget=2, cache_ttl=0) as api:
        demo_list = lists_of(demo)["big_brand"]
        listing = await demo_list.listing(api)
        statuses = await _statuses(api, demo_list)
        matches = [key for key in listing if statuses[key] == status]
        assert matches
        walked: list[str] = []
        after = None
        for _ in range(10):
            await api.reset_stats()
            found = await page(api, demo_list, first=100, after=after, status=status)
            assert 1 <= await total(api) <= 2
            assert all(edge["node"]["status"] == status for edge in found["edges"])
            walked += keys(found)
            if not found["pageInfo"]["hasNextPage"]:
                break
            assert found["pageInfo"]["endCursor"] is not None
            after = found["pageInfo"]["endCursor"]
        assert walked == matches
        # the first page scanned 200 of 300 permissions: cut short, it says there is more
        first = await page(api, demo_list, first=100, status=status)
        assert keys(first) == [key for key in listing[:200] if statuses[key] == status][:100]
        assert first["pageInfo"]["hasNextPage"]


async def _statuses(api: Api, demo_list: DemoList) -> dict[str, str]:
    statuses: dict[str, str] = {}
    after: str | None = None
    while True:
        params = {"access_token": demo_list.token, "limit": "100", "fields": "id,permission_status"}
        if after is not None:
            params["after"] = after
        body = (
            await api.emulator.get(f"/v23.0/{demo_list.owner}/{demo_list.edge}", params=params)
        ).json()
        statuses.update({item["id"]: item["permission_status"] for item in body["data"]})
        if "next" not in body.get("paging", {}):
            return statuses
        after = body["paging"]["cursors"]["after"]


async def test_status_filter_pages_back_too(make_api: ApiFactory, demo: Demo) -> None:
    async with make_api(scan_budget=2, cache_ttl=0) as api:
        demo_list = lists_of(demo)["big_brand"]
        listing = await demo_list.listing(api)
        statuses = await _statuses(api, demo_list)
        final = await last_edge(api, demo_list)
        walked: list[str] = []
        before = final["cursor"]
        for _ in range(20):
            found = await page(api, demo_list, last=10, before=before, status="REVOKED")
            assert all(edge["node"]["status"] == "REVOKED" for edge in found["edges"])
            walked = keys(found) + walked
            if not found["pageInfo"]["hasPreviousPage"]:
                break
            before = found["pageInfo"]["startCursor"]
        assert walked == [key for key in listing[:-1] if statuses[key] == "REVOKED"]


async def test_creator_username_filter_is_the_graph_filter(
    make_api: ApiFactory, demo: Demo
) -> None:
    async with make_api(scan_budget=1, cache_ttl=0) as api:
        demo_list = lists_of(demo)["big_brand"]
        listing = await demo_list.listing(api)
        pages = await walk_forward(api, demo_list, 100)
        target = pages[2]["edges"][50]["node"]
        assert target["key"] == listing[250]
        username = target["creator"]["username"]
        await api.reset_stats()
        found = await page(api, demo_list, first=10, creatorUsername=f" @{username.upper()}")
        assert await total(api) == 1  # past the scan budget of 1, yet one call
        assert keys(found) == [target["key"]]
        assert not found["pageInfo"]["hasNextPage"]
        assert found["totalCount"] is None
        await api.reset_stats()
        nobody = await page(api, demo_list, first=10, creatorUsername="not a username")
        assert keys(nobody) == []
        assert await total(api) == 0


# --- statuses as the Graph API spells them --------------------------------------------------


async def test_odd_statuses_are_matched_case_insensitively_or_unknown(api: Api, demo: Demo) -> None:
    demo_list = lists_of(demo)["odd_brand"]
    raw = await _statuses(api, demo_list)
    assert any(
        value not in {"PENDING", "APPROVED", "REJECTED", "REVOKED"} for value in raw.values()
    )
    found = await page(api, demo_list, first=100)
    assert keys(found) == list(raw)
    for edge in found["edges"]:
        node = edge["node"]
        assert node["rawStatus"] == raw[node["key"]]
        upper = node["rawStatus"].upper()
        known = upper in {"PENDING", "APPROVED", "REJECTED", "REVOKED"}
        assert node["status"] == (upper if known else "UNKNOWN")
    for status in ["PENDING", "APPROVED", "UNKNOWN"]:
        filtered = await page(api, demo_list, first=100, status=status)
        expected = [e["node"]["key"] for e in found["edges"] if e["node"]["status"] == status]
        assert expected
        assert keys(filtered) == expected
