"""The documented per-user daily limits, kept locally so a call past them never leaves."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from enum import StrEnum

from partnergraph.errors import RateLimited
from partnergraph.graph.errors import refused
from partnergraph.state.clock import Clock, wall_clock
from partnergraph.state.store import Store
from partnergraph.state.windows import Windows

__all__ = ["DAY", "LIMITS", "BudgetKind", "BudgetUse", "DailyBudgets"]

DAY = 24 * 60 * 60.0
_USER_LIMIT_REACHED = 80002
"""The Graph API's code for a per-Instagram-user limit spent."""


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

    def __init__(self, windows: Windows, last_users: Store[str], clock: Clock = wall_clock) -> None:
        self._windows = windows
        self._last_users = last_users
        self._clock = clock

    @asynccontextmanager
    async def spend(self, ig_user_id: str, kind: BudgetKind, scope: str) -> AsyncIterator[None]:
        """Count the call made in the block against the user's limit, or raise RateLimited first.

        A call the Graph API turns away for its token, rights or object does not count: the
        Graph API does not count it, and a stranger's token must not use up a user's day.
        One it turns away because the user's limit is spent (80002: other apps' calls count
        there too, or shared state forgot some) closes the window until the Graph API says
        the user has access again.
        """
        key = _key(ig_user_id, kind)
        limit = LIMITS[kind]
        admission = await self._windows.take(key, limit, DAY)
        if not admission.admitted:
            oldest = admission.use.oldest
            raise RateLimited(
                f"The daily limit of {limit} {kind.value.replace('_', ' ')} calls for Instagram "
                f"user {ig_user_id} is used up.",
                retry_after=(oldest + DAY - self._clock()) if oldest is not None else DAY,
            )
        try:
            yield
        except BaseException as error:
            if refused(error):
                await self._windows.give_back(key, admission.ticket)
            else:
                await self._last_users.set(scope, ig_user_id, DAY)
            if isinstance(error, RateLimited) and _user_limit_reached(error):
                until = self._clock() + (error.retry_after or DAY)
                await self._windows.close(key, limit, until, DAY)
            raise
        await self._last_users.set(scope, ig_user_id, DAY)

    async def last_user(self, scope: str) -> str | None:
        """The Instagram user whose invites a token scope touched last (within a day)."""
        return await self._last_users.get(scope)

    async def use(self, ig_user_id: str, kind: BudgetKind) -> BudgetUse:
        """The current use of one user's limit."""
        use = await self._windows.use(_key(ig_user_id, kind), DAY)
        resets_in = use.oldest + DAY - self._clock() if use.oldest is not None else None
        return BudgetUse(ig_user_id, LIMITS[kind], use.used, resets_in)


def _user_limit_reached(error: RateLimited) -> bool:
    return error.graph is not None and error.graph.code == _USER_LIMIT_REACHED


def _key(ig_user_id: str, kind: BudgetKind) -> str:
    return f"{kind.value}:{ig_user_id}"
