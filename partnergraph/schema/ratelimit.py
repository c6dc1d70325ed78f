"""The `rateLimit` types: Graph API usage seen for the caller's token, and local daily budgets."""

import strawberry

from partnergraph.graph.usage import BusinessUseCaseUsage as UsageEntry
from partnergraph.resolvers.budgets import BudgetUse
from partnergraph.resolvers.ratelimit import RateLimitView


@strawberry.type(description="One business use case's usage, in percent of its limit.")
class BusinessUseCaseUsage:
    business_id: strawberry.ID
    type: str
    call_count: int
    total_cputime: int
    total_time: int
    estimated_time_to_regain_access: int = strawberry.field(
        description="Minutes until the Graph API serves this use case again; 0 when it does."
    )

    @classmethod
    def of(cls, entry: UsageEntry) -> "BusinessUseCaseUsage":
        """The GraphQL view of a usage entry."""
        return cls(
            business_id=strawberry.ID(entry.business_id),
            type=entry.type,
            call_count=entry.call_count,
            total_cputime=entry.total_cputime,
            total_time=entry.total_time,
            estimated_time_to_regain_access=entry.estimated_time_to_regain_access,
        )


@strawberry.type(description="A documented per-Instagram-user daily limit, counted locally.")
class DailyBudget:
    ig_user_id: strawberry.ID
    limit: int
    used: int
    remaining: int
    resets_in_seconds: int | None = strawberry.field(
        description="Seconds until the oldest counted call leaves the 24-hour window."
    )

    @classmethod
    def of(cls, use: BudgetUse) -> "DailyBudget":
        """The GraphQL view of a budget's use."""
        return cls(
            ig_user_id=strawberry.ID(use.ig_user_id),
            limit=use.limit,
            used=use.used,
            remaining=use.remaining,
            resets_in_seconds=round(use.resets_in) if use.resets_in is not None else None,
        )


@strawberry.type(description="Upstream usage seen for this token, in percent, and daily budgets.")
class RateLimit:
    app_call_count: int | None
    app_total_time: int | None
    app_total_cputime: int | None
    business_use_case: list[BusinessUseCaseUsage]
    invites_read: DailyBudget | None = strawberry.field(
        description="The invite-read budget of the Instagram user this token read invites of last."
    )
    invites_write: DailyBudget | None = strawberry.field(
        description="The invite-answer budget of the same Instagram user."
    )

    @classmethod
    def of(cls, view: RateLimitView) -> "RateLimit":
        """The GraphQL view of a token's usage report and budgets."""
        report, reads, writes = view.report, view.invites_read, view.invites_write
        return cls(
            app_call_count=report.app_call_count if report else None,
            app_total_time=report.app_total_time if report else None,
            app_total_cputime=report.app_total_cputime if report else None,
            business_use_case=[
                BusinessUseCaseUsage.of(entry)
                for entry in (report.business_use_cases if report else ())
            ],
            invites_read=DailyBudget.of(reads) if reads else None,
            invites_write=DailyBudget.of(writes) if writes else None,
        )
