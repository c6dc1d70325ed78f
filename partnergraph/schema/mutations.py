"""The Mutation root: request and revoke permissions, accept and decline invites (Relay inputs)."""

from typing import Any, Self

import strawberry

from partnergraph.resolvers import ids, invites, permissions
from partnergraph.resolvers.outcomes import Outcome, UserErrorCode, UserErrorRecord
from partnergraph.resolvers.permissions import Slot
from partnergraph.resolvers.records import CreatorRecord, PermissionRecord
from partnergraph.schema.nodes import Brand, Creator, Info, Permission

strawberry.enum(UserErrorCode, description="Why a mutation did not do what it was asked.")

_BRAND_ID = "The brand's global ID or Instagram user ID."
_CREATOR_ID = "The creator's global ID or Instagram user ID."


@strawberry.type(description="An expected failure of a mutation, and the input field it concerns.")
class UserError:
    field: list[str] | None
    message: str
    code: UserErrorCode

    @classmethod
    def of(cls, record: UserErrorRecord) -> "UserError":
        """The GraphQL view of a user error."""
        field = list(record.field) if record.field else None
        return cls(field=field, message=record.message, code=record.code)


@strawberry.input
class _BrandInput:
    brand_id: strawberry.ID = strawberry.field(description=_BRAND_ID)

    def owner(self) -> str:
        """The brand's Instagram user ID; BadUserInput when brandId is no brand ID."""
        return ids.ig_user_id(self.brand_id, "Brand")


@strawberry.input
class _OneCreatorInput(_BrandInput):
    creator_ig_id: strawberry.ID | None = strawberry.field(
        default=None, description="The creator's Instagram user ID (or creatorUsername)."
    )
    creator_username: str | None = strawberry.field(
        default=None, description="The creator's Instagram username (or creatorIgId)."
    )
    client_mutation_id: str | None = None


@strawberry.input(description="Ask a creator for account-level partnership-ad permission.")
class RequestPermissionInput(_OneCreatorInput):
    pass


@strawberry.input(description="A creator, by Instagram user ID or by username: exactly one.")
class CreatorRef:
    ig_id: strawberry.ID | None = strawberry.field(
        default=None, description="The creator's Instagram user ID (or username)."
    )
    username: str | None = strawberry.field(
        default=None, description="The creator's Instagram username (or igId)."
    )


@strawberry.input
class _ManyCreatorsInput(_BrandInput):
    creators: list[CreatorRef] = strawberry.field(
        description=f"1 to {permissions.MAX_CREATORS} creators; invalid input sends nothing."
    )
    client_mutation_id: str | None = None

    def refs(self) -> list[tuple[str | None, str | None]]:
        """Each creator's Instagram user ID and username, as given."""
        return [(creator.ig_id, creator.username) for creator in self.creators]


@strawberry.input(
    description=f"Ask up to {permissions.MAX_CREATORS} creators at once for account-level "
    "partnership-ad permission."
)
class RequestPermissionsInput(_ManyCreatorsInput):
    pass


@strawberry.input(description="Revoke a brand's permission from a creator, by ID or username.")
class RevokePermissionInput(_OneCreatorInput):
    pass


@strawberry.input(
    description=f"Revoke a brand's permissions from up to {permissions.MAX_CREATORS} creators."
)
class RevokePermissionsInput(_ManyCreatorsInput):
    pass


@strawberry.input(description="Answer a collaboration invite as the invited creator.")
class RespondToInviteInput:
    creator_id: strawberry.ID = strawberry.field(description=_CREATOR_ID)
    media_id: strawberry.ID = strawberry.field(description="The invited media's ID.")
    client_mutation_id: str | None = None

    def owner(self) -> str:
        """The creator's Instagram user ID; BadUserInput when creatorId is no creator ID."""
        return ids.ig_user_id(self.creator_id, "Creator")


@strawberry.type
class PermissionPayload:
    client_mutation_id: str | None
    user_errors: list[UserError]
    permission: Permission | None = strawberry.field(
        description="The permission as the write left it (a request reads it back in the same "
        "Graph batch: one HTTP request)."
    )
    brand: Brand

    @classmethod
    def of(
        cls, client_mutation_id: str | None, brand: str, outcome: Outcome[PermissionRecord]
    ) -> Self:
        """The payload of a permission mutation's outcome."""
        return cls(
            client_mutation_id=client_mutation_id,
            user_errors=_errors(outcome),
            permission=Permission.of(outcome.result) if outcome.result else None,
            brand=Brand.of(brand),
        )


@strawberry.type(description="What requestPermission did.")
class RequestPermissionPayload(PermissionPayload):
    pass


