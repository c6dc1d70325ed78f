"""A creator's pending collaboration invites: paged reads, accepting and declining."""

from partnergraph.errors import BadUserInput
from partnergraph.resolvers import ids
from partnergraph.resolvers.budgets import BudgetKind
from partnergraph.resolvers.context import RequestContext
from partnergraph.resolvers.cursors import ListKey
from partnergraph.resolvers.echo import echo
from partnergraph.resolvers.lists import GraphList
from partnergraph.resolvers.outcomes import (
    Outcome,
    UserErrorCode,
    UserErrorRecord,
    rejected_by_graph,
)
from partnergraph.resolvers.paging import Page, PageArgs, window
from partnergraph.resolvers.records import InviteRecord, invite_from_graph
from partnergraph.resolvers.writes import writing

EDGE = "collaboration_invites"
_INVITES = GraphList(EDGE, {}, invite_from_graph, BudgetKind.INVITES_READ, "media_id")


def list_key(ig_user_id: str) -> ListKey:
    """The cursor namespace of a user's invites."""
    return ListKey("invites", ig_user_id)


async def invites_page(
    context: RequestContext,
    ig_user_id: str,
    args: PageArgs,
) -> Page[InviteRecord]:
    """One Relay page of a user's pending collaboration invites."""
    return await _INVITES.page(context, ig_user_id, window(list_key(ig_user_id), args))


async def find_invite(
    context: RequestContext, ig_user_id: str, media_id: str
) -> InviteRecord | None:
    """A user's pending invite to a media, within the scan budget."""
    return await _INVITES.first(context, ig_user_id, lambda record: record.media_id == media_id)


async def respond_to_invite(
    context: RequestContext, ig_user_id: str, media_id: str, *, accept: bool
) -> Outcome[str]:
    """Accept or decline a pending invite; the result is the invitee's Instagram ID."""
    outcome: Outcome[str] = Outcome()
    media = media_id.strip()
    if not ids.digits(media):
        outcome.user_errors.append(
            UserErrorRecord(
                f"{echo(media_id)} is not an Instagram media ID.",
                UserErrorCode.INVALID_INPUT,
                ("input", "mediaId"),
            )
        )
    if outcome.user_errors:
        return outcome
    credentials = context.require_credentials()
    services = context.services
    data = {"media_id": media, "accept": "true" if accept else "false"}
    try:
        async with (
            services.budgets.spend(ig_user_id, BudgetKind.INVITES_WRITE, credentials.scope),
            writing(context, ig_user_id),
        ):
            answer = await services.client.post(credentials, f"{ig_user_id}/{EDGE}", data)
    except BadUserInput as error:
        if not rejected_by_graph(error):
            raise
        outcome.user_errors.append(
            UserErrorRecord(error.message, UserErrorCode.INVITE_NOT_PENDING, ("input", "mediaId"))
        )
        return outcome
    if answer.get("success") is not True:
        outcome.user_errors.append(
            UserErrorRecord(
                "The Graph API did not confirm the answer to the invite.",
                UserErrorCode.INVITE_NOT_PENDING,
                ("input", "mediaId"),
            )
        )
        return outcome
    outcome.result = ig_user_id
    return outcome
