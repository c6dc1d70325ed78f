"""Caches of upstream reads and whole answers, kept under owner generations, read single-flight.

A cached read keeps when it was read upstream, and a read hands that time on: an answer
built from cached reads expires with the oldest of them, so nothing is served from the
caches longer than one TTL after its upstream read (a token revoked since included).
"""

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass

import orjson

from partnergraph.graph.errors import refused
from partnergraph.state.clock import Clock, wall_clock
from partnergraph.state.codec import JSON
from partnergraph.state.flights import Flights
from partnergraph.state.generations import Generations
from partnergraph.state.store import Store
from partnergraph.telemetry import UNOBSERVED, Observer

__all__ = ["AnswerCache", "AnswerCodec", "CachedAnswer", "ReadCache", "StampedRead"]

StampedRead = tuple[JSON, float]
"""A value read upstream, and when (the clock's time as the read began)."""


class ReadCache:
    """Upstream reads cached for a TTL under token-scoped keys, each read once at a time."""

    def __init__(
        self,
        pages: Store[JSON],
        generations: Generations,
        flights: Flights,
        ttl: float,
        *,
        clock: Clock = wall_clock,
        observer: Observer = UNOBSERVED,
    ) -> None:
        self._observer = observer
        self._pages = pages
        self._generations = generations
        self._flights = flights
        self._ttl = ttl
        self._clock = clock

    async def generation(self, owner: str) -> int | None:
        """The owner's current data generation; None when it cannot be known (nothing cached)."""
        return await self._generations.current(owner)

    async def read(self, owner: str, key: str, fetch: Callable[[], Awaitable[JSON]]) -> StampedRead:
        """The cached value of key, which belongs to owner, or what fetch() returns; and when
        it was read upstream."""
        generation, full_key = await self._keyed(owner, key)
        if generation is None:
            return self._read_of(await self._flights.run(full_key, lambda: self._stamp(fetch)))
        cached = _stamped(await self._pages.get(full_key))
        self._observer.cache_lookup("pages", cached is not None)
        if cached is not None:
            return cached
        return self._read_of(
            await self._flights.run(
                full_key, lambda: self._fill(owner, generation, full_key, fetch)
            )
        )

    async def refresh(
        self, owner: str, key: str, fetch: Callable[[], Awaitable[JSON]]
    ) -> StampedRead:
        """What fetch() returns now, kept as the cached value of key for later reads; and when
        it was read."""
        generation, full_key = await self._keyed(owner, key)
        if generation is None:
            return self._read_of(await self._stamp(fetch))
        return self._read_of(await self._fill(owner, generation, full_key, fetch))

    def _read_of(self, shared: JSON) -> StampedRead:
        """A read as a flight shares it: stamped, unless an instance of an older version
        made it (then read now, as far as this one knows)."""
        return _stamped(shared) or (shared, self._clock())

    async def _stamp(self, fetch: Callable[[], Awaitable[JSON]]) -> JSON:
        began = self._clock()
        return [began, await fetch()]

    async def _keyed(self, owner: str, key: str) -> tuple[int | None, str]:
        """The generation to cache key under (None: cache nothing now), and the full key."""
        generation = await self._generations.current(owner)
        full_key = f"{owner}|{generation}|{key}"
        return (generation if self._ttl > 0 else None), full_key

    @asynccontextmanager
    async def writing(self, owner: str) -> AsyncIterator[None]:
        """Hide owner's cached reads after the block's write, unless the Graph API refused it."""
        try:
            yield
        except BaseException as error:
            if not refused(error):
                await self._generations.bump(owner)
            raise
        await self._generations.bump(owner)

    async def _fill(
        self, owner: str, generation: int, full_key: str, fetch: Callable[[], Awaitable[JSON]]
    ) -> JSON:
        """[when the read began, what fetch() returned], kept for the TTL from that time."""
        began = self._clock()
        stamped = [began, await fetch()]
        # Not stored if a write landed meanwhile, or if the read outlasted the TTL: by then
        # the owner's generation may have been forgotten, and a write missed.
        left = began + self._ttl - self._clock()
        if left > 0 and await self._generations.current(owner) == generation:
            await self._pages.set(full_key, stamped, left)
        return stamped


def _stamped(raw: JSON | None) -> StampedRead | None:
    """A value and its read time as kept (None: not kept, or by an incompatible version)."""
    if isinstance(raw, list) and len(raw) == 2 and isinstance(raw[0], int | float):
        return raw[1], float(raw[0])
    return None


@dataclass(frozen=True, slots=True)
class CachedAnswer:
    """A whole GraphQL answer, the data generation of every owner it read, and the name of
    the operation that produced it."""

    body: bytes
    owners: tuple[tuple[str, int], ...]
    operation_name: str | None = None


class AnswerCodec:
    """A cached answer as JSON bytes: the body's text beside the owners' generations."""

    def encode(self, answer: CachedAnswer) -> bytes:
        """The JSON of answer."""
        return orjson.dumps(
            {
                "body": answer.body.decode(),
                "owners": answer.owners,
                "operation": answer.operation_name,
            }
        )

    def decode(self, raw: bytes) -> CachedAnswer:
        """The answer encode() wrote; ValueError for anything else."""
        value = orjson.loads(raw)
        try:
            owners = tuple((str(owner), int(seen)) for owner, seen in value["owners"])
            operation = value["operation"]
            return CachedAnswer(
                str(value["body"]).encode(),
                owners,
                operation if isinstance(operation, str) else None,
            )
        except (KeyError, TypeError) as error:
            raise ValueError("not a cached answer") from error


class AnswerCache:
    """Whole answers to read documents, valid while no owner they read has changed, and no
    longer than the oldest upstream read they were built from."""

    def __init__(
        self,
        store: Store[CachedAnswer],
        generations: Generations,
        ttl: float,
        observer: Observer = UNOBSERVED,
        *,
        clock: Clock = wall_clock,
    ) -> None:
        self._store = store
        self._generations = generations
        self._ttl = ttl
        self._observer = observer
        self._clock = clock

    async def get(self, key: str) -> CachedAnswer | None:
        """The cached answer under key, unless an owner it read has changed since."""
        answer = await self._store.get(key)
        if answer is None or not await self._current(answer.owners):
            self._observer.cache_lookup("answers", False)
            return None
        self._observer.cache_lookup("answers", True)
        return answer

    async def put(
        self,
        key: str,
        body: bytes,
        touched: Mapping[str, int | None],
        operation_name: str | None = None,
        oldest_read: float | None = None,
    ) -> None:
        """Cache an answer that read touched, unless one of those owners changed meanwhile,
        until one TTL after its oldest upstream read (`oldest_read`; None: it read nothing)."""
        ttl = self._ttl
        if oldest_read is not None:
            ttl = min(ttl, oldest_read + self._ttl - self._clock())
        owners = tuple(touched.items())
        if ttl > 0 and all(seen is not None for _, seen in owners) and await self._current(owners):
            known = tuple((owner, seen) for owner, seen in owners if seen is not None)
            await self._store.set(key, CachedAnswer(body, known, operation_name), ttl)

    async def _current(self, owners: tuple[tuple[str, int | None], ...]) -> bool:
        for owner, seen in owners:
            if await self._generations.current(owner) != seen:
                return False
        return True
