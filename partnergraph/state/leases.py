"""Named leases held by one holder at a time, renewed by it, expiring on their own."""

from typing import Protocol

from partnergraph.state.clock import Clock, wall_clock
from partnergraph.state.link import RedisLink, RedisUnavailable

__all__ = ["Leases", "MemoryLeases", "RedisLeases"]

_KEY = "partnergraph:poll-lease:"
_PRUNE_FROM = 10_000
"""Leases held in memory from which the expired ones are dropped."""

# Take the lease if it is free, or renew it if this holder has it.
_CLAIM = """
local holder = redis.call('GET', KEYS[1])
if holder == false or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class Leases(Protocol):
    """One holder per name at a time, for as long as it keeps claiming."""

    async def claim(self, name: str, holder: str, ttl: float) -> bool:
        """Take or renew the lease on name for ttl seconds; False while another holds it."""
        ...

    async def release(self, name: str, holder: str) -> None:
        """Free the lease on name at once, if holder has it."""
        ...


class MemoryLeases:
    """Leases among the holders of one process."""

    def __init__(self, clock: Clock = wall_clock) -> None:
        self._clock = clock
        self._held: dict[str, tuple[str, float]] = {}

    async def claim(self, name: str, holder: str, ttl: float) -> bool:
        """Take or renew the lease on name."""
        now = self._clock()
        current = self._held.get(name)
        if current is not None and current[0] != holder and current[1] > now:
            return False
        self._held[name] = (holder, now + ttl)
        if len(self._held) > _PRUNE_FROM:
            self._held = {n: lease for n, lease in self._held.items() if lease[1] > now}
        return True

    async def release(self, name: str, holder: str) -> None:
        """Free the lease on name, if holder has it."""
        current = self._held.get(name)
        if current is not None and current[0] == holder:
            del self._held[name]


class RedisLeases:
    """Leases across instances in Redis; while Redis is away, each process holds its own."""

    def __init__(self, link: RedisLink, fallback: MemoryLeases) -> None:
        self._link = link
        self._fallback = fallback
        self._script = link.redis.register_script(_CLAIM)
        self._release = link.redis.register_script(_RELEASE)

    async def claim(self, name: str, holder: str, ttl: float) -> bool:
        """Take or renew the lease on name in Redis."""
        script = self._script
        try:
            taken = await self._link.call(
                lambda _: script(keys=[_KEY + name], args=[holder, max(1, int(ttl * 1000))])
            )
        except RedisUnavailable:
            return await self._fallback.claim(name, holder, ttl)
        return bool(taken)

    async def release(self, name: str, holder: str) -> None:
        """Free the lease on name in Redis (and here), if holder has it."""
        await self._fallback.release(name, holder)
        script = self._release
        try:
            await self._link.call(lambda _: script(keys=[_KEY + name], args=[holder]))
        except RedisUnavailable:
            return  # it lapses by itself
