"""Reads Graph list answers into upstream pages, through the request's page loader."""

from typing import Any

from partnergraph.errors import UpstreamUnavailable
from partnergraph.resolvers.budgets import BudgetKind
from partnergraph.resolvers.context import RequestContext
from partnergraph.resolvers.loaders import PageKey
from partnergraph.resolvers.paging import PageFetcher, UpstreamPage


def fetcher(
    context: RequestContext,
    owner: str,
    edge: str,
    params: dict[str, str],
    budget: BudgetKind | None = None,
) -> PageFetcher:
    """A PageFetcher for one owner's list on an edge, with fixed extra query parameters."""

    async def fetch(
        *, limit: int, after: str | None = None, before: str | None = None
    ) -> UpstreamPage:
        query = {**params, "limit": str(limit)}
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
    return UpstreamPage(
        items=[item if isinstance(item, dict) else {} for item in data],
        before=_cursor(cursors.get("before")),
        after=_cursor(cursors.get("after")),
        has_next=bool(paging.get("next")),
        has_previous=bool(paging.get("previous")),
    )


def _cursor(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
