"""Per-request page loading: each page once, the read cache first, misses sent as Graph batches."""

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

from partnergraph.errors import PartnergraphError
from partnergraph.graph.client import MAX_BATCH, BatchRead, Credentials, GraphClient
from partnergraph.resolvers.budgets import BudgetKind, DailyBudgets
from partnergraph.resolvers.cache import ReadCache


@dataclass(frozen=True, slots=True)
class PageKey:
    """One upstream read: the owner's ID (or `me`), the edge (empty: the owner) and the query.

    With `node`, the read is of that object by its own ID (a permission of a brand), cached
    as the owner's data: a write to the owner hides it.
    """

    owner: str
    edge: str
    params: tuple[tuple[str, str], ...]
    budget: BudgetKind | None = None
    node: str | None = None

    @property
    def path(self) -> str:
        """The Graph path below the version."""
        if self.node is not None:
            return self.node
        return f"{self.owner}/{self.edge}" if self.edge else self.owner


Body = dict[str, Any]


class PageLoader:
    """Loads upstream pages for one GraphQL request and one token."""

    def __init__(
        self,
        client: GraphClient,
        cache: ReadCache,
        budgets: DailyBudgets,
        credentials: Credentials,
        touched: dict[str, int | None],
        *,
        read_at: Callable[[float], None],
        fresh: bool = False,
    ) -> None:
        """`touched` gets each owner's generation as first read; `read_at` is told when each
        page was read upstream (a cached one, maybe long before)."""
        self._fresh = fresh
        self._touched = touched
        self._read_at = read_at
        self._client = client
        self._cache = cache
        self._budgets = budgets
        self._credentials = credentials
        self._loaded: dict[PageKey, asyncio.Future[Body]] = {}
        self._queued: list[tuple[PageKey, asyncio.Future[Body]]] = []
        self._sending: set[asyncio.Task[None]] = set()

    async def load(self, key: PageKey) -> Body:
        """The Graph answer for key, read at most once in this request."""
        loaded = self._loaded.get(key)
        if loaded is None:
            loaded = asyncio.ensure_future(self._read(key))
            loaded.add_done_callback(_retrieved)
            self._loaded[key] = loaded
        return await asyncio.shield(loaded)

    def forget(self, owner: str) -> None:
        """Read owner's pages afresh from now on: this request wrote to them."""
        self._loaded = {key: load for key, load in self._loaded.items() if key.owner != owner}

    async def _read(self, key: PageKey) -> Body:
        if key.owner not in self._touched:
            self._touched[key.owner] = await self._cache.generation(key.owner)
        cache_key = f"{self._credentials.scope}|{key.path}|{key.params}"
        read = self._cache.refresh if self._fresh else self._cache.read
        body: Body
        body, read_at = await read(key.owner, cache_key, lambda: self._enqueue(key))
        self._read_at(read_at)
        return body

    async def _enqueue(self, key: PageKey) -> Body:
        spending: AbstractAsyncContextManager[None] = (
            self._budgets.spend(key.owner, key.budget, self._credentials.scope)
            if key.budget is not None
            else nullcontext()
        )
        async with spending:
            future: asyncio.Future[Body] = asyncio.get_running_loop().create_future()
            if not self._queued:
                asyncio.get_running_loop().call_soon(self._flush)
            self._queued.append((key, future))
            return await future

    def _flush(self) -> None:
        queued, self._queued = self._queued, []
        for start in range(0, len(queued), MAX_BATCH):
            chunk = queued[start : start + MAX_BATCH]
            task = asyncio.ensure_future(self._send(chunk))
            task.add_done_callback(_fail_all(chunk))
            # The loop keeps only a weak reference to a task: hold it until it is done.
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)

    async def _send(self, chunk: list[tuple[PageKey, asyncio.Future[Body]]]) -> None:
        if len(chunk) == 1:
            key, future = chunk[0]
            try:
                body = await self._client.get(self._credentials, key.path, dict(key.params))
            except PartnergraphError as error:
                _settle(future, error)
            else:
                _settle(future, body)
            return
        reads = [BatchRead(key.path, dict(key.params)) for key, _ in chunk]
        outcomes = await self._client.batch(self._credentials, reads)
        for (_, future), outcome in zip(chunk, outcomes, strict=True):
            _settle(future, outcome)


def _retrieved(task: asyncio.Future[Body]) -> None:
    """Mark a load's failure as seen: its callers may all be cancelled and gone by then."""
    if not task.cancelled():
        task.exception()


def _settle(future: asyncio.Future[Body], outcome: Body | BaseException) -> None:
    if future.done():
        return
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)


def _fail_all(
    chunk: list[tuple[PageKey, asyncio.Future[Body]]],
) -> Callable[[asyncio.Task[None]], None]:
    """A done-callback that passes a failed send's error (or cancellation) to every waiter."""

    def settle(task: asyncio.Task[None]) -> None:
        error = asyncio.CancelledError() if task.cancelled() else task.exception()
        if error is None:
            return
        for _, future in chunk:
            _settle(future, error)

    return settle
