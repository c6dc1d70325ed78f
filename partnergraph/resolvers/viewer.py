"""The token's own user and the Instagram accounts of the Facebook Pages it manages."""

from partnergraph.errors import UpstreamUnavailable
from partnergraph.resolvers.context import RequestContext
from partnergraph.resolvers.cursors import ListKey
from partnergraph.resolvers.lists import GraphList
from partnergraph.resolvers.loaders import PageKey
from partnergraph.resolvers.paging import Page, PageArgs, window
from partnergraph.resolvers.records import (
    ACCOUNT_FIELDS,
    VIEWER_FIELDS,
    InstagramAccountRecord,
    ViewerRecord,
    account_from_graph,
    viewer_from_graph,
)

__all__ = ["accounts_page", "find_account", "list_key", "viewer"]

ME = "me"
EDGE = "accounts"
_ACCOUNTS = GraphList(EDGE, {"fields": ACCOUNT_FIELDS}, account_from_graph)


def list_key() -> ListKey:
    """The cursor namespace of the token's accounts (the Graph API ties cursors to the token)."""
    return ListKey(EDGE, ME)


async def viewer(context: RequestContext) -> ViewerRecord:
    """The token's user, read once per request through the page loader."""
    body = await context.pages.load(PageKey(ME, "", (("fields", VIEWER_FIELDS),)))
    record = viewer_from_graph(body)
    if record is None:
        raise UpstreamUnavailable("The Graph API answered `GET /me` without a user ID.")
    return record


async def accounts_page(context: RequestContext, args: PageArgs) -> Page[InstagramAccountRecord]:
    """One Relay page of the Instagram accounts of the Pages the token's user manages."""
    return await _ACCOUNTS.page(context, ME, window(list_key(), args))


async def find_account(context: RequestContext, ig_id: str) -> InstagramAccountRecord | None:
    """The token's account with an Instagram ID, within the scan budget."""
    return await _ACCOUNTS.first(context, ME, lambda record: record.ig_id == ig_id)
