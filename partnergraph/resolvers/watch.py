"""Permission changes pushed to subscribers: one poller per brand for the whole deployment.

Each instance keeps the subscribers it serves. While a brand has subscribers, the
instance competes for the brand's poll lease every half interval; the holder reads
the brand's permissions every interval (refreshing the read cache with them), diffs
them against the last snapshot (shared, so a new holder diffs against the old one's),
and announces the changes, which every instance hands to its subscribers of that
brand. When an instance dies, its lease lapses and another takes over.

A poll reads with one subscriber's token after another until one works; a subscriber
whose token the Graph API refuses (revoked, expired, out of scope) is ended with that
error. A holder whose poll read with no token at all frees the lease at once, so that
another instance, whose subscribers' tokens may work, polls instead.
"""

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import orjson

from partnergraph.errors import PartnergraphError
from partnergraph.graph.errors import refused
from partnergraph.resolvers.records import CreatorRecord, PermissionRecord, PermissionStatus
from partnergraph.resolvers.shared import SharedState

__all__ = ["Heard", "PermissionChangeRecord", "Watchers"]

logger = logging.getLogger("partnergraph.watch")

_QUEUE = 1_000
_SNAPSHOT_INTERVALS = 3
"""Intervals a brand's last snapshot outlives its poll: long enough for another instance to
take over the poll and compare with it, short enough not to replay old changes later."""


@dataclass(frozen=True, slots=True)
class PermissionChangeRecord:
    """A permission that is new or changed status, and the status it had before (None: new).

    `read_by` is the token scope of the poll that saw it: a subscriber with another token
    checks that its own still reads the brand before it is told.
    """

    permission: PermissionRecord
    previous: PermissionStatus | None
    read_by: str | None = None


Heard = PermissionChangeRecord | PartnergraphError
"""What a subscriber's queue holds: a change, or the error its own token met (its end)."""


if TYPE_CHECKING:  # the request context holds the watchers: a runtime import would be circular
    from partnergraph.resolvers.context import RequestContext

Reader = Callable[["RequestContext", str], Awaitable[list[PermissionRecord]]]
"""Reads every permission of a brand afresh, with a subscriber's request context."""


class _Brand:
    """This instance's subscribers of one brand, and the task competing to poll it."""

    def __init__(self, read: Reader) -> None:
        self.read = read
        self.queues: dict[asyncio.Queue[Heard], RequestContext] = {}
        self.ended: set[asyncio.Queue[Heard]] = set()
        """Subscribers told their token failed: no poll reads with them again."""
        self.task: asyncio.Task[None] | None = None


