"""Key-value stores with a time to live: the protocol, and its bounded in-memory implementation."""

from typing import Generic, Protocol, TypeVar

from cachetools import TLRUCache

from partnergraph.resolvers.state.clock import Clock, wall_clock

__all__ = ["MemoryStore", "Store"]

V = TypeVar("V")


class Store(Protocol[V]):
    """Values under string keys, each kept for at most its time to live."""

    async def get(self, key: str) -> V | None:
        """The value under key, or None when there is none (or it expired)."""
        ...

    async def set(self, key: str, value: V, ttl: float) -> None:
        """Keep value under key for ttl seconds; a ttl of 0 or less keeps nothing."""
        ...


class MemoryStore(Generic[V]):
    """A Store in this process, holding at most max_entries and dropping the least recently used."""

    def __init__(self, max_entries: int, clock: Clock = wall_clock) -> None:
        self._clock = clock
        self._entries: TLRUCache[str, tuple[V, float]] = TLRUCache(
            maxsize=max_entries, ttu=_expiry, timer=clock
        )

    def __len__(self) -> int:
        return len(self._entries)

    async def get(self, key: str) -> V | None:
        """The value under key, or None."""
        return self.peek(key)

    def peek(self, key: str) -> V | None:
        """The value under key, or None, without awaiting: for callers on a hot path."""
        entry = self._entries.get(key)
        return entry[0] if entry is not None else None

    async def set(self, key: str, value: V, ttl: float) -> None:
        """Keep value under key for ttl seconds."""
        self.put(key, value, ttl)

    def put(self, key: str, value: V, ttl: float) -> None:
        """Keep value under key for ttl seconds, without awaiting."""
        if ttl > 0:
            self._entries[key] = (value, self._clock() + ttl)


def _expiry(_key: str, entry: tuple[object, float], _now: float) -> float:
    return entry[1]
