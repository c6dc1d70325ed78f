"""A brand's partnership-ad permissions: paged and filtered reads, node reads, requests and
revocations, each write and its read-back one Graph batch."""

import asyncio
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, replace

from partnergraph.errors import BadUserInput, NotFound, PartnergraphError, UpstreamUnavailable
from partnergraph.graph.client import (
    MAX_BATCH,
    BatchCall,
    BatchOutcome,
    BatchRead,
    BatchWrite,
)
from partnergraph.graph.errors import refused
from partnergraph.resolvers import cursors, ids
from partnergraph.resolvers.context import RequestContext
from partnergraph.resolvers.cursors import ListKey
from partnergraph.resolvers.echo import echo
from partnergraph.resolvers.lists import GraphList
from partnergraph.resolvers.loaders import PageKey
from partnergraph.resolvers.outcomes import (
    Outcome,
    UserErrorCode,
    UserErrorRecord,
    rejected_by_graph,
)
from partnergraph.resolvers.paging import MAX_PAGE, Page, PageArgs, window
from partnergraph.resolvers.records import (
    PERMISSION_FIELDS,
    CreatorRecord,
    PermissionRecord,
    PermissionStatus,
    permission_from_graph,
)
from partnergraph.resolvers.watch import PermissionChangeRecord
from partnergraph.resolvers.writes import writing

EDGE = "branded_content_ad_permissions"
NODE_FIELDS = "id,permission_type,status"
"""The fields of a permission read by its own ID (Meta's SDK: IGBCAdsPermission)."""
_WATCHED = 1_000
"""Permissions of a brand a subscription watches: the first thousand."""
_PERMISSIONS = GraphList(EDGE, {"fields": PERMISSION_FIELDS}, permission_from_graph)
_USERNAME = re.compile(r"^[A-Za-z0-9._]{1,30}$")
_MAX_USERNAME_INPUT = 64
"""The longest username input read at all, `@` and spaces included (usernames have 30)."""
MAX_CREATORS = 500
"""The most creators one requestPermissions or revokePermissions names."""

Slot = PermissionRecord | PartnergraphError | None
"""What a bulk mutation did for one creator: the permission, its error, or None (a user error)."""


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


def list_key(brand_ig_id: str, creator_username: str | None = None) -> ListKey:
    """The cursor namespace of a brand's permissions, or of those of one creator's username
    (the Graph API filters that list itself, with cursors of its own)."""
    username = _filter_username(creator_username)
    return ListKey("permissions" if username is None else f"permissions@{username}", brand_ig_id)


async def permissions_page(
    context: RequestContext,
    brand_ig_id: str,
    args: PageArgs,
    *,
    status: PermissionStatus | None = None,
    creator_username: str | None = None,
) -> Page[PermissionRecord]:
    """One Relay page of a brand's permissions, optionally filtered by status or username.

    The username goes upstream as the Graph filter `creator_username`; the status has no
    Graph filter, so it filters a scan within the scan budget.
    """
    request = window(list_key(brand_ig_id, creator_username), args)
    keep = (lambda record: record.status is status) if status is not None else None
    if creator_username is None:
        return await _PERMISSIONS.page(context, brand_ig_id, request, keep)
    username = _filter_username(creator_username)
    if username is None or not _USERNAME.match(username):
        return Page([], False, False, None, None)  # no creator has that username
    filters = {"creator_username": username}
    page = await _PERMISSIONS.page(context, brand_ig_id, request, keep, filters)
    return replace(page, total_count=None)


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
    context: RequestContext, brand_ig_id: str, graph_id: str, creator_ig_id: str | None
) -> PermissionRecord | None:
    """The permission with a Graph ID, read by that ID (one call); None when it is gone.

    Without its creator's ID (a global ID issued before they named it), the creator is found
    in the brand's list, within the scan budget (BeyondScanBudget past it).
    """
    if not ids.digits(graph_id):
        raise BadUserInput(f"{echo(graph_id)} is not a Graph API permission ID.")
    key = PageKey(brand_ig_id, "", (("fields", NODE_FIELDS),), node=graph_id)
    try:
        read = permission_from_graph(brand_ig_id, await context.pages.load(key))
    except NotFound:
        return None
    if read is None or read.graph_id != graph_id:
        raise UpstreamUnavailable("The Graph API answered a permission read with another object.")
    if creator_ig_id is not None:
        return replace(read, creator=CreatorRecord(ids.bare(creator_ig_id)))
    listed = await _PERMISSIONS.first(
        context, brand_ig_id, lambda record: record.graph_id == graph_id
    )
    return replace(listed, raw_status=read.raw_status) if listed else None


