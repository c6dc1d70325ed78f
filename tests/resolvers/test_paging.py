"""read_page on its own against the emulator's listing: walks, resumes, costs and filter scans.

Every property drives `read_page` with a PageFetcher that GETs the standalone emulator's
branded-content permissions of the big demo brand and counts its calls. Nothing here writes to
the emulator: the module resets it once, lists it, and compares every walk with that listing.
"""

import asyncio
import base64
import json
import string
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from partnergraph.errors import BadUserInput
from partnergraph.resolvers import cursors
from partnergraph.resolvers.cursors import Anchor, ListKey, Position
from partnergraph.resolvers.lists import page_from_graph
from partnergraph.resolvers.paging import Page, UpstreamPage, Window, read_page
from partnergraph.resolvers.records import (
    PERMISSION_FIELDS,
    PermissionRecord,
    PermissionStatus,
    permission_from_graph,
)

EDGE = "branded_content_ad_permissions"
KEY = ListKey("permissions", "any-brand")
KNOWN = [s for s in PermissionStatus if s is not PermissionStatus.UNKNOWN]
FAST = settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
T = TypeVar("T")
# The servers' accepted sockets lack TCP_NODELAY, so a kept-alive connection waits ~40 ms for a
# delayed ACK on every answer; fresh loopback connections cost ~2 ms.
NO_KEEPALIVE = httpx.Limits(max_keepalive_connections=0)


@dataclass(frozen=True)
class Listing:
    """The big brand's permissions as the emulator lists them, and how to read them again."""

    url: str
    token: str
    brand: str
    ids: list[str]
    statuses: list[PermissionStatus]
    item_cursors: list[str]

    @property
    def path(self) -> str:
        return f"/v23.0/{self.brand}/{EDGE}"


@pytest.fixture(scope="module")
def listing(emulator_url: str) -> Listing:
    """The full list walked via `paging.next` with limit 100, and each item's own Graph cursor."""
    with httpx.Client(base_url=emulator_url, timeout=30, limits=NO_KEEPALIVE) as client:
        # The seeded data, with no faults or usage an earlier module may have left behind.
        client.post("/admin/reset").raise_for_status()
        state = client.get("/admin/state").json()
        managers = [t for t in state["tokens"] if t["role"] == "brand_manager"]
        token = max(managers, key=lambda t: len(t["brandIds"]))["token"]
        brand = max(state["brands"], key=lambda b: b["permissionCount"])["id"]
        path = f"/v23.0/{brand}/{EDGE}"
        items: list[dict[str, Any]] = []
        response = client.get(path, params={"access_token": token, "limit": 100})
        while True:
            body = response.json()
            items += body["data"]
            next_url = body.get("paging", {}).get("next")
            if next_url is None:
                break
            response = client.get(next_url)
        own: list[str] = []
        params: dict[str, Any] = {"access_token": token, "limit": 1, "fields": "id"}
        while True:
            body = client.get(path, params=params).json()
            own.append(body["paging"]["cursors"]["after"])
            if "next" not in body["paging"]:
                break
            params = {**params, "after": own[-1]}
    assert len(items) >= 300
    assert len(own) == len(items)
    return Listing(
        url=emulator_url,
        token=token,
        brand=brand,
        ids=[item["id"] for item in items],
        statuses=[PermissionStatus.of(item["permission_status"]) for item in items],
        item_cursors=own,
    )


@dataclass
class CountingFetcher:
    """A PageFetcher on the emulator's list that counts its calls."""

    client: httpx.AsyncClient
    listing: Listing
    calls: int = 0
    limits: list[int] = field(default_factory=list)

    async def __call__(
        self, *, limit: int, after: str | None = None, before: str | None = None
    ) -> UpstreamPage:
        self.calls += 1
        self.limits.append(limit)
        params = {"access_token": self.listing.token, "limit": str(limit)}
        params["fields"] = PERMISSION_FIELDS
        params["summary"] = "true"
        if after is not None:
            params["after"] = after
        if before is not None:
            params["before"] = before
        response = await self.client.get(self.listing.path, params=params)
        assert response.status_code == 200, response.text
        return page_from_graph(response.json())

    async def read(
        self,
        request: Window,
        keep: Callable[[PermissionRecord], bool] | None = None,
        scan_budget: int = 1,
    ) -> tuple[Page[PermissionRecord], int]:
        """A page and the upstream calls it cost."""
        before = self.calls
        page = await read_page(
            self,
            request,
            parse=lambda item: permission_from_graph("b", item),
            identify=lambda item: item.get("id"),
            keep=keep,
            scan_budget=scan_budget,
        )
        assert all(limit <= 100 for limit in self.limits)
        return page, self.calls - before


