"""The documented per-user daily limits, kept locally so a call past them never leaves."""

import time
from collections import OrderedDict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum

from partnergraph.errors import RateLimited
from partnergraph.resolvers.upstream.errors import refused

DAY = 24 * 60 * 60.0
_MAX_USERS = 100_000


class BudgetKind(StrEnum):
    """Which documented limit a call counts against."""

    INVITES_READ = "invites_read"
    INVITES_WRITE = "invites_write"


LIMITS = {BudgetKind.INVITES_READ: 300, BudgetKind.INVITES_WRITE: 50}


@dataclass(frozen=True, slots=True)
class BudgetUse:
    """How much of one user's daily limit is used, and when the oldest call stops counting."""

    ig_user_id: str
    limit: int
    used: int
    resets_in: float | None

    @property
    def remaining(self) -> int:
        """Calls left in the current 24-hour window."""
        return max(0, self.limit - self.used)


class DailyBudgets:
    """Sliding 24-hour windows of upstream calls per Instagram user and limit."""

    def __init__(self) -> None:
        self._calls: OrderedDict[tuple[str, BudgetKind], deque[float]] = OrderedDict()
        self._last_user: OrderedDict[str, str] = OrderedDict()

    @contextmanager
    def spend(self, ig_user_id: str, kind: BudgetKind, scope: str) -> Iterator[None]:
        """Count the call made in the block against the user's limit, or raise RateLimited first.

        A call the Graph API turns away for its token, rights or object does not count: the
        Graph API does not count it, and a stranger's token must not use up a user's day.
        """
        taken = self._take(ig_user_id, kind)
        try:
            yield
        except BaseException as error:
            if refused(error):
                self._refund(ig_user_id, kind, taken)
            else:
                self._touched(scope, ig_user_id)
            raise
        self._touched(scope, ig_user_id)

    def _touched(self, scope: str, ig_user_id: str) -> None:
        """Remember the user whose budget the scope's rateLimit shows."""
        self._last_user.pop(scope, None)
        self._last_user[scope] = ig_user_id
        if len(self._last_user) > _MAX_USERS:
            self._last_user.popitem(last=False)

    def _take(self, ig_user_id: str, kind: BudgetKind) -> float:
        now = time.monotonic()
        calls = self._window(ig_user_id, kind, now)
        limit = LIMITS[kind]
        if len(calls) >= limit:
            raise RateLimited(
                f"The daily limit of {limit} {kind.value.replace('_', ' ')} calls for Instagram "
                f"user {ig_user_id} is used up.",
                retry_after=calls[0] + DAY - now,
            )
        calls.append(now)
        return now

    def _refund(self, ig_user_id: str, kind: BudgetKind, taken: float) -> None:
        key = (ig_user_id, kind)
        calls = self._calls.get(key)
        if calls is None:
            return
        try:
            calls.remove(taken)
        except ValueError:
            return
        if not calls:
            del self._calls[key]

    def last_user(self, scope: str) -> str | None:
        """The Instagram user whose invites a token scope touched last."""
        return self._last_user.get(scope)

    def use(self, ig_user_id: str, kind: BudgetKind) -> BudgetUse:
        """The current use of one user's limit."""
        now = time.monotonic()
        calls = self._window(ig_user_id, kind, now)
        resets_in = calls[0] + DAY - now if calls else None
        return BudgetUse(ig_user_id, LIMITS[kind], len(calls), resets_in)

    def _window(self, ig_user_id: str, kind: BudgetKind, now: float) -> deque[float]:
        key = (ig_user_id, kind)
        calls = self._calls.pop(key, None) or deque()
        self._calls[key] = calls
        while calls and now - calls[0] >= DAY:
            calls.popleft()
        while len(self._calls) > _MAX_USERS:
            self._calls.popitem(last=False)
        return calls