@dataclass(frozen=True, slots=True)
class _Change:
    """One creator's request or revocation: its batch entries and how their answers read."""

    param: str
    value: str
    revoke: bool

    def known(self) -> CreatorRecord:
        """The creator as far as the input tells."""
        if self.param == _BY_ID:
            return CreatorRecord(self.value)
        return CreatorRecord("", username=self.value)

    def calls(self, path: str, name: str) -> list[BatchCall]:
        """The batch entries: the write and, after it, the read that tells its result.

        A revocation by username first finds the creator's ID (the Graph API revokes by ID
        only), in the same batch.
        """
        if self.revoke and self.param == _BY_USERNAME:
            find = BatchRead(path, _username_filter(self.value), name=name)
            creator = f"{{result={name}:$.data.*.creator_id}}"
            revoke = {_BY_ID: creator, "revoke": "true"}
            return [find, BatchWrite(path, revoke, depends_on=name)]
        if self.revoke:
            return [BatchWrite(path, {_BY_ID: self.value, "revoke": "true"})]
        write = BatchWrite(path, {self.param: self.value}, name=name)
        if self.param == _BY_ID:
            read = BatchRead(f"{{result={name}:$.id}}", {"fields": NODE_FIELDS}, depends_on=name)
        else:
            read = BatchRead(path, _username_filter(self.value), depends_on=name)
        return [write, read]

    def outcome(
        self, brand_ig_id: str, answers: Sequence[BatchOutcome], fields: _CreatorFields
    ) -> PermissionRecord | PartnergraphError | UserErrorRecord:
        """What the change did, from its entries' answers."""
        if self.revoke and self.param == _BY_USERNAME:
            return self._revoked_by_username(brand_ig_id, answers, fields)
        write = answers[0]
        if isinstance(write, PartnergraphError):
            if not (isinstance(write, BadUserInput) and rejected_by_graph(write)):
                return write
            code = (
                UserErrorCode.NOTHING_TO_REVOKE if self.revoke else UserErrorCode.CREATOR_NOT_FOUND
            )
            return UserErrorRecord(write.message, code, fields.of(self.param))
        try:
            graph_id = _graph_id(write)
        except UpstreamUnavailable as error:
            return error
        if self.revoke:
            return PermissionRecord(graph_id, brand_ig_id, self.known(), PermissionStatus.REVOKED)
        as_written = PermissionRecord(graph_id, brand_ig_id, self.known(), PermissionStatus.PENDING)
        read = answers[1]
        if isinstance(read, PartnergraphError):
            return as_written
        if self.param == _BY_USERNAME:
            found = _listed(brand_ig_id, read)
            return found if found and found.graph_id == graph_id else as_written
        found = permission_from_graph(brand_ig_id, read)
        if found is None or found.graph_id != graph_id:
            return as_written
        return replace(found, creator=self.known())

    def _revoked_by_username(
        self, brand_ig_id: str, answers: Sequence[BatchOutcome], fields: _CreatorFields
    ) -> PermissionRecord | PartnergraphError | UserErrorRecord:
        find, write = answers
        field = fields.of(self.param)
        if isinstance(find, PartnergraphError):
            if isinstance(find, BadUserInput) and rejected_by_graph(find):
                return UserErrorRecord(find.message, UserErrorCode.CREATOR_NOT_FOUND, field)
            return find
        found = _listed(brand_ig_id, find)
        if found is None:
            return UserErrorRecord(
                f"{self.value} has no permission with this brand that can be revoked.",
                UserErrorCode.NOTHING_TO_REVOKE,
                field,
            )
        if isinstance(write, PartnergraphError):
            if isinstance(write, BadUserInput) and rejected_by_graph(write):
                return UserErrorRecord(write.message, UserErrorCode.NOTHING_TO_REVOKE, field)
            return write
        return replace(found, raw_status=PermissionStatus.REVOKED)


def _username_filter(username: str) -> dict[str, str]:
    return {"fields": PERMISSION_FIELDS, "creator_username": username.lower()}


def _listed(brand_ig_id: str, answer: dict[str, object]) -> PermissionRecord | None:
    """The one permission of a list read filtered by username, if it holds one."""
    data = answer.get("data")
    if not isinstance(data, list) or not data or not isinstance(data[0], dict):
        return None
    return permission_from_graph(brand_ig_id, data[0])


async def request_permission(
    context: RequestContext,
    brand_ig_id: str,
    creator_ig_id: str | None,
    creator_username: str | None,
) -> Outcome[PermissionRecord]:
    """Ask a creator, by Instagram ID or username, for account-level permission for a brand.

    The write and the read of what it wrote go out as one Graph batch: one HTTP request.
    """
    return await _change_one(context, brand_ig_id, creator_ig_id, creator_username, revoke=False)


async def revoke_permission(
    context: RequestContext,
    brand_ig_id: str,
    creator_ig_id: str | None,
    creator_username: str | None,
) -> Outcome[PermissionRecord]:
    """Revoke a brand's permission from a creator, by Instagram ID or username: one request."""
    return await _change_one(context, brand_ig_id, creator_ig_id, creator_username, revoke=True)


async def request_permissions(
    context: RequestContext, brand_ig_id: str, creators: Sequence[tuple[str | None, str | None]]
) -> Outcome[list[Slot]]:
    """Ask many creators, each by Instagram ID or username, for permission, in Graph batches
    of 25 writes, each with the read of what it wrote (see _change_many)."""
    return await _change_many(context, brand_ig_id, creators, revoke=False)