def run(listing: Listing, body: Callable[[CountingFetcher], Awaitable[T]]) -> T:
    """Run body on a fresh event loop with its own fetcher (the emulator is another process)."""

    async def main() -> T:
        async with httpx.AsyncClient(
            base_url=listing.url, timeout=30, limits=NO_KEEPALIVE
        ) as client:
            return await body(CountingFetcher(client, listing))

    return asyncio.run(main())


def opaque(position: Position | None) -> Position:
    """The position as a client gets it back: through an opaque cursor."""
    assert position is not None
    return cursors.decode(KEY, cursors.encode(KEY, position))


def ids_of(page: Page[PermissionRecord]) -> list[str]:
    return [edge.node.graph_id for edge in page.edges]


def at(listing: Listing, index: int) -> Position:
    """The position of the item at index by its own Graph cursor."""
    return Position(Anchor.AT, listing.item_cursors[index])


@FAST
@given(n=st.integers(1, 100))
@example(n=1)
@example(n=7)
@example(n=100)
def test_first_n_following_end_cursor_visits_the_list_once_in_order(
    listing: Listing, n: int
) -> None:
    async def walk(fetch: CountingFetcher) -> None:
        seen: list[str] = []
        cursor: Position | None = None
        while True:
            page, calls = await fetch.read(Window(n, forward=True, cursor=cursor))
            seen += ids_of(page)
            assert page.has_previous_page is (cursor is not None)
            if cursor is None:
                assert calls == 1
            else:
                assert cursor.anchor is Anchor.AT  # page ends are aligned with upstream pages
                assert calls == 1
            if not page.has_next_page:
                break
            assert len(page.edges) == n
            cursor = opaque(page.end)
        assert seen == listing.ids
        assert 1 <= len(page.edges) <= n

    run(listing, walk)


@FAST
@given(n=st.integers(1, 100))
@example(n=1)
@example(n=10)
@example(n=100)
def test_last_n_following_start_cursor_walks_back_to_the_start(listing: Listing, n: int) -> None:
    async def walk(fetch: CountingFetcher) -> None:
        tail, _ = await fetch.read(Window(1, forward=True, cursor=at(listing, -2)))
        assert ids_of(tail) == listing.ids[-1:]
        assert not tail.has_next_page
        seen = ids_of(tail)
        cursor = opaque(tail.start)
        while True:
            page, calls = await fetch.read(Window(n, forward=False, cursor=cursor))
            assert calls == 1
            assert page.has_next_page
            seen = ids_of(page) + seen
            if not page.has_previous_page:
                break
            assert len(page.edges) == n
            cursor = opaque(page.start)
        assert seen == listing.ids

    run(listing, walk)


@FAST
@given(
    data=st.data(),
    mint_forward=st.booleans(),
    mint_size=st.integers(1, 100),
    resume_forward=st.booleans(),
    n=st.integers(1, 100),
)
def test_any_edge_cursor_resumes_either_way(
    listing: Listing,
    *,
    data: st.DataObject,
    mint_forward: bool,
    mint_size: int,
    resume_forward: bool,
    n: int,
) -> None:
    """Edges of a page read from a random place (their cursors hold every anchor) resume exactly."""
    size = len(listing.ids)
    if mint_forward:
        base = data.draw(st.integers(-1, size - 2), label="page after item (-1: list start)")
        origin = None if base < 0 else at(listing, base)
        first = base + 1
    else:
        base = data.draw(st.integers(1, size - 1), label="page before item")
        origin = at(listing, base)
        first = max(0, base - mint_size)

    async def check(fetch: CountingFetcher) -> None:
        minted, _ = await fetch.read(Window(mint_size, mint_forward, origin))
        assert ids_of(minted) == listing.ids[first : first + len(minted.edges)]
        k = data.draw(st.integers(0, len(minted.edges) - 1), label="edge")
        index = first + k
        position = opaque(minted.edges[k].position)
        page, calls = await fetch.read(Window(n, resume_forward, position))
        if resume_forward:
            expected = listing.ids[index + 1 : index + 1 + n]
            assert page.has_next_page is (index + 1 + n < size)
            assert page.has_previous_page
        else:
            expected = listing.ids[max(0, index - n) : index]
            assert page.has_previous_page is (index - n > 0)
            assert page.has_next_page
        assert ids_of(page) == expected
        assert calls <= 2
        if position.anchor is Anchor.AT:
            assert calls == 1

    run(listing, check)