class Watchers:
    """The subscribers this instance serves, by brand, and the polls behind them."""

    def __init__(self, state: SharedState, interval: float) -> None:
        self._state = state
        self._interval = interval
        self._holder = secrets.token_hex(8)
        self._brands: dict[str, _Brand] = {}
        self._stop = state.announcements.listen(self._heard)

    @contextlib.asynccontextmanager
    async def watch(
        self, brand_ig_id: str, context: "RequestContext", read: Reader
    ) -> AsyncIterator[asyncio.Queue[Heard]]:
        """A queue of the brand's permission changes for as long as the block runs, ended
        by the error the subscriber's token meets if a poll reads with it in vain.

        `context` is the subscriber's request context: polls read with one of them.
        """
        brand = self._brands.setdefault(brand_ig_id, _Brand(read))
        queue: asyncio.Queue[Heard] = asyncio.Queue(_QUEUE)
        brand.queues[queue] = context
        if brand.task is None or brand.task.done():
            brand.task = asyncio.create_task(self._compete(brand_ig_id, brand))
        try:
            yield queue
        finally:
            del brand.queues[queue]
            brand.ended.discard(queue)
            if not brand.queues:
                del self._brands[brand_ig_id]
                brand.task.cancel()

    async def aclose(self) -> None:
        """Stop every poll, wait for them to end, and stop listening."""
        self._stop()
        tasks = [brand.task for brand in self._brands.values() if brand.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _compete(self, brand_ig_id: str, brand: _Brand) -> None:
        last_poll: float | None = None
        loop = asyncio.get_running_loop()
        leases = self._state.leases
        while True:
            held = await leases.claim(brand_ig_id, self._holder, self._interval)
            if held and (last_poll is None or loop.time() - last_poll >= self._interval * 0.99):
                last_poll = loop.time()
                # Shielded: leaving between the announcement and the snapshot would lose changes.
                if not await asyncio.shield(self._poll_with_any(brand_ig_id, brand)):
                    # Let another instance poll: sit out an interval before claiming again.
                    last_poll = None
                    await asyncio.sleep(self._interval)
                    continue
            elif not held:
                last_poll = None
            await asyncio.sleep(self._interval / 2)

    async def _poll_with_any(self, brand_ig_id: str, brand: _Brand) -> bool:
        """Poll with the first subscriber whose token reads the brand, so one bad token
        (expired, revoked) does not silence the others; end each subscriber whose token
        the Graph API refuses. Whether one read: if none did, the lease is freed."""
        for queue, context in list(brand.queues.items()):
            if queue in brand.ended:
                continue
            try:
                records = await brand.read(context, brand_ig_id)
            except PartnergraphError as error:
                logger.warning("polling a brand's permissions failed: %s", error.code)
                if refused(error):
                    brand.ended.add(queue)
                    _tell(queue, error)
                continue
            except Exception:
                logger.exception("polling a brand's permissions failed unexpectedly")
                continue
            await self._poll(brand_ig_id, records, context.scope)
            return True
        await self._state.leases.release(brand_ig_id, self._holder)
        return False

    async def _poll(
        self, brand_ig_id: str, records: list[PermissionRecord], read_by: str | None
    ) -> None:
        snapshots = self._state.snapshots
        before = await snapshots.get(brand_ig_id)
        now = {record.graph_id: record.raw_status for record in records}
        if isinstance(before, dict):  # else the first poll of this brand: nothing to compare
            changed = [r for r in records if before.get(r.graph_id) != r.raw_status]
            if changed:
                # The brand's cached reads and answers are out of date for every token.
                await self._state.generations.bump(brand_ig_id)
            for record in changed:
                await self._state.announcements.announce(
                    _encode(record, before.get(record.graph_id), read_by)
                )
        # Written after the announcements: a poll cut short announces again, never loses.
        await snapshots.set(brand_ig_id, now, self._interval * _SNAPSHOT_INTERVALS)

    def _heard(self, message: bytes) -> None:
        try:
            change = _decode(message)
        except (ValueError, KeyError, TypeError):
            logger.warning("ignored an unreadable permission change")
            return
        brand = self._brands.get(change.permission.brand_ig_id)
        if brand is None:
            return
        for queue in brand.queues:
            if queue not in brand.ended and not queue.full():
                queue.put_nowait(change)


def _tell(queue: asyncio.Queue[Heard], error: PartnergraphError) -> None:
    """Hand a subscriber the error that ends it, ahead of any change still queued."""
    while not queue.empty():
        queue.get_nowait()
    queue.put_nowait(error)


def _encode(record: PermissionRecord, previous: str | None, read_by: str | None) -> bytes:
    creator = record.creator
    return orjson.dumps(
        {
            "id": record.graph_id,
            "brand": record.brand_ig_id,
            "creator": [creator.ig_id, creator.username, creator.facebook_page_id],
            "status": record.raw_status,
            "previous": previous,
            "readBy": read_by,
        }
    )


def _decode(message: bytes) -> PermissionChangeRecord:
    raw = orjson.loads(message)
    ig_id, username, page = raw["creator"]
    record = PermissionRecord(
        str(raw["id"]), str(raw["brand"]), CreatorRecord(ig_id, username, page), str(raw["status"])
    )
    previous, read_by = raw["previous"], raw.get("readBy")
    return PermissionChangeRecord(
        record,
        PermissionStatus.of(previous) if isinstance(previous, str) else None,
        read_by if isinstance(read_by, str) else None,
    )