async def revoke_permissions(
    context: RequestContext, brand_ig_id: str, creators: Sequence[tuple[str | None, str | None]]
) -> Outcome[list[Slot]]:
    """Revoke many creators' permissions, each by Instagram ID or username, in Graph batches
    (see _change_many)."""
    return await _change_many(context, brand_ig_id, creators, revoke=True)


async def _change_one(
    context: RequestContext,
    brand_ig_id: str,
    creator_ig_id: str | None,
    creator_username: str | None,
    *,
    revoke: bool,
) -> Outcome[PermissionRecord]:
    outcome: Outcome[PermissionRecord] = Outcome()
    choice = _creator_choice(creator_ig_id, creator_username, _SINGLE)
    if isinstance(choice, UserErrorRecord):
        outcome.user_errors.append(choice)
        return outcome
    change = _Change(*choice, revoke=revoke)
    [answers] = await _send(context, brand_ig_id, [change])
    result = change.outcome(brand_ig_id, answers, _SINGLE)
    if isinstance(result, PartnergraphError):
        raise result
    if isinstance(result, UserErrorRecord):
        outcome.user_errors.append(result)
    else:
        outcome.result = result
    return outcome


async def _change_many(
    context: RequestContext,
    brand_ig_id: str,
    creators: Sequence[tuple[str | None, str | None]],
    *,
    revoke: bool,
) -> Outcome[list[Slot]]:
    """Request or revoke for many creators in Graph batches; the brand's caches go once.

    The result has a slot per creator, in order: the permission, the error that befell it,
    or None where a user error says why. Invalid input sends nothing at all. When every
    creator failed with an error, the mutation fails with the first one.
    """
    slots: list[Slot] = [None] * len(creators)
    outcome: Outcome[list[Slot]] = Outcome(slots)
    if not 0 < len(creators) <= MAX_CREATORS:
        outcome.user_errors.append(
            UserErrorRecord(
                f"Give 1 to {MAX_CREATORS} creators, not {len(creators)}.",
                UserErrorCode.INVALID_INPUT,
                ("creators",),
            )
        )
        return outcome
    changes: list[_Change] = []
    for index, (ig_id, username) in enumerate(creators):
        choice = _creator_choice(ig_id, username, _bulk_fields(index))
        if isinstance(choice, UserErrorRecord):
            outcome.user_errors.append(choice)
        else:
            changes.append(_Change(*choice, revoke=revoke))
    if outcome.user_errors:
        return outcome
    answers = await _send(context, brand_ig_id, changes)
    for index, (change, answered) in enumerate(zip(changes, answers, strict=True)):
        result = change.outcome(brand_ig_id, answered, _bulk_fields(index))
        if isinstance(result, UserErrorRecord):
            outcome.user_errors.append(result)
        else:
            slots[index] = result
    failed = [slot for slot in slots if isinstance(slot, PartnergraphError)]
    if len(failed) == len(slots):
        raise failed[0]
    return outcome


async def _send(
    context: RequestContext, brand_ig_id: str, changes: Sequence[_Change]
) -> list[list[BatchOutcome]]:
    """Send the changes' entries as Graph batches of up to 50, a change never split; each
    change's answers, in order. When the Graph API refused every change (the token, the
    brand), that refusal is raised and the brand's caches stay."""
    credentials = context.require_credentials()
    client = context.services.client
    path = f"{brand_ig_id}/{EDGE}"
    batches: list[list[list[BatchCall]]] = [[]]
    for index, change in enumerate(changes):
        calls = change.calls(path, f"c{index}")
        if sum(map(len, batches[-1])) + len(calls) > MAX_BATCH:
            batches.append([])
        batches[-1].append(calls)
    async with writing(context, brand_ig_id):
        sent = await asyncio.gather(
            *(client.batch(credentials, [c for calls in batch for c in calls]) for batch in batches)
        )
        answers: list[list[BatchOutcome]] = []
        for batch, outcomes in zip(batches, sent, strict=True):
            at = iter(outcomes)
            answers += [[next(at) for _ in calls] for calls in batch]
        refusals = [_refusal(each) for each in answers]
        first = refusals[0]
        if first is not None and all(refusals):
            raise first  # nothing was written
    return answers


def _refusal(answers: Sequence[BatchOutcome]) -> PartnergraphError | None:
    """The Graph API's refusal of a change (its token, its brand), if one of its entries got one."""
    return next((a for a in answers if isinstance(a, PartnergraphError) and refused(a)), None)


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


def _filter_username(given: str | None) -> str | None:
    """A username filter as the Graph API matches it: no spaces, no `@`, lower case."""
    if given is None:
        return None
    return given[:_MAX_USERNAME_INPUT].strip().lstrip("@").lower()


def _bulk_fields(index: int) -> _CreatorFields:
    return _CreatorFields(("creators", str(index), "igId"), ("creators", str(index), "username"))


def _graph_id(answer: dict[str, object]) -> str:
    graph_id = answer.get("id")
    if not isinstance(graph_id, str | int) or isinstance(graph_id, bool) or not str(graph_id):
        raise UpstreamUnavailable("The Graph API accepted the write but returned no permission ID.")
    return str(graph_id)
