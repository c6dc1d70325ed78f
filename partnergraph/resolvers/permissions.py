"""A brand's partnership-ad permissions: paged and filtered reads, requests and revocations."""

import re
from dataclasses import dataclass, field

from partnergraph.errors import BadUserInput, UpstreamUnavailable
from partnergraph.resolvers import ids
from partnergraph.resolvers.context import RequestContext
from partnergraph.resolvers.cursors import ListKey
from partnergraph.resolvers.lists import GraphList
from partnergraph.resolvers.outcomes import (
    Outcome,
    UserErrorCode,
    UserErrorRecord,
    invalid_input,
    rejected_by_graph,
)
from partnergraph.resolvers.paging import Page, PageArgs, window
from partnergraph.resolvers.records import (
    PERMISSION_FIELDS,
    CreatorRecord,
    PermissionRecord,
    PermissionStatus,
    permission_from_graph,
)
from partnergraph.resolvers.writes import writing

EDGE = "branded_content_ad_permissions"
_PERMISSIONS = GraphList(EDGE, {"fields": PERMISSION_FIELDS}, permission_from_graph)
_USERNAME = re.compile(r"^[A-Za-z0-9._]{1,30}$")


@dataclass(slots=True)
class PermissionHandle:
    """A permission a mutation touched, read in full from the brand's list only when asked."""

    graph_id: str
    brand_ig_id: str
    known: CreatorRecord
    status_after_write: PermissionStatus
    _record: PermissionRecord | None = field(default=None, repr=False)

    async def record(self, context: RequestContext) -> PermissionRecord:
        """The permission as the brand's list shows it, or as far as the write tells."""
        if self._record is None:
            found = await find_permission(context, self.brand_ig_id, self.graph_id)
            self._record = found or PermissionRecord(
                self.graph_id, self.brand_ig_id, self.known, self.status_after_write.value
            )
        return self._record


def list_key(brand_ig_id: str) -> ListKey:
    """The cursor namespace of a brand's permissions."""
    return ListKey("permissions", brand_ig_id)


async def permissions_page(
    context: RequestContext,
    brand_ig_id: str,
    args: PageArgs,
    *,
    status: PermissionStatus | None = None,
    creator_username: str | None = None,
) -> Page[PermissionRecord]:
    """One Relay page of a brand's permissions, optionally filtered by status or username."""
    request = window(list_key(brand_ig_id), args)
    username = creator_username.strip().lstrip("@").lower() if creator_username else None

    def keep(record: PermissionRecord) -> bool:
        if status is not None and record.status is not status:
            return False
        return username is None or (record.creator.username or "").lower() == username

    filtered = status is not None or username is not None
    return await _PERMISSIONS.page(context, brand_ig_id, request, keep if filtered else None)


async def find_permission(
    context: RequestContext, brand_ig_id: str, graph_id: str
) -> PermissionRecord | None:
    """The permission with a Graph ID in a brand's list, within the scan budget."""
    return await _PERMISSIONS.first(
        context, brand_ig_id, lambda record: record.graph_id == graph_id
    )


async def request_permission(
    context: RequestContext,
    brand_ig_id: str,
    creator_ig_id: str | None,
    creator_username: str | None,
) -> Outcome[PermissionHandle]:
    """Ask a creator, by Instagram ID or username, for account-level permission for a brand."""
    context.live = True
    outcome: Outcome[PermissionHandle] = Outcome()
    creator = _creator_choice(outcome, creator_ig_id, creator_username)
    if creator is None:
        return outcome
    param, value = creator
    credentials = context.require_credentials()
    try:
        with writing(context, brand_ig_id):
            answer = await context.services.client.post(
                credentials, f"{brand_ig_id}/{EDGE}", {param: value}
            )
    except BadUserInput as error:
        if not rejected_by_graph(error):
            raise
        outcome.user_errors.append(
            UserErrorRecord(error.message, UserErrorCode.CREATOR_NOT_FOUND, _creator_field(param))
        )
        return outcome
    known = (
        CreatorRecord(value)
        if param == "creator_instagram_account"
        else CreatorRecord("", username=value)
    )
    outcome.result = PermissionHandle(
        _graph_id(answer), brand_ig_id, known, PermissionStatus.PENDING
    )
    return outcome


async def revoke_permission(
    context: RequestContext, brand_ig_id: str, creator_ig_id: str
) -> Outcome[PermissionHandle]:
    """Revoke a brand's permission from a creator."""
    context.live = True
    outcome: Outcome[PermissionHandle] = Outcome()
    try:
        creator = ids.ig_user_id(creator_ig_id, "Creator")
    except BadUserInput as error:
        outcome.user_errors.append(invalid_input(error, "creatorIgId"))
        return outcome
    credentials = context.require_credentials()
    data = {"creator_instagram_account": creator, "revoke": "true"}
    try:
        with writing(context, brand_ig_id):
            answer = await context.services.client.post(credentials, f"{brand_ig_id}/{EDGE}", data)
    except BadUserInput as error:
        if not rejected_by_graph(error):
            raise
        outcome.user_errors.append(
            UserErrorRecord(
                error.message, UserErrorCode.NOTHING_TO_REVOKE, ("input", "creatorIgId")
            )
        )
        return outcome
    outcome.result = PermissionHandle(
        _graph_id(answer), brand_ig_id, CreatorRecord(creator), PermissionStatus.REVOKED
    )
    return outcome


def _creator_choice(
    outcome: Outcome[PermissionHandle], creator_ig_id: str | None, creator_username: str | None
) -> tuple[str, str] | None:
    if (creator_ig_id is None) == (creator_username is None):
        outcome.user_errors.append(
            UserErrorRecord(
                "Give exactly one of creatorIgId and creatorUsername.",
                UserErrorCode.INVALID_INPUT,
                ("input", "creatorIgId"),
            )
        )
        return None
    if creator_ig_id is not None:
        try:
            return "creator_instagram_account", ids.ig_user_id(creator_ig_id, "Creator")
        except BadUserInput as error:
            outcome.user_errors.append(invalid_input(error, "creatorIgId"))
            return None
    username = (creator_username or "").strip().lstrip("@")
    if not _USERNAME.match(username):
        outcome.user_errors.append(
            UserErrorRecord(
                f"{creator_username!r} is not an Instagram username.",
                UserErrorCode.INVALID_INPUT,
                ("input", "creatorUsername"),
            )
        )
        return None
    return "creator_instagram_username", username


def _creator_field(param: str) -> tuple[str, ...]:
    name = "creatorIgId" if param == "creator_instagram_account" else "creatorUsername"
    return ("input", name)


def _graph_id(answer: dict[str, object]) -> str:
    graph_id = answer.get("id")
    if not isinstance(graph_id, str | int) or isinstance(graph_id, bool) or not str(graph_id):
        raise UpstreamUnavailable("The Graph API accepted the write but returned no permission ID.")
    return str(graph_id)
