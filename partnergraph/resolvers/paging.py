"""Relay paging over Graph cursors: any edge cursor resumes either way in one or two calls.

With both `after` and `before`, a page reads from one cursor as usual and ends
where the other cursor's item comes, so it costs what a page from one cursor costs.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from partnergraph.errors import BadUserInput
from partnergraph.resolvers import cursors
from partnergraph.resolvers.cursors import Anchor, ListKey, Position

DEFAULT_PAGE = 10
MAX_PAGE = 100
SCAN_PAGE = 100

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class UpstreamPage:
    """One Graph list answer: its raw items, its cursors and whether more lie either way."""

    items: list[dict[str, Any]]
    before: str | None
    after: str | None
    has_next: bool
    has_previous: bool
    total_count: int | None = None
    """The whole list's size, when the Graph API summarised it."""


class PageFetcher(Protocol):
    """Reads one page of an upstream list."""

    def __call__(
        self, *, limit: int, after: str | None = None, before: str | None = None
    ) -> Awaitable[UpstreamPage]: ...


@dataclass(frozen=True, slots=True)
class Window:
    """A validated Relay page request: `count` edges forward from `after` or back from `before`.

    `bound` is the ID of the item named by the other cursor: the page ends before reaching it.
    """

    count: int
    forward: bool
    cursor: Position | None
    bound: str | None = None


@dataclass(frozen=True, slots=True)
class Edge(Generic[T]):
    """An item of a page and the upstream position its cursor encodes."""

    node: T
    position: Position


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """A Relay page: edges in upstream order, and where the next and previous pages begin."""

    edges: list[Edge[T]]
    has_next_page: bool
    has_previous_page: bool
    start: Position | None
    end: Position | None
    total_count: int | None = None
    """The whole list's size as the Graph API counts it; None when filtered or not given."""


@dataclass(frozen=True, slots=True)
class PageArgs:
    """A connection field's Relay arguments, as the client sent them."""

    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None


def window(key: ListKey, args: PageArgs) -> Window:
    """The page a client asks for in the list key names; BadUserInput if the arguments make none."""
    first, last = args.first, args.last
    after = cursors.decode(key, args.after) if args.after is not None else None
    before = cursors.decode(key, args.before) if args.before is not None else None
    if first is not None and last is not None:
        raise BadUserInput("Give `first` or `last`, not both.")
    if last is not None or (before is not None and first is None and after is None):
        if before is None:
            raise BadUserInput(
                "`last` needs `before`: the Graph API cannot start from the end of a list."
            )
        return Window(_checked_count("last", last), False, before, _bound("after", after))
    return Window(_checked_count("first", first), True, after, _bound("before", before))


def _bound(name: str, position: Position | None) -> str | None:
    if position is None:
        return None
    if position.item is None:
        raise BadUserInput(f"This `{name}` cursor names no item to end a page at; use it alone.")
    return position.item


Identify = Callable[[dict[str, Any]], str | None]
"""The ID of a raw Graph list item, or None when it has none."""


async def read_page(
    fetch: PageFetcher,
    request: Window,
    *,
    parse: Callable[[dict[str, Any]], T | None],
    identify: Identify,
    keep: Callable[[T], bool] | None = None,
    scan_budget: int = 1,
) -> Page[T]:
    """Read the requested page, filtering with `keep` over at most `scan_budget` upstream calls."""
    cursor = request.cursor
    if cursor is not None and cursor.item is not None and cursor.item == request.bound:
        # after and before name the same item: nothing lies between them
        return Page([], not request.forward, request.forward, None, None)
    scan = _Scan(fetch, request, parse=parse, identify=identify, keep=keep, budget=scan_budget)
    if request.forward:
        return await scan.forward(request.cursor)
    return await scan.backward(request.cursor)


def _checked_count(name: str, value: int | None) -> int:
    count = DEFAULT_PAGE if value is None else value
    if not 1 <= count <= MAX_PAGE:
        raise BadUserInput(f"`{name}` must be between 1 and {MAX_PAGE}, not {count}.")
    return count


