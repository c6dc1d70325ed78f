"""Permission changes pushed to subscribers: one poller per brand for the whole deployment.

Each instance keeps the subscribers it serves. While a brand has subscribers, the
instance competes for the brand's poll lease every half interval; the holder reads
the brand's permissions every interval (refreshing the read cache with them), diffs
them against the last snapshot (shared, so a new holder diffs against the old one's),
and announces the changes, which every instance hands to its subscribers of that
brand. When an instance dies, its lease lapses and another takes over.
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
from partnergraph.resolvers.records import CreatorRecord, PermissionRecord, PermissionStatus
from partnergraph.resolvers.shared import SharedState

__all__ = ["PermissionChangeRecord", "Watchers"]

logger = logging.getLogger("partnergraph.watch")

_QUEUE = 1_000
_SNAPSHOT_INTERVALS = 3
"""Intervals a brand's last snapshot outlives its poll: long enough for another instance to
take over the poll and compare with it, short enough not to replay old changes later."""


@dataclass(frozen=True, slots=True)
class PermissionChangeRecord:
    """A permission that is new or changed status, and the status it had before (None: new)."""

    permission: PermissionRecord
    previous: PermissionStatus | None


if TYPE_CHECKING:  # the request context holds the watchers: a runtime import would be circular
    from partnergraph.resolvers.context import RequestContext

Reader = Callable[["RequestContext", str], Awaitable[list[PermissionRecord]]]
"""Reads every permission of a brand afresh, with a subscriber's request context."""


class _Brand:
    """This instance's subscribers of one brand, and the task competing to poll it."""

    def __init__(self, read: Reader) -> None:
        self.read = read
        self.queues: dict[asyncio.Queue[PermissionChangeRecord], RequestContext] = {}
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
    ) -> AsyncIterator[asyncio.Queue[PermissionChangeRecord]]:
        """A queue of the brand's permission changes for as long as the block runs.

        `context` is the subscriber's request context: polls read with one of them.
        """
        brand = self._brands.setdefault(brand_ig_id, _Brand(read))
        queue: asyncio.Queue[PermissionChangeRecord] = asyncio.Queue(_QUEUE)
        brand.queues[queue] = context
        if brand.task is None or brand.task.done():
            brand.task = asyncio.create_task(self._compete(brand_ig_id, brand))
        try:
            yield queue
        finally:
            del brand.queues[queue]
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
        while True:
            held = await self._state.leases.claim(brand_ig_id, self._holder, self._interval)
            if held and (last_poll is None or loop.time() - last_poll >= self._interval * 0.99):
                last_poll = loop.time()
                # Shielded: leaving between the announcement and the snapshot would lose changes.
                await asyncio.shield(self._poll_with_any(brand_ig_id, brand))
            elif not held:
                last_poll = None
            await asyncio.sleep(self._interval / 2)

    async def _poll_with_any(self, brand_ig_id: str, brand: _Brand) -> None:
        """Poll with the first subscriber whose token reads the brand, so one bad token
        (expired, revoked) does not silence the others."""
        for context in list(brand.queues.values()):
            try:
                await self._poll(brand_ig_id, await brand.read(context, brand_ig_id))
            except PartnergraphError as error:
                logger.warning("polling a brand's permissions failed: %s", error.code)
            except Exception:
                logger.exception("polling a brand's permissions failed unexpectedly")
            else:
                return

    async def _poll(self, brand_ig_id: str, records: list[PermissionRecord]) -> None:
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
                    _encode(record, before.get(record.graph_id))
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
        for queue in brand.queues if brand else ():
            if not queue.full():
                queue.put_nowait(change)


def _encode(record: PermissionRecord, previous: str | None) -> bytes:
    creator = record.creator
    return orjson.dumps(
        {
            "id": record.graph_id,
            "brand": record.brand_ig_id,
            "creator": [creator.ig_id, creator.username, creator.facebook_page_id],
            "status": record.raw_status,
            "previous": previous,
        }
    )


def _decode(message: bytes) -> PermissionChangeRecord:
    raw = orjson.loads(message)
    ig_id, username, page = raw["creator"]
    record = PermissionRecord(
        str(raw["id"]), str(raw["brand"]), CreatorRecord(ig_id, username, page), str(raw["status"])
    )
    previous = raw["previous"]
    return PermissionChangeRecord(
        record, PermissionStatus.of(previous) if isinstance(previous, str) else None
    )
