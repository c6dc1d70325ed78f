"""A brand's partnership-ad permissions: paged and filtered reads, requests and revocations."""

import asyncio
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

from partnergraph.errors import BadUserInput, PartnergraphError, UpstreamUnavailable
from partnergraph.resolvers import cursors, ids
from partnergraph.resolvers.context import RequestContext
from partnergraph.resolvers.cursors import ListKey
from partnergraph.resolvers.echo import echo
from partnergraph.resolvers.lists import GraphList
from partnergraph.resolvers.outcomes import (
    Outcome,
    UserErrorCode,
    UserErrorRecord,
    invalid_input,
    rejected_by_graph,
)
from partnergraph.resolvers.paging import MAX_PAGE, Page, PageArgs, Window, window
from partnergraph.resolvers.records import (
    PERMISSION_FIELDS,
    CreatorRecord,
    PermissionRecord,
    PermissionStatus,
    permission_from_graph,
)
from partnergraph.resolvers.upstream.client import MAX_BATCH, BatchWrite
from partnergraph.resolvers.upstream.errors import refused
from partnergraph.resolvers.watch import PermissionChangeRecord
from partnergraph.resolvers.writes import writing

EDGE = "branded_content_ad_permissions"
_WATCHED = 1_000
"""Permissions of a brand a subscription watches: the first thousand."""
_PERMISSIONS = GraphList(EDGE, {"fields": PERMISSION_FIELDS}, permission_from_graph)
_USERNAME = re.compile(r"^[A-Za-z0-9._]{1,30}$")
_MAX_USERNAME_INPUT = 64
"""The longest username input read at all, `@` and spaces included (usernames have 30)."""
MAX_CREATORS = 500
"""The most creators one requestPermissions asks."""


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
            self._record = found or self.as_written()
        return self._record

    def as_written(self) -> PermissionRecord:
        """The permission as far as the write tells: its ID, its creator, the status it set."""
        return PermissionRecord(
            self.graph_id, self.brand_ig_id, self.known, self.status_after_write.value
        )


@dataclass(frozen=True, slots=True)
class _CreatorFields:
    """Where a mutation's input names a creator by ID and by username, for user errors."""

    ig_id: tuple[str, ...]
    username: tuple[str, ...]

    def of(self, param: str) -> tuple[str, ...]:
        """The input field behind a Graph parameter naming the creator."""
        return self.ig_id if param == _BY_ID else self.username


_BY_ID = "creator_instagram_account"
_BY_USERNAME = "creator_instagram_username"
_SINGLE = _CreatorFields(("input", "creatorIgId"), ("input", "creatorUsername"))


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


