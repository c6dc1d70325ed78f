"""Relay connection types, generic over the node type, built from a resolvers page."""

from collections.abc import Callable
from typing import Generic, TypeVar

import strawberry

from partnergraph.resolvers import cursors
from partnergraph.resolvers.cursors import ListKey
from partnergraph.resolvers.paging import Page

T = TypeVar("T")
R = TypeVar("R")


@strawberry.type(description="Where a page stands in its list (Relay).")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type(description="A node and the cursor that resumes the list at it.")
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type(description="A page of a list, with cursors into the Graph API's own paging.")
class Connection(Generic[T]):
    edges: list[Edge[T]]
    nodes: list[T]
    page_info: PageInfo
    total_count: int | None = strawberry.field(
        description="The size of the whole list, from the Graph API's summary (for "
        "instagramAccounts, its count of Pages, any without an Instagram account included); "
        "null when a filter is set or the Graph API gives none."
    )

    @classmethod
    def of(cls, key: ListKey, page: Page[R], node: Callable[[R], T]) -> "Connection[T]":
        """The connection of a resolvers page, each record made a node by `node`."""
        edges = [
            Edge(cursor=cursors.encode(key, e.position), node=node(e.node)) for e in page.edges
        ]
        return cls(
            edges=edges,
            nodes=[edge.node for edge in edges],
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=page.has_previous_page,
                start_cursor=cursors.encode(key, page.start) if page.start else None,
                end_cursor=cursors.encode(key, page.end) if page.end else None,
            ),
            total_count=page.total_count,
        )
