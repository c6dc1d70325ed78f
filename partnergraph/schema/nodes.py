"""The object types: Brand, Creator, Permission, Invite and InstagramAccount, each a Relay Node."""

from typing import Annotated

import strawberry

from partnergraph.resolvers import ids, invites, permissions
from partnergraph.resolvers.context import RequestContext
from partnergraph.resolvers.paging import PageArgs
from partnergraph.resolvers.records import (
    CreatorRecord,
    InstagramAccountRecord,
    InviteRecord,
    PermissionRecord,
    PermissionStatus,
)
from partnergraph.schema.complexity import Paged, cost
from partnergraph.schema.connections import Connection

Info = strawberry.Info[RequestContext, None]

strawberry.enum(
    PermissionStatus,
    name="PermissionStatus",
    description="A permission's state; UNKNOWN when the Graph API says something else.",
)

PAGE_SIZE = "Page size, 1 to 100; default 10."
_USERNAME = "Instagram username, when the answer that led here carried it."


@strawberry.interface(description="An object with a global ID (Relay).")
class Node:
    id: strawberry.ID = strawberry.field(description="Opaque global ID; `node` resolves it.")


@strawberry.type(description="A brand's Instagram account, which asks creators for permissions.")
class Brand(Node):
    ig_id: strawberry.ID = strawberry.field(description="The brand's Instagram user ID.")
    username: str | None = strawberry.field(description=_USERNAME)

    @classmethod
    def of(cls, ig_id: str, username: str | None = None) -> "Brand":
        """The brand with an Instagram user ID, and its username when known."""
        return cls(
            id=strawberry.ID(ids.encode("Brand", ig_id)),
            ig_id=strawberry.ID(ig_id),
            username=username,
        )

    @strawberry.field(
        description="The brand's partnership-ad permissions, pending ones included.",
        metadata=cost(Paged()),
    )
    async def permissions(
        self,
        info: Info,
        *,
        first: Annotated[int | None, strawberry.argument(description=PAGE_SIZE)] = None,
        after: str | None = None,
        last: Annotated[int | None, strawberry.argument(description=PAGE_SIZE)] = None,
        before: str | None = None,
        status: Annotated[
            PermissionStatus | None, strawberry.argument(description="Only this status.")
        ] = None,
        creator_username: Annotated[
            str | None, strawberry.argument(description="Only this creator (any case).")
        ] = None,
    ) -> Connection["Permission"]:
        page = await permissions.permissions_page(
            info.context,
            self.ig_id,
            PageArgs(first, after, last, before),
            status=status,
            creator_username=creator_username,
        )
        return Connection.of(
            permissions.list_key(self.ig_id, creator_username),
            page,
            Permission.of,
        )


@strawberry.type(description="A creator's Instagram account.")
class Creator(Node):
    ig_id: strawberry.ID = strawberry.field(description="The creator's Instagram user ID.")
    username: str | None = strawberry.field(description=_USERNAME)
    facebook_page_id: strawberry.ID | None = strawberry.field(
        description="The creator's Facebook Page, when the answer that led here carried it."
    )

    @classmethod
    def of(cls, record: CreatorRecord) -> "Creator":
        """The creator a record describes."""
        return cls(
            id=strawberry.ID(ids.encode("Creator", record.ig_id)),
            ig_id=strawberry.ID(record.ig_id),
            username=record.username,
            facebook_page_id=(
                strawberry.ID(record.facebook_page_id) if record.facebook_page_id else None
            ),
        )

    @strawberry.field(
        description="Pending collaboration invites on other people's posts.",
        metadata=cost(Paged()),
    )
    async def invites(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description=PAGE_SIZE)] = None,
        after: str | None = None,
        last: Annotated[int | None, strawberry.argument(description=PAGE_SIZE)] = None,
        before: str | None = None,
    ) -> Connection["Invite"]:
        page = await invites.invites_page(
            info.context, self.ig_id, PageArgs(first, after, last, before)
        )
        return Connection.of(invites.list_key(self.ig_id), page, Invite.of)


@strawberry.type(description="A brand's account-level partnership-ad permission from a creator.")
class Permission(Node):
    graph_id: strawberry.ID = strawberry.field(description="The permission's Graph API ID.")
    brand: Brand
    status: PermissionStatus = strawberry.field(
        description="The status, matched case-insensitively."
    )
    raw_status: str = strawberry.field(description="The status exactly as the Graph API gave it.")
    creator: Creator = strawberry.field(description="The creator asked for the permission.")

    @classmethod
    def of(cls, record: PermissionRecord) -> "Permission":
        """The permission a record describes."""
        return cls(
            id=strawberry.ID(ids.encode("Permission", *_permission_id_parts(record))),
            graph_id=strawberry.ID(record.graph_id),
            brand=Brand.of(record.brand_ig_id),
            status=record.status,
            raw_status=record.raw_status,
            creator=Creator.of(record.creator),
        )


def _permission_id_parts(record: PermissionRecord) -> tuple[str, ...]:
    """What a permission's global ID holds: its brand, its Graph ID and its creator's ID, so
    that `node` reads it by its Graph ID in one call, creator known (IDs issued before held
    the first two only, and still resolve)."""
    if record.creator.ig_id:
        return record.brand_ig_id, record.graph_id, record.creator.ig_id
    return record.brand_ig_id, record.graph_id


@strawberry.type(description="A pending invite to collaborate on another account's post.")
class Invite(Node):
    media_id: strawberry.ID
    media_owner_username: str
    caption: str | None
    media_url: str | None
    invitee: Creator

    @classmethod
    def of(cls, record: InviteRecord) -> "Invite":
        """The invite a record describes."""
        return cls(
            id=strawberry.ID(ids.encode("Invite", record.invitee_ig_id, record.media_id)),
            media_id=strawberry.ID(record.media_id),
            media_owner_username=record.media_owner_username,
            caption=record.caption,
            media_url=record.media_url,
            invitee=Creator.of(CreatorRecord(record.invitee_ig_id)),
        )


@strawberry.type(
    description="An Instagram account linked to a Facebook Page the token's user manages."
)
class InstagramAccount(Node):
    ig_id: strawberry.ID = strawberry.field(description="The account's Instagram user ID.")
    username: str | None = strawberry.field(description="The account's Instagram username.")
    facebook_page_id: strawberry.ID | None = strawberry.field(
        description="The Facebook Page the account is linked to."
    )
    facebook_page_name: str | None = strawberry.field(description="That Page's name.")
    brand: Brand = strawberry.field(description="The same account as a brand; no extra call.")
    creator: Creator = strawberry.field(description="The same account as a creator; no extra call.")

    @classmethod
    def of(cls, record: InstagramAccountRecord) -> "InstagramAccount":
        """The account a record describes."""
        return cls(
            id=strawberry.ID(ids.encode("InstagramAccount", record.ig_id)),
            ig_id=strawberry.ID(record.ig_id),
            username=record.username,
            facebook_page_id=strawberry.ID(record.facebook_page_id),
            facebook_page_name=record.facebook_page_name,
            brand=Brand.of(record.ig_id, record.username),
            creator=Creator.of(
                CreatorRecord(record.ig_id, record.username, record.facebook_page_id)
            ),
        )