async def all_permissions(context: RequestContext, brand_ig_id: str) -> list[PermissionRecord]:
    """A brand's permissions read afresh (the first _WATCHED of them), refreshing the cache."""
    fresh = RequestContext(services=context.services, credentials=context.credentials, fresh=True)
    key = list_key(brand_ig_id)
    records: list[PermissionRecord] = []
    after: str | None = None
    for _ in range(_WATCHED // MAX_PAGE):
        page = await permissions_page(fresh, brand_ig_id, PageArgs(first=MAX_PAGE, after=after))
        records += [edge.node for edge in page.edges]
        if not page.has_next_page or page.end is None:
            break
        after = cursors.encode(key, page.end)
    return records


async def permission_changes(
    context: RequestContext, brand_ig_id: str
) -> AsyncIterator[PermissionChangeRecord]:
    """The brand's permission changes from now on, while the token may read the brand's list.

    Polls read with any subscriber's token; before a change read with another token is
    handed on, this one is checked to read the brand still (one read for all the changes
    that came at once), so a token revoked upstream is told UNAUTHENTICATED, not the news.
    """
    await _may_read(context, brand_ig_id)
    async with context.services.watchers.watch(brand_ig_id, context, all_permissions) as changes:
        while True:
            heard = [await changes.get()]
            while not changes.empty():
                heard.append(changes.get_nowait())
            news: list[PermissionChangeRecord] = []
            for item in heard:
                if isinstance(item, PartnergraphError):
                    raise item  # a poll read with this token in vain: the subscription ends
                news.append(item)
            if any(change.read_by != context.scope for change in news):
                await _may_read(context, brand_ig_id)
            for change in news:
                yield change


async def _may_read(context: RequestContext, brand_ig_id: str) -> None:
    """Raise the error the token meets reading the brand's list, if any: read in a context
    of its own, since a subscription's lives as long as it runs."""
    check = RequestContext(services=context.services, credentials=context.credentials)
    await permissions_page(check, brand_ig_id, PageArgs(first=1))


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
    outcome: Outcome[PermissionHandle] = Outcome()
    creator = _creator_choice(creator_ig_id, creator_username, _SINGLE)
    if isinstance(creator, UserErrorRecord):
        outcome.user_errors.append(creator)
        return outcome
    param, value = creator
    credentials = context.require_credentials()
    try:
        async with writing(context, brand_ig_id):
            answer = await context.services.client.post(
                credentials, f"{brand_ig_id}/{EDGE}", {param: value}
            )
    except BadUserInput as error:
        if not rejected_by_graph(error):
            raise
        outcome.user_errors.append(_not_found(error, _SINGLE.of(param)))
        return outcome
    outcome.result = _requested(answer, brand_ig_id, param, value)
    return outcome


async def request_permissions(
    context: RequestContext,
    brand_ig_id: str,
    creators: Sequence[tuple[str | None, str | None]],
) -> Outcome[list[PermissionHandle | PartnergraphError | None]]:
    """Ask many creators, each by Instagram ID or username, for permission, in Graph batches.

    The result has a slot per creator, in order: the permission, the error that befell it,
    or None where a user error says why. Invalid input sends nothing at all. When every
    creator failed with an error, the mutation fails with the first one.
    """
    slots: list[PermissionHandle | PartnergraphError | None] = [None] * len(creators)
    outcome: Outcome[list[PermissionHandle | PartnergraphError | None]] = Outcome(slots)
    if not 0 < len(creators) <= MAX_CREATORS:
        outcome.user_errors.append(
            UserErrorRecord(
                f"Give 1 to {MAX_CREATORS} creators, not {len(creators)}.",
                UserErrorCode.INVALID_INPUT,
                ("creators",),
            )
        )
        return outcome
    choices: list[tuple[str, str]] = []
    for index, (ig_id, username) in enumerate(creators):
        choice = _creator_choice(ig_id, username, _bulk_fields(index))
        if isinstance(choice, UserErrorRecord):
            outcome.user_errors.append(choice)
        else:
            choices.append(choice)
    if outcome.user_errors:
        return outcome
    answers = await _write_in_batches(context, brand_ig_id, choices)
    for index, (answer, (param, value)) in enumerate(zip(answers, choices, strict=True)):
        if isinstance(answer, BadUserInput) and rejected_by_graph(answer):
            outcome.user_errors.append(_not_found(answer, _bulk_fields(index).of(param)))
        elif isinstance(answer, PartnergraphError):
            slots[index] = answer
        else:
            try:
                slots[index] = _requested(answer, brand_ig_id, param, value)
            except PartnergraphError as error:
                slots[index] = error
    failed = [slot for slot in slots if isinstance(slot, PartnergraphError)]
    if len(failed) == len(slots):
        raise failed[0]
    return outcome


async def records(
    context: RequestContext, brand_ig_id: str, handles: Sequence[PermissionHandle]
) -> list[PermissionRecord]:
    """The permissions a write touched as the brand's list shows them, found in one scan.

    Those the scan budget does not reach, or all of them when the list cannot be read, are
    as far as the write tells.
    """
    wanted = {handle.graph_id for handle in handles}
    found: dict[str, PermissionRecord] = {}
    if wanted:
        start = Window(len(wanted), forward=True, cursor=None)
        try:
            page = await _PERMISSIONS.page(
                context, brand_ig_id, start, lambda record: record.graph_id in wanted
            )
        except PartnergraphError:
            page = None
        found = {edge.node.graph_id: edge.node for edge in page.edges} if page else {}
    return [found.get(handle.graph_id) or handle.as_written() for handle in handles]


async def revoke_permission(
    context: RequestContext, brand_ig_id: str, creator_ig_id: str
) -> Outcome[PermissionHandle]:
    """Revoke a brand's permission from a creator."""
    outcome: Outcome[PermissionHandle] = Outcome()
    try:
        creator = ids.ig_user_id(creator_ig_id, "Creator")
    except BadUserInput as error:
        outcome.user_errors.append(invalid_input(error, "creatorIgId"))
        return outcome
    credentials = context.require_credentials()
    data = {_BY_ID: creator, "revoke": "true"}
    try:
        async with writing(context, brand_ig_id):
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


async def _write_in_batches(
    context: RequestContext, brand_ig_id: str, choices: Sequence[tuple[str, str]]
) -> list[dict[str, object] | PartnergraphError]:
    """Send one permission request per creator, as Graph batches; the brand's caches go once."""
    credentials = context.require_credentials()
    client = context.services.client
    path = f"{brand_ig_id}/{EDGE}"
    writes = [BatchWrite(path, {param: value}) for param, value in choices]
    async with writing(context, brand_ig_id):
        batches = await asyncio.gather(
            *(
                client.batch(credentials, writes[start : start + MAX_BATCH])
                for start in range(0, len(writes), MAX_BATCH)
            )
        )
        answers = [answer for batch in batches for answer in batch]
        refusals = [a for a in answers if isinstance(a, PartnergraphError) and refused(a)]
        if len(refusals) == len(answers):
            raise refusals[0]  # the token or the brand: nothing was written
    return answers


def _creator_choice(
    creator_ig_id: str | None, creator_username: str | None, fields: _CreatorFields
) -> tuple[str, str] | UserErrorRecord:
    """The Graph parameter naming the creator and its value, or why the input names none."""
    if (creator_ig_id is None) == (creator_username is None):
        return UserErrorRecord(
            f"Give exactly one of {fields.ig_id[-1]} and {fields.username[-1]}.",
            UserErrorCode.INVALID_INPUT,
            fields.ig_id,
        )
    if creator_ig_id is not None:
        try:
            return _BY_ID, ids.ig_user_id(creator_ig_id, "Creator")
        except BadUserInput as error:
            return UserErrorRecord(error.message, UserErrorCode.INVALID_INPUT, fields.ig_id)
    given = creator_username or ""
    username = given.strip().lstrip("@") if len(given) <= _MAX_USERNAME_INPUT else ""
    if not _USERNAME.match(username):
        return UserErrorRecord(
            f"{echo(given)} is not an Instagram username.",
            UserErrorCode.INVALID_INPUT,
            fields.username,
        )
    return _BY_USERNAME, username


def _bulk_fields(index: int) -> _CreatorFields:
    return _CreatorFields(("creators", str(index), "igId"), ("creators", str(index), "username"))


def _not_found(error: BadUserInput, field_path: tuple[str, ...]) -> UserErrorRecord:
    return UserErrorRecord(error.message, UserErrorCode.CREATOR_NOT_FOUND, field_path)


def _requested(
    answer: dict[str, object], brand_ig_id: str, param: str, value: str
) -> PermissionHandle:
    """The permission a request's answer names; UpstreamUnavailable if it names none."""
    known = CreatorRecord(value) if param == _BY_ID else CreatorRecord("", username=value)
    return PermissionHandle(_graph_id(answer), brand_ig_id, known, PermissionStatus.PENDING)


def _graph_id(answer: dict[str, object]) -> str:
    graph_id = answer.get("id")
    if not isinstance(graph_id, str | int) or isinstance(graph_id, bool) or not str(graph_id):
        raise UpstreamUnavailable("The Graph API accepted the write but returned no permission ID.")
    return str(graph_id)