@FAST
@given(
    n=st.integers(1, 100),
    budget=st.integers(1, 4),
    status=st.sampled_from(KNOWN),
    forward=st.booleans(),
)
@example(n=100, budget=1, status=PermissionStatus.REJECTED, forward=True)
@example(n=100, budget=1, status=PermissionStatus.REJECTED, forward=False)
def test_status_filter_scans_within_budget_and_resumes(
    listing: Listing, n: int, budget: int, status: PermissionStatus, forward: bool
) -> None:
    matches = [i for i, s in zip(listing.ids, listing.statuses, strict=True) if s is status]
    assert matches

    def keep(record: PermissionRecord) -> bool:
        return record.status is status

    async def walk(fetch: CountingFetcher) -> None:
        seen: list[str] = []
        pages: list[Page[PermissionRecord]] = []
        if forward:
            cursor: Position | None = None
            expected = matches
        else:
            cursor = at(listing, -1)
            expected = [i for i in matches if i != listing.ids[-1]]
        for _ in range(len(listing.ids)):
            page, calls = await fetch.read(Window(n, forward, cursor), keep, budget)
            pages.append(page)
            assert 1 <= calls <= budget
            assert all(edge.node.status is status for edge in page.edges)
            seen = seen + ids_of(page) if forward else ids_of(page) + seen
            more = page.has_next_page if forward else page.has_previous_page
            if not more:
                break
            if len(page.edges) < n:
                assert calls == budget  # only the budget cuts a page short before the end
            cursor = opaque(page.end if forward else page.start)
        else:
            pytest.fail("the filtered walk never reached the end of the list")
        assert seen == expected
        scanned = budget * 100
        if forward and scanned < len(listing.ids):
            # the first page holds what the budget's upstream pages hold, and says there is more
            reachable = len([i for i in listing.ids[:scanned] if i in expected])
            assert len(pages[0].edges) == min(n, reachable)
            assert pages[0].has_next_page

    run(listing, walk)


@FAST
@given(
    data=st.data(),
    base=st.integers(-1, 298),
    mint_size=st.integers(1, 100),
    forward=st.booleans(),
    n=st.integers(1, 100),
    status=st.sampled_from(KNOWN),
)
def test_filtered_page_resumes_from_any_edge_cursor(
    listing: Listing,
    *,
    data: st.DataObject,
    base: int,
    mint_size: int,
    forward: bool,
    n: int,
    status: PermissionStatus,
) -> None:
    """With a budget that covers the list, a filtered page is exactly the next n matches."""
    size = len(listing.ids)
    base = min(base, size - 2)
    origin = None if base < 0 else at(listing, base)

    def keep(record: PermissionRecord) -> bool:
        return record.status is status

    async def check(fetch: CountingFetcher) -> None:
        minted, _ = await fetch.read(Window(mint_size, True, origin), keep, scan_budget=10)
        if not minted.edges:
            return
        k = data.draw(st.integers(0, len(minted.edges) - 1), label="edge")
        index = listing.ids.index(minted.edges[k].node.graph_id)
        page, _ = await fetch.read(
            Window(n, forward, opaque(minted.edges[k].position)), keep, scan_budget=10
        )
        wanted = [
            i
            for i, s in zip(listing.ids, listing.statuses, strict=True)
            if s is status and (listing.ids.index(i) > index) is forward and i != listing.ids[index]
        ]
        assert ids_of(page) == (wanted[:n] if forward else wanted[-n:])

    run(listing, check)


