"""The Viewer type: who the token is, and the Instagram accounts of the Pages it manages."""

from typing import Annotated

import strawberry

from partnergraph.resolvers import viewer
from partnergraph.resolvers.paging import PageArgs
from partnergraph.schema.complexity import Paged, cost
from partnergraph.schema.connections import Connection
from partnergraph.schema.nodes import PAGE_SIZE, Info, InstagramAccount


@strawberry.type(description="The token's Facebook user (`GET /me`) and what it manages.")
class Viewer:
    @strawberry.field(description="The Facebook user ID the token belongs to.")
    async def user_id(self, info: Info) -> strawberry.ID:
        return strawberry.ID((await viewer.viewer(info.context)).user_id)

    @strawberry.field(description="The user's name.")
    async def name(self, info: Info) -> str | None:
        return (await viewer.viewer(info.context)).name

    @strawberry.field(
        description="The Instagram accounts linked to the Facebook Pages the user manages "
        "(`GET /me/accounts`), in the Graph API's order; Pages without one are left out.",
        metadata=cost(Paged()),
    )
    async def instagram_accounts(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description=PAGE_SIZE)] = None,
        after: str | None = None,
        last: Annotated[int | None, strawberry.argument(description=PAGE_SIZE)] = None,
        before: str | None = None,
    ) -> Connection[InstagramAccount]:
        page = await viewer.accounts_page(info.context, PageArgs(first, after, last, before))
        return Connection.of(viewer.list_key(), page, InstagramAccount.of)
