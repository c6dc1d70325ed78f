"""Per-Instagram-user daily limits and the X-App-Usage / X-Business-Use-Case-Usage headers."""

import json
import math
from collections.abc import Callable
from dataclasses import dataclass

from partnergraph.emulator.errors import user_limit
from partnergraph.emulator.stats import INVITES, METHODS

DAY = 24 * 3600.0
HOUR = 3600.0
APP_CALLS_PER_HOUR = 5000
OBJECT_CALLS_PER_DAY = 4800
DAILY_LIMITS = {(INVITES, "GET"): 300, (INVITES, "POST"): 50}


@dataclass(slots=True)
class _Counter:
    """Calls counted in a window that starts with the first one."""

    started: float
    count: int = 0


class Usage:
    """Counts calls per app and per Instagram user, refuses those over a daily limit."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._app = _Counter(clock())
        self._objects: dict[tuple[str, str, str], _Counter] = {}

    def spend(self, object_id: str, edge: str, method: str) -> None:
        """Count one call on an object's edge; code 80002 once its daily limit is spent."""
        now = self._clock()
        if now - self._app.started >= HOUR:
            self._app = _Counter(now)
        self._app.count += 1
        counter = self._counter((object_id, edge, method), now)
        limit = DAILY_LIMITS.get((edge, method))
        if limit is not None and counter.count >= limit:
            raise user_limit()
        counter.count += 1

    def _counter(self, key: tuple[str, str, str], now: float) -> _Counter:
        counter = self._objects.get(key)
        if counter is None or now - counter.started >= DAY:
            counter = self._objects[key] = _Counter(now)
        return counter

    def headers(self, object_id: str | None) -> dict[str, str]:
        """The usage headers of an answer about object_id (app usage alone without one)."""
        calls = _percent(self._app.count, APP_CALLS_PER_HOUR)
        headers = {"x-app-usage": _json(_shares(calls))}
        if object_id is not None:
            headers["x-business-use-case-usage"] = _json(
                {object_id: [{"type": "instagram", **self._object_usage(object_id)}]}
            )
        return headers

    def _object_usage(self, object_id: str) -> dict[str, int]:
        now = self._clock()
        percent, regain = 0, 0
        for edge, methods in METHODS.items():
            for method in methods:
                counter = self._objects.get((object_id, edge, method))
                if counter is None or now - counter.started >= DAY:
                    continue
                limit = DAILY_LIMITS.get((edge, method), OBJECT_CALLS_PER_DAY)
                percent = max(percent, _percent(counter.count, limit))
                if counter.count >= limit:
                    regain = max(regain, math.ceil((counter.started + DAY - now) / 60))
        return {**_shares(percent), "estimated_time_to_regain_access": regain}


def _percent(count: int, limit: int) -> int:
    return min(100, count * 100 // limit)


def _shares(calls: int) -> dict[str, int]:
    return {"call_count": calls, "total_cputime": calls * 3 // 5, "total_time": calls * 4 // 5}


def _json(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))