@strawberry.type(description="What revokePermission did.")
class RevokePermissionPayload(PermissionPayload):
    pass


@strawberry.type
class PermissionsPayload:
    client_mutation_id: str | None
    user_errors: list[UserError]
    slots: strawberry.Private[list[Slot]]

    @strawberry.field(
        description="One per creator, in input order: the permission as the write left it; "
        "null where that creator failed, with a user error or an error at its index."
    )
    def permissions(self) -> list[Permission | None]:
        found: list[Any] = [
            Permission.of(slot) if isinstance(slot, PermissionRecord) else slot
            for slot in self.slots
        ]
        return found  # an error in it is reported at its index

    brand: Brand

    @classmethod
    def of(cls, client_mutation_id: str | None, brand: str, outcome: Outcome[list[Slot]]) -> Self:
        """The payload of a bulk permission mutation's outcome."""
        return cls(
            client_mutation_id=client_mutation_id,
            user_errors=_errors(outcome),
            slots=outcome.result or [],
            brand=Brand.of(brand),
        )


@strawberry.type(description="What requestPermissions did.")
class RequestPermissionsPayload(PermissionsPayload):
    pass


@strawberry.type(description="What revokePermissions did.")
class RevokePermissionsPayload(PermissionsPayload):
    pass


@strawberry.type(description="What acceptInvite or declineInvite did.")
class RespondToInvitePayload:
    client_mutation_id: str | None
    user_errors: list[UserError]
    success: bool
    creator: Creator


def _errors(outcome: Outcome[Any]) -> list[UserError]:
    return [UserError.of(record) for record in outcome.user_errors]


@strawberry.type(
    description="Writes. The mutations of a document run one after another, in document order, "
    "and each fails alone: a failed one is null with its error at its own path, and the others "
    "keep their results."
)
class Mutation:
    @strawberry.mutation(description="Ask a creator, by ID or username, for permission.")
    async def request_permission(
        self, info: Info, input: RequestPermissionInput
    ) -> RequestPermissionPayload | None:
        brand = input.owner()
        outcome = await permissions.request_permission(
            info.context, brand, input.creator_ig_id, input.creator_username
        )
        return RequestPermissionPayload.of(input.client_mutation_id, brand, outcome)

    @strawberry.mutation(
        description=f"Ask up to {permissions.MAX_CREATORS} creators, each by ID or username, for "
        "permission, in Graph batches of 25 writes, each with the read of what it wrote."
    )
    async def request_permissions(
        self, info: Info, input: RequestPermissionsInput
    ) -> RequestPermissionsPayload | None:
        brand = input.owner()
        outcome = await permissions.request_permissions(info.context, brand, input.refs())
        return RequestPermissionsPayload.of(input.client_mutation_id, brand, outcome)

    @strawberry.mutation(
        description="Revoke a brand's permission from a creator, by ID or username."
    )
    async def revoke_permission(
        self, info: Info, input: RevokePermissionInput
    ) -> RevokePermissionPayload | None:
        brand = input.owner()
        outcome = await permissions.revoke_permission(
            info.context, brand, input.creator_ig_id, input.creator_username
        )
        return RevokePermissionPayload.of(input.client_mutation_id, brand, outcome)

    @strawberry.mutation(
        description=f"Revoke a brand's permissions from up to {permissions.MAX_CREATORS} creators, "
        "each by ID or username, in Graph batches."
    )
    async def revoke_permissions(
        self, info: Info, input: RevokePermissionsInput
    ) -> RevokePermissionsPayload | None:
        brand = input.owner()
        outcome = await permissions.revoke_permissions(info.context, brand, input.refs())
        return RevokePermissionsPayload.of(input.client_mutation_id, brand, outcome)

    @strawberry.mutation(description="Accept a collaboration invite.")
    async def accept_invite(
        self, info: Info, input: RespondToInviteInput
    ) -> RespondToInvitePayload | None:
        return await _respond(info, input, accept=True)

    @strawberry.mutation(description="Decline a collaboration invite.")
    async def decline_invite(
        self, info: Info, input: RespondToInviteInput
    ) -> RespondToInvitePayload | None:
        return await _respond(info, input, accept=False)


async def _respond(
    info: Info, input: RespondToInviteInput, *, accept: bool
) -> RespondToInvitePayload:
    creator = input.owner()
    outcome = await invites.respond_to_invite(info.context, creator, input.media_id, accept=accept)
    return RespondToInvitePayload(
        client_mutation_id=input.client_mutation_id,
        user_errors=_errors(outcome),
        success=outcome.result is not None,
        creator=Creator.of(CreatorRecord(creator)),
    )
