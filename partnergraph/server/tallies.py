"""Counts of what is held open under a key (WebSocket connections per client address,
subscriptions per token), each refused past its cap."""

__all__ = ["Tally"]


class Tally:
    """How many of a thing each key holds open in this process, at most `cap` each."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self._held: dict[str, int] = {}

    def take(self, key: str) -> bool:
        """Count one more for key, unless it holds its cap already (False)."""
        held = self._held.get(key, 0)
        if held >= self.cap:
            return False
        self._held[key] = held + 1
        return True

    def give_back(self, key: str) -> None:
        """Count one less for key; a key holding none is forgotten."""
        held = self._held.get(key, 0) - 1
        if held > 0:
            self._held[key] = held
        else:
            self._held.pop(key, None)

    def held(self, key: str) -> int:
        """How many key holds."""
        return self._held.get(key, 0)