@FAST
@given(
    data=st.data(),
    n=st.integers(1, 100),
    forward=st.booleans(),
    status=st.none() | st.sampled_from(KNOWN),
)
def test_a_page_between_two_edge_cursors_holds_what_lies_between(
    listing: Listing,
    *,
    data: st.DataObject,
    n: int,
    forward: bool,
    status: PermissionStatus | None,
) -> None:
    """`after` and `before` from any two pages: the page holds the (matching) items between."""
    size = len(listing.ids)

    def keep(record: PermissionRecord) -> bool:
        return record.status is status

    async def mint(fetch: CountingFetcher) -> Position:
        """An edge's position from a page read forward or back from a random place."""
        mint_forward = data.draw(st.booleans(), label="mint forward")
        if mint_forward:
            base = data.draw(st.integers(-1, size - 2), label="after item (-1: list start)")
            origin = None if base < 0 else at(listing, base)
        else:
            origin = at(listing, data.draw(st.integers(1, size - 1), label="before item"))
        size_drawn = data.draw(st.integers(1, 100), label="mint size")
        minted, _ = await fetch.read(Window(size_drawn, mint_forward, origin))
        k = data.draw(st.integers(0, len(minted.edges) - 1), label="edge")
        return opaque(minted.edges[k].position)

    async def check(fetch: CountingFetcher) -> None:
        first, second = await mint(fetch), await mint(fetch)
        lower, upper = sorted([first, second], key=lambda p: listing.ids.index(p.item or ""))
        i, j = listing.ids.index(lower.item or ""), listing.ids.index(upper.item or "")
        between = [
            graph_id
            for graph_id, s in zip(listing.ids[i + 1 : j], listing.statuses[i + 1 : j], strict=True)
            if status is None or s is status
        ]
        if forward:
            request = Window(n, True, lower, upper.item)
        else:
            request = Window(n, False, upper, lower.item)
        page, calls = await fetch.read(request, keep if status else None, scan_budget=10)
        assert ids_of(page) == (between[:n] if forward else between[max(0, len(between) - n) :])
        more = page.has_next_page if forward else page.has_previous_page
        if len(between) > n:
            assert more
        elif len(between) < n:
            assert not more
        assert page.has_previous_page if forward else page.has_next_page
        if i == j:
            assert calls == 0  # the same item: nothing between, and nothing to ask
        if status is None:
            assert calls <= 2
            assert page.total_count == (size if calls else None)
        else:
            assert page.total_count is None

    run(listing, check)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 200) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=7) | st.dictionaries(st.text(max_size=3), children)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(
    raw=JSON
    | st.tuples(
        st.just(2),
        st.sampled_from(["permissions", "invites"]) | JSON,
        st.sampled_from([KEY.owner, "other"]) | JSON,
        st.sampled_from([a.value for a in Anchor]) | JSON,
        st.text(max_size=8) | JSON,
        st.integers(-2, 101) | JSON,
        st.text(max_size=8) | JSON,
    ).map(list)
)
def test_decode_answers_a_position_or_bad_user_input(raw: object) -> None:
    """Whatever a client sends as a cursor: a position of this list, or BadUserInput."""
    cursor = _packed(raw)
    try:
        position = cursors.decode(KEY, cursor)
    except BadUserInput:
        return
    assert cursors.decode(KEY, cursors.encode(KEY, position)) == position
    assert isinstance(raw, list)
    assert raw[1:3] == [KEY.edge, KEY.owner]


@settings(max_examples=200, deadline=None)
@given(cursor=st.text(max_size=40))
def test_decode_of_any_text_is_bad_user_input(cursor: str) -> None:
    with pytest.raises(BadUserInput):
        cursors.decode(KEY, cursor)


def _packed(raw: object) -> str:
    return _bytes_packed(json.dumps(raw).encode())


def _bytes_packed(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


BASE64URL = string.ascii_letters + string.digits + "-_"
ANY_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(st.characters(exclude_categories=()), max_size=600),  # lone surrogates too
    lambda children: st.lists(children, max_size=8) | st.dictionaries(st.text(), children),
)
AT_EVERY_SLOT = st.tuples(
    *(st.just(slot) for slot in (2, "permissions", "any-brand")),
    st.sampled_from([a.value for a in Anchor]) | ANY_JSON,
    ANY_JSON,
    st.integers(0, 99) | ANY_JSON,
    st.just("17841400000000001") | ANY_JSON,
).map(list)


