"""Graph list edges read into Relay pages of records, through the request's page loader.

Every read asks for `summary=true`, so the Graph API's count of the whole list
comes with the page, never at the cost of another call.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from partnergraph.errors import BeyondScanBudget, UpstreamUnavailable
from partnergraph.resolvers import cursors
from partnergraph.resolvers.budgets import BudgetKind
from partnergraph.resolvers.context import RequestContext
from partnergraph.resolvers.loaders import PageKey
from partnergraph.resolvers.paging import (
    SCAN_PAGE,
    Page,
    PageFetcher,
    UpstreamPage,
    Window,
    read_page,
)
from partnergraph.resolvers.records import text_value

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class GraphList(Generic[R]):
    """A Graph list edge: its query fields, its daily budget, how its items become records."""

    edge: str
    params: Mapping[str, str]
    parse: Callable[[str, dict[str, Any]], R | None]
    """The record of an item of an owner's list, or None for an item to skip."""
    budget: BudgetKind | None = None
    id_field: str = "id"
    """The item field holding its ID, which cursors carry to bound a page."""

    async def page(
        self,
        context: RequestContext,
        owner: str,
        request: Window,
        keep: Callable[[R], bool] | None = None,
        filters: Mapping[str, str] | None = None,
    ) -> Page[R]:
        """The requested page of owner's list, filtered upstream by the Graph API's `filters`
        and here by keep within the scan budget."""
        params = {**self.params, **filters} if filters else self.params
        fetch = _fetcher(context, owner, self.edge, params, self.budget)
        return await read_page(
            fetch,
            request,
            parse=lambda item: self.parse(owner, item),
            identify=self._identify,
            keep=keep,
            scan_budget=context.services.scan_budget,
        )

    async def first(
        self, context: RequestContext, owner: str, keep: Callable[[R], bool]
    ) -> R | None:
        """The first record of owner's list that keep accepts; None when the list has none.

        BeyondScanBudget when the scan budget ran out before the end of the list.
        """
        page = await self.page(context, owner, Window(1, forward=True, cursor=None), keep)
        if page.edges:
            return page.edges[0].node
        if page.has_next_page:
            read = context.services.scan_budget * SCAN_PAGE
            raise BeyondScanBudget(
                f"Not among the first {read} items of the list, as far as one request may read "
                "it (PARTNERGRAPH_SCAN_BUDGET): it may lie further, or be gone."
            )
        return None

    def _identify(self, item: dict[str, Any]) -> str | None:
        return cursors.item_id(text_value(item.get(self.id_field)))


def _fetcher(
    context: RequestContext,
    owner: str,
    edge: str,
    params: Mapping[str, str],
    budget: BudgetKind | None,
) -> PageFetcher:
    """A PageFetcher for one owner's list on an edge, with fixed extra query parameters."""

    async def fetch(
        *, limit: int, after: str | None = None, before: str | None = None
    ) -> UpstreamPage:
        query = {**params, "summary": "true", "limit": str(limit)}
        if after is not None:
            query["after"] = after
        if before is not None:
            query["before"] = before
        key = PageKey(owner, edge, tuple(sorted(query.items())), budget)
        return page_from_graph(await context.pages.load(key))

    return fetch


def page_from_graph(body: dict[str, Any]) -> UpstreamPage:
    """The upstream page in a Graph list answer; UpstreamUnavailable if it is not one."""
    data = body.get("data")
    if not isinstance(data, list):
        raise UpstreamUnavailable("The Graph API answered a list read without a data list.")
    paging = body.get("paging")
    paging = paging if isinstance(paging, dict) else {}
    cursors = paging.get("cursors")
    cursors = cursors if isinstance(cursors, dict) else {}
    summary = body.get("summary")
    total = summary.get("total_count") if isinstance(summary, dict) else None
    return UpstreamPage(
        items=[item if isinstance(item, dict) else {} for item in data],
        before=_cursor(cursors.get("before")),
        after=_cursor(cursors.get("after")),
        has_next=bool(paging.get("next")),
        has_previous=bool(paging.get("previous")),
        total_count=_count(total),
    )


def _count(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def _cursor(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
