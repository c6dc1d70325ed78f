"""The Subscription root: a brand's permission changes, pushed over graphql-transport-ws."""

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from partnergraph.resolvers import ids
from partnergraph.resolvers.permissions import permission_changes
from partnergraph.resolvers.records import PermissionStatus
from partnergraph.schema.nodes import Info, Permission


@strawberry.type(description="A permission that is new or changed status.")
class PermissionChange:
    permission: Permission
    previous_status: PermissionStatus | None = strawberry.field(
        description="The status before the change; null for a new permission."
    )


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="A brand's permissions as they change: new ones, and status changes. "
        "Polled upstream every PARTNERGRAPH_POLL_INTERVAL seconds, once per brand."
    )
    async def permission_changed(
        self,
        info: Info,
        brand_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The brand's global ID or Instagram user ID."),
        ],
    ) -> AsyncGenerator[PermissionChange, None]:
        brand = ids.ig_user_id(brand_id, "Brand")
        async for change in permission_changes(info.context, brand):
            yield PermissionChange(
                permission=Permission.of(change.permission), previous_status=change.previous
            )