@settings(max_examples=400, deadline=None)
@given(
    cursor=st.text(st.characters(exclude_categories=()), max_size=3000)
    | st.text(BASE64URL, max_size=3000)
    | st.binary(max_size=2000).map(_bytes_packed)
    | (ANY_JSON | AT_EVERY_SLOT).map(_packed)
)
@example(cursor=_bytes_packed(b"[" * 1000))  # RecursionError in json.loads: was a 500
@example(cursor=_bytes_packed(b"[" * 760))  # within the length bound
@example(cursor=_bytes_packed(b"[" * 380 + b"]" * 380))
@example(cursor=_packed([2, "permissions", "any-brand", "=", "\ud800", 0, "1"]))
@example(cursor=_packed([2, "permissions", "any-brand", "=", "a" * 90_000, 0, "1"]))
@example(cursor=_packed([2, "permissions", "any-brand", "=", "a" * 513, 0, "1"]))
def test_decode_of_anything_is_a_position_fit_to_send_or_bad_user_input(cursor: str) -> None:
    """Arbitrary text, bytes and JSON values as cursors: nothing but the coded error escapes,
    and a position decoded has a Graph cursor httpx can send and an item ID of digits."""
    decoded: Position | BadUserInput
    try:
        decoded = cursors.decode(KEY, cursor)
    except BadUserInput as error:
        decoded = error
    if isinstance(decoded, BadUserInput):
        assert len(decoded.message) < 600  # the cursor is quoted shortened
        return
    position = decoded
    assert len(cursor) <= 1024
    graph_cursor = position.graph_cursor
    assert graph_cursor is None or (graph_cursor.isascii() and graph_cursor.isprintable())
    assert graph_cursor is None or 0 < len(graph_cursor) <= 512
    assert position.item is None or (position.item.isascii() and position.item.isdigit())
    assert cursors.decode(KEY, cursors.encode(KEY, position)) == position


@pytest.mark.parametrize(
    "raw",
    [
        [2, "permissions", "any-brand", [], "Y3Vyc29y", 0, "1"],  # unhashable anchor: was a 500
        [2, "permissions", "any-brand", {}, "Y3Vyc29y", 0, "1"],
        [2, "permissions", "any-brand", "=", "", 0, "1"],  # empty Graph cursor: read the list start
        [2, "permissions", "any-brand", "=", None, 0, "1"],
        [2, "permissions", "any-brand", "b", None, 0, "1"],
        [2, "permissions", "any-brand", "a", "Y3Vyc29y", 100, "1"],
        [2, "permissions", "any-brand", "a", "Y3Vyc29y", -1, "1"],
        [2, "permissions", "any-brand", "a", "Y3Vyc29y", True, "1"],
        [2, "permissions", "any-brand", "a", "Y3Vyc29y", 0, ""],
        [2, "permissions", "any-brand", "a", "Y3Vyc29y", 0, 17],
        [2, "permissions", "any-brand", "a", "Y3Vyc29y", 0, "9" * 65],
        [2, "permissions", "any-brand", "a", "Y3Vyc29y", 0, "x1"],  # Graph IDs are digits
        [2, "permissions", "any-brand", "a", "Y3Vyc29y", 0, "\u0661"],
        [2, "permissions", "any-brand", "a", "Y3Vy\u00e9", 0, "1"],  # Graph cursors are ASCII
        [2, "permissions", "any-brand", "a", "Y3Vy\tc29y", 0, "1"],
        [2, "permissions", "any-brand", "a", "a" * 513, 0, "1"],
        [2.0, "permissions", "any-brand", "a", "Y3Vyc29y", 0, "1"],
        [2, "permissions", "any-brand", "a", "Y3Vyc29y", 0.0, "1"],
        [1, "permissions", "any-brand", "a", "Y3Vyc29y", 0],  # the first version's cursors
        [3, "permissions", "any-brand", "a", "Y3Vyc29y", 0, "1"],
        [2, "invites", "any-brand", "a", "Y3Vyc29y", 0, "1"],
        [2, "permissions", "other-brand", "a", "Y3Vyc29y", 0, "1"],
        [2, "permissions", "any-brand", "a", "Y3Vyc29y", 0],
    ],
)
def test_decode_refuses_what_is_not_a_position_of_this_list(raw: object) -> None:
    with pytest.raises(BadUserInput):
        cursors.decode(KEY, _packed(raw))


def test_decode_reads_what_encode_wrote() -> None:
    for position in [
        Position(Anchor.AT, "Y3Vyc29y"),
        Position(Anchor.AFTER, None, 99, "17841400000000001"),
        Position(Anchor.BEFORE, "Y3Vyc29y", 5, "9" * 64),
        Position(Anchor.AT, "Y3Vy+/=" * 73, 0, "1"),  # the longest Graph cursor carried: 511
    ]:
        assert cursors.decode(KEY, cursors.encode(KEY, position)) == position
