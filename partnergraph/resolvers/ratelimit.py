"""What `rateLimit` reports for a token: its latest Graph usage and its invite budgets."""

from dataclasses import dataclass

from partnergraph.graph.usage import UsageReport
from partnergraph.resolvers.budgets import BudgetKind, BudgetUse
from partnergraph.resolvers.context import RequestContext


@dataclass(frozen=True, slots=True)
class RateLimitView:
    """The latest usage report of a token, and the budgets of the user it touched last."""

    report: UsageReport | None
    invites_read: BudgetUse | None
    invites_write: BudgetUse | None


async def rate_limit(context: RequestContext) -> RateLimitView:
    """The rate-limit view of the caller's token."""
    scope = context.require_credentials().scope
    services = context.services
    budgets = services.budgets
    user = await budgets.last_user(scope)
    return RateLimitView(
        report=await services.ledger.latest(scope),
        invites_read=await budgets.use(user, BudgetKind.INVITES_READ) if user else None,
        invites_write=await budgets.use(user, BudgetKind.INVITES_WRITE) if user else None,
    )
