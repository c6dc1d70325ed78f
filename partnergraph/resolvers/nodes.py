"""Global IDs back to objects: what `node` and `nodes` resolve."""

from dataclasses import dataclass

from partnergraph.errors import BadUserInput
from partnergraph.resolvers import ids
from partnergraph.resolvers.context import RequestContext
from partnergraph.resolvers.echo import echo
from partnergraph.resolvers.invites import find_invite
from partnergraph.resolvers.permissions import find_permission
from partnergraph.resolvers.records import (
    CreatorRecord,
    InstagramAccountRecord,
    InviteRecord,
    PermissionRecord,
)
from partnergraph.resolvers.viewer import find_account


@dataclass(frozen=True, slots=True)
class BrandRef:
    """A brand known by its Instagram user ID."""

    ig_id: str


NodeRecord = BrandRef | CreatorRecord | PermissionRecord | InviteRecord | InstagramAccountRecord


async def resolve_node(context: RequestContext, global_id: str) -> NodeRecord | None:
    """The object a global ID names, or None when the Graph API no longer has it."""
    decoded = ids.decode(global_id)
    match decoded.type_name, decoded.parts:
        case "Brand", (ig_id,):
            return BrandRef(ids.bare(ig_id))
        case "Creator", (ig_id,):
            return CreatorRecord(ids.bare(ig_id))
        case "Permission", (brand, graph_id, creator):
            return await find_permission(context, ids.bare(brand), graph_id, creator)
        case "Permission", (brand, graph_id):  # issued before permission IDs named the creator
            return await find_permission(context, ids.bare(brand), graph_id, None)
        case "Invite", (invitee, media_id):
            return await find_invite(context, ids.bare(invitee), media_id)
        case "InstagramAccount", (ig_id,):
            return await find_account(context, ids.bare(ig_id))
    raise BadUserInput(f"{echo(global_id)} is not an ID of this API.")
