"""Caches of upstream reads and whole answers: bounded stores, owner generations, single-flight."""

import asyncio
import itertools
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from aiocache import SimpleMemoryCache

from partnergraph.resolvers.upstream.errors import refused
from partnergraph.telemetry import UNOBSERVED, Observer

V = TypeVar("V")


class BoundedMemoryCache(SimpleMemoryCache):  # type: ignore[misc]
    """aiocache's memory cache holding at most max_entries, dropping the least recently used."""

    def __init__(self, max_entries: int, **kwargs: Any) -> None:
        super().__init__(timeout=None, **kwargs)
        self._max_entries = max_entries

    async def _get(self, key: str, encoding: str = "utf-8", _conn: object = None) -> Any:
        value = self._cache.pop(key, None)
        if value is not None:
            self._cache[key] = value
        return value

    async def _set(
        self,
        key: str,
        value: Any,
        ttl: float | None = None,
        _cas_token: object = None,
        _conn: object = None,
    ) -> Any:
        self._cache.pop(key, None)
        stored = await super()._set(key, value, ttl=ttl, _cas_token=_cas_token, _conn=_conn)
        while len(self._cache) > self._max_entries:
            oldest = next(iter(self._cache))
            del self._cache[oldest]
            handle = self._handlers.pop(oldest, None)
            if handle is not None:
                handle.cancel()
        return stored

    def __len__(self) -> int:
        return len(self._cache)


class SingleFlight:
    """Runs one call per key at a time; callers of a key already in flight share its outcome."""

    def __init__(self, on_join: Callable[[], None] = lambda: None) -> None:
        self._calls: dict[str, asyncio.Task[Any]] = {}
        self._on_join = on_join

    def __len__(self) -> int:
        return len(self._calls)

    async def run(self, key: str, call: Callable[[], Awaitable[V]]) -> V:
        """The outcome of call(), shared with every concurrent run of the same key."""
        task = self._calls.get(key)
        if task is None:
            task = asyncio.ensure_future(call())
            self._calls[key] = task
            task.add_done_callback(lambda done: self._finish(key, done))
        else:
            self._on_join()
        result: V = await asyncio.shield(task)
        return result

    def _finish(self, key: str, task: asyncio.Task[Any]) -> None:
        if self._calls.get(key) is task:
            del self._calls[key]
        if not task.cancelled():
            task.exception()  # retrieved here so a failure nobody awaits is not reported


class Generations:
    """A per-owner value in every cache key: changing it hides all that owner's cached reads."""

    def __init__(self, ttl: float) -> None:
        self._ttl = ttl
        self._current: OrderedDict[str, tuple[int, float]] = OrderedDict()
        self._counter = itertools.count(1)

    def of(self, owner: str) -> int:
        """The owner's current generation (0 until its first invalidation)."""
        entry = self._current.get(owner)
        return entry[0] if entry is not None else 0

    def bump(self, owner: str) -> None:
        """Give owner a generation never used before, and forget ones older than the TTL."""
        now = time.monotonic()
        self._current.pop(owner, None)
        self._current[owner] = (next(self._counter), now)
        while self._current:
            first, (_, changed) = next(iter(self._current.items()))
            if now - changed <= self._ttl:
                break
            del self._current[first]


class ReadCache:
    """Upstream reads cached for a TTL under token-scoped keys, each read once at a time."""

    def __init__(
        self, store: BoundedMemoryCache, ttl: float, observer: Observer = UNOBSERVED
    ) -> None:
        self._store = store
        self._ttl = ttl
        self._generations = Generations(ttl)
        self._flights = SingleFlight(lambda: observer.flight_joined("pages"))
        self._observer = observer

    async def read(self, owner: str, key: str, fetch: Callable[[], Awaitable[V]]) -> V:
        """The cached value of key, which belongs to owner, or what fetch() returns."""
        generation = self.generation(owner)
        full_key = f"{owner}|{generation}|{key}"
        if self._ttl <= 0:
            return await self._flights.run(full_key, fetch)
        cached: V | None = await self._store.get(full_key)
        self._observer.cache_lookup("pages", cached is not None)
        if cached is not None:
            return cached
        return await self._flights.run(
            full_key, lambda: self._fill(owner, generation, full_key, fetch)
        )

    @contextmanager
    def writing(self, owner: str) -> Iterator[None]:
        """Hide owner's cached reads after the block's write, unless the Graph API refused it."""
        try:
            yield
        except BaseException as error:
            if not refused(error):
                self._generations.bump(owner)
            raise
        self._generations.bump(owner)

    def generation(self, owner: str) -> int:
        """The owner's current generation: it changes whenever the owner's data does."""
        return self._generations.of(owner)

    async def _fill(
        self, owner: str, generation: int, full_key: str, fetch: Callable[[], Awaitable[V]]
    ) -> V:
        began = time.monotonic()
        value = await fetch()
        # Not stored if a write landed meanwhile, or if the read outlasted the TTL: by then
        # the owner's generation may have been forgotten, and a write missed.
        if self.generation(owner) == generation and time.monotonic() - began < self._ttl:
            await self._store.set(full_key, value, ttl=self._ttl)
        return value


@dataclass(frozen=True, slots=True)
class CachedAnswer:
    """A whole GraphQL answer, the data generation of every owner it read, and the name of
    the operation that produced it."""

    body: bytes
    owners: tuple[tuple[str, int], ...]
    operation_name: str | None = None


class AnswerCache:
    """Whole answers to read documents, valid while no owner they read has changed."""

    def __init__(
        self,
        store: BoundedMemoryCache,
        reads: ReadCache,
        ttl: float,
        observer: Observer = UNOBSERVED,
    ) -> None:
        self._store = store
        self._reads = reads
        self._ttl = ttl
        self._observer = observer

    async def get(self, key: str) -> CachedAnswer | None:
        """The cached answer under key, unless an owner it read has changed since."""
        answer: CachedAnswer | None = await self._store.get(key)
        if answer is None or not self._current(answer.owners):
            self._observer.cache_lookup("answers", False)
            return None
        self._observer.cache_lookup("answers", True)
        return answer

    async def put(
        self,
        key: str,
        body: bytes,
        touched: Mapping[str, int],
        operation_name: str | None = None,
    ) -> None:
        """Cache an answer that read touched, unless one of those owners changed meanwhile."""
        owners = tuple(touched.items())
        if self._current(owners):
            answer = CachedAnswer(body, owners, operation_name)
            await self._store.set(key, answer, ttl=self._ttl)

    def _current(self, owners: tuple[tuple[str, int], ...]) -> bool:
        return all(self._reads.generation(owner) == seen for owner, seen in owners)
