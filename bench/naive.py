"""Naive Strawberry: the BrandPermissions shape resolved by calling the Graph API every request.

The baseline of `new_document`: Strawberry on Starlette under uvicorn, one
httpx client, and nothing else: no read cache, no answer cache, and no parser or
validation cache unless `--document-cache` adds Strawberry's own (ParserCache,
ValidationCache). `python -m bench.naive --graph-url URL` serves it on a free
loopback port and announces its URL like `partnergraph` does.
"""

import argparse
import base64
import contextlib
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from enum import Enum
from typing import Any

import httpx
import strawberry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.extensions import ParserCache, SchemaExtension, ValidationCache
from strawberry.types import Info

from partnergraph.server import listen

_FIELDS = "id,creator_id,creator_username,creator_fb_page,brand_ig_user,permission_status"
_NAME = "naive strawberry"


@strawberry.enum
class PermissionStatus(Enum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    REVOKED = "REVOKED"
    UNKNOWN = "UNKNOWN"


@strawberry.type
class Creator:
    id: strawberry.ID
    ig_id: strawberry.ID
    username: str | None
    facebook_page_id: strawberry.ID | None


@strawberry.type
class Permission:
    id: strawberry.ID
    graph_id: strawberry.ID
    status: PermissionStatus
    raw_status: str
    creator: Creator


@strawberry.type
class PermissionEdge:
    cursor: str
    node: Permission


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class PermissionConnection:
    total_count: int | None
    edges: list[PermissionEdge]
    page_info: PageInfo


def _global_id(kind: str, raw: str) -> strawberry.ID:
    return strawberry.ID(base64.b64encode(f"{kind}:{raw}".encode()).decode())


def _permission(item: dict[str, Any]) -> Permission:
    raw = str(item.get("permission_status") or "")
    known = raw.upper() in PermissionStatus.__members__
    return Permission(
        id=_global_id("Permission", item["id"]),
        graph_id=strawberry.ID(item["id"]),
        status=PermissionStatus[raw.upper()] if known else PermissionStatus.UNKNOWN,
        raw_status=raw,
        creator=Creator(
            id=_global_id("Creator", item.get("creator_id", "")),
            ig_id=strawberry.ID(item.get("creator_id", "")),
            username=item.get("creator_username"),
            facebook_page_id=item.get("creator_fb_page"),
        ),
    )


@strawberry.type
class Brand:
    id: strawberry.ID
    ig_id: strawberry.ID

    @strawberry.field
    async def permissions(
        self,
        info: Info,
        *,
        first: int | None = 10,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        status: PermissionStatus | None = None,
        creator_username: str | None = None,
    ) -> PermissionConnection:
        request: Request = info.context["request"]
        params = {"fields": _FIELDS, "limit": str(last or first or 10), "summary": "true"}
        for name, cursor in (("after", after), ("before", before)):
            if cursor:
                params[name] = cursor
        response = await request.app.state.http.get(
            f"{request.app.state.graph_url}/v23.0/{self.ig_id}/branded_content_ad_permissions",
            params=params,
            headers={"Authorization": request.headers.get("authorization", "")},
        )
        body = response.json()
        nodes = [_permission(item) for item in body.get("data", [])]
        nodes = [
            n
            for n in nodes
            if (status is None or n.status == status)
            and (creator_username is None or n.creator.username == creator_username)
        ]
        paging = body.get("paging", {})
        end = paging.get("cursors", {}).get("after")
        filtered = status is not None or creator_username is not None
        return PermissionConnection(
            total_count=None if filtered else body.get("summary", {}).get("total_count"),
            edges=[PermissionEdge(cursor=f"{end}:{i}", node=n) for i, n in enumerate(nodes)],
            page_info=PageInfo(
                has_next_page="next" in paging,
                has_previous_page="previous" in paging,
                start_cursor=f"{end}:0" if nodes else None,
                end_cursor=end,
            ),
        )


@strawberry.type
class Query:
    @strawberry.field
    def brand(self, ig_id: strawberry.ID) -> Brand:
        return Brand(id=_global_id("Brand", ig_id), ig_id=ig_id)


def create_app(graph_url: str, *, document_cache: bool = False) -> Starlette:
    """The naive app, calling the Graph API at graph_url; with document_cache, each
    document is parsed and validated once, by Strawberry's own extensions."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with httpx.AsyncClient() as http:
            app.state.http, app.state.graph_url = http, graph_url
            yield

    extensions: list[Callable[[], SchemaExtension]] = (
        [ParserCache, ValidationCache] if document_cache else []
    )
    view: GraphQL[Any, None] = GraphQL(strawberry.Schema(query=Query, extensions=extensions))
    return Starlette(routes=[Route("/graphql", view, methods=["POST"])], lifespan=lifespan)


@contextlib.contextmanager
def running(graph_url: str, *, document_cache: bool = False) -> Iterator[str]:
    """Run the naive app as a subprocess on a free loopback port and yield its base URL."""
    cache = ["--document-cache"] if document_cache else []
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "bench.naive", "--graph-url", graph_url, *cache],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if f"{_NAME} listening on " not in line:
            raise RuntimeError(f"{_NAME} exited with {process.wait()}")
        yield line.rsplit(" ", 1)[1].strip()
    finally:
        process.terminate()
        process.wait(timeout=10)


def main() -> None:
    """Serve the naive app on 127.0.0.1, a free port."""
    parser = argparse.ArgumentParser(prog="python -m bench.naive")
    parser.add_argument("--graph-url", required=True)
    parser.add_argument("--document-cache", action="store_true")
    args = parser.parse_args()
    app = create_app(args.graph_url, document_cache=args.document_cache)
    listen.serve(app, listen.bind("127.0.0.1", 0), name=_NAME)


if __name__ == "__main__":
    main()
