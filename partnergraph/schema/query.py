"""The Query root: nodes by global ID, the viewer, brands and creators by ID, and rate limits."""

import asyncio
from typing import Annotated, Any

import strawberry

from partnergraph.errors import PartnergraphError
from partnergraph.resolvers import ids
from partnergraph.resolvers.nodes import BrandRef, NodeRecord, resolve_node
from partnergraph.resolvers.ratelimit import rate_limit
from partnergraph.resolvers.records import (
    CreatorRecord,
    InstagramAccountRecord,
    InviteRecord,
    PermissionRecord,
)
from partnergraph.schema.caching import Uncached
from partnergraph.schema.complexity import PerId, cost
from partnergraph.schema.nodes import (
    Brand,
    Creator,
    Info,
    InstagramAccount,
    Invite,
    Node,
    Permission,
)
from partnergraph.schema.ratelimit import RateLimit
from partnergraph.schema.viewer import Viewer

_IG_ID = "An Instagram user ID, or the object's global ID."
MAX_NODES = 100
"""IDs one `nodes` may take; each may cost an upstream read."""


@strawberry.type
class Query:
    @strawberry.field(
        description="The object with a global ID; null when it no longer exists.",
        metadata=cost(PerId("id", max_ids=1)),
    )
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return _node(await resolve_node(info.context, id))

    @strawberry.field(
        description=f"The objects with these global IDs (at most {MAX_NODES}), in the same "
        "order; null where one no longer exists or fails, with an error at its index.",
        metadata=cost(PerId("ids", max_ids=MAX_NODES)),
    )
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        outcomes = await asyncio.gather(
            *(resolve_node(info.context, value) for value in ids), return_exceptions=True
        )
        found: list[Any] = []
        for outcome in outcomes:
            if isinstance(outcome, PartnergraphError):
                found.append(outcome)  # graphql-core reports it at its index
            elif isinstance(outcome, BaseException):
                raise outcome
            else:
                found.append(_node(outcome))
        return found

    @strawberry.field(
        description="Who the token is, and the accounts it manages; no upstream call by itself."
    )
    def viewer(self) -> Viewer:
        return Viewer()

    @strawberry.field(description="A brand by Instagram user ID; costs no upstream call by itself.")
    def brand(
        self, ig_id: Annotated[strawberry.ID, strawberry.argument(description=_IG_ID)]
    ) -> Brand:
        return Brand.of(ids.ig_user_id(ig_id, "Brand"))

    @strawberry.field(
        description="A creator by Instagram user ID; costs no upstream call by itself."
    )
    def creator(
        self, ig_id: Annotated[strawberry.ID, strawberry.argument(description=_IG_ID)]
    ) -> Creator:
        return Creator.of(CreatorRecord(ids.ig_user_id(ig_id, "Creator")))

    @strawberry.field(
        description="Graph API usage last reported for this token, and budgets.",
        extensions=[Uncached()],
    )
    async def rate_limit(self, info: Info) -> RateLimit:
        return RateLimit.of(await rate_limit(info.context))


def _node(record: NodeRecord | None) -> Node | None:
    match record:
        case BrandRef(ig_id=ig_id):
            return Brand.of(ig_id)
        case CreatorRecord():
            return Creator.of(record)
        case PermissionRecord():
            return Permission.of(record)
        case InviteRecord():
            return Invite.of(record)
        case InstagramAccountRecord():
            return InstagramAccount.of(record)
    return None