class _Scan(Generic[T]):
    def __init__(
        self,
        fetch: PageFetcher,
        request: Window,
        *,
        parse: Callable[[dict[str, Any]], T | None],
        identify: Identify,
        keep: Callable[[T], bool] | None,
        budget: int,
    ) -> None:
        self._fetch = fetch
        self._count = request.count
        self._bound = request.bound
        self._parse = parse
        self._identify = identify
        self._keep = keep
        self._budget = budget if keep is not None else 3
        self._calls = 0
        self._total: int | None = None
        self._edges: list[Edge[T]] = []

    async def _call(
        self, limit: int, after: str | None = None, before: str | None = None
    ) -> UpstreamPage:
        self._calls += 1
        page = await self._fetch(limit=limit, after=after, before=before)
        if page.total_count is not None:
            self._total = page.total_count
        return page

    def _limit(self, skip: int) -> int:
        if self._keep is not None:
            return SCAN_PAGE
        # one more item than the page needs shows whether the bound follows it
        look_ahead = 1 if self._bound is not None else 0
        return min(MAX_PAGE, skip + self._count - len(self._edges) + look_ahead)

    def _is_bound(self, item: dict[str, Any]) -> bool:
        return self._bound is not None and self._identify(item) == self._bound

    def _take(self, item: dict[str, Any], position: Position) -> bool:
        """Keep item if it parses and passes the filter; True once the page is full."""
        node = self._parse(item)
        if node is not None and (self._keep is None or self._keep(node)):
            self._edges.append(Edge(node, position))
        return len(self._edges) == self._count

    async def forward(self, cursor: Position | None) -> Page[T]:
        graph_after, skip = None, 0
        if cursor is not None:
            graph_after, skip = await self._forward_start(cursor)
        has_previous = skip > 0 or graph_after is not None
        last_scanned: Position | None = None
        while True:
            page = await self._call(self._limit(skip), after=graph_after)
            size = len(page.items)
            for index in range(skip, size):
                item = page.items[index]
                if self._is_bound(item):
                    return self._page(False, has_previous, forward=True)
                position = _position(
                    page, index, Anchor.AFTER, graph_after, index, item=self._identify(item)
                )
                last_scanned = position
                if self._take(item, position):
                    if index < size - 1:
                        more = not self._is_bound(page.items[index + 1])
                    else:
                        more = page.has_next
                    return self._page(more, has_previous, forward=True)
            if not page.has_next or page.after is None:
                return self._page(False, has_previous, forward=True)
            if self._calls >= self._budget:
                return self._page(True, has_previous, forward=True, resume=last_scanned)
            graph_after, skip = page.after, 0

    async def backward(self, cursor: Position | None) -> Page[T]:
        assert cursor is not None
        graph_before, skip = await self._backward_start(cursor)
        last_scanned: Position | None = None
        while True:
            page = await self._call(self._limit(skip), before=graph_before)
            size = len(page.items)
            for back in range(skip, size):
                index = size - 1 - back
                item = page.items[index]
                if self._is_bound(item):
                    return self._page(True, False, forward=False)
                position = _position(
                    page, index, Anchor.BEFORE, graph_before, back, item=self._identify(item)
                )
                last_scanned = position
                if self._take(item, position):
                    if index > 0:
                        more = not self._is_bound(page.items[index - 1])
                    else:
                        more = page.has_previous
                    return self._page(True, more, forward=False)
            if not page.has_previous or page.before is None:
                return self._page(True, False, forward=False)
            if self._calls >= self._budget:
                return self._page(True, True, forward=False, resume=last_scanned)
            graph_before, skip = page.before, 0

    async def _forward_start(self, cursor: Position) -> tuple[str | None, int]:
        if cursor.anchor is Anchor.AT:
            return cursor.graph_cursor, 0
        if cursor.anchor is Anchor.AFTER:
            return cursor.graph_cursor, cursor.offset + 1
        found = await self._call(cursor.offset + 1, before=cursor.graph_cursor)
        return _exact(found, found.before, len(found.items) == cursor.offset + 1), 0

    async def _backward_start(self, cursor: Position) -> tuple[str | None, int]:
        if cursor.anchor is Anchor.AT:
            return cursor.graph_cursor, 0
        if cursor.anchor is Anchor.BEFORE:
            return cursor.graph_cursor, cursor.offset + 1
        found = await self._call(cursor.offset + 1, after=cursor.graph_cursor)
        return _exact(found, found.after, len(found.items) == cursor.offset + 1), 0

    def _page(
        self,
        has_next: bool,
        has_previous: bool,
        *,
        forward: bool,
        resume: Position | None = None,
    ) -> Page[T]:
        edges = self._edges if forward else self._edges[::-1]
        start = edges[0].position if edges else None
        end = edges[-1].position if edges else None
        if resume is not None:
            if forward:
                end = resume
            else:
                start = resume
        total = self._total if self._keep is None else None
        return Page(edges, has_next, has_previous, start, end, total)


def _position(
    page: UpstreamPage,
    index: int,
    anchor: Anchor,
    graph_cursor: str | None,
    offset: int,
    *,
    item: str | None,
) -> Position:
    """The most direct position of page.items[index]: its own Graph cursor when the page has one."""
    if index == len(page.items) - 1 and page.after is not None:
        return Position(Anchor.AT, page.after, item=item)
    if index == 0 and page.before is not None:
        return Position(Anchor.AT, page.before, item=item)
    return Position(anchor, graph_cursor, offset, item)


def _exact(page: UpstreamPage, graph_cursor: str | None, complete: bool) -> str:
    if graph_cursor is None or not complete:
        raise BadUserInput("The cursor points at an item that is no longer in the list.")
    return graph_cursor
