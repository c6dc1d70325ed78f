"""Reads the Graph API's usage headers and keeps the latest report per token."""

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from partnergraph.state.codec import JSON
from partnergraph.state.store import Store

KEEP_FOR = 3600.0
"""Seconds the latest report of a token is kept for `rateLimit`."""


@dataclass(frozen=True, slots=True)
class BusinessUseCaseUsage:
    """One entry of X-Business-Use-Case-Usage: percentages, and minutes until access returns."""

    business_id: str
    type: str
    call_count: int
    total_cputime: int
    total_time: int
    estimated_time_to_regain_access: int


@dataclass(frozen=True, slots=True)
class UsageReport:
    """The usage the Graph API reported with one answer."""

    app_call_count: int | None
    app_total_time: int | None
    app_total_cputime: int | None
    business_use_cases: tuple[BusinessUseCaseUsage, ...]
    received_at: float

    @property
    def retry_after(self) -> float | None:
        """Seconds until every business use case has access again, if one is throttled."""
        minutes = max(
            (b.estimated_time_to_regain_access for b in self.business_use_cases), default=0
        )
        return minutes * 60.0 if minutes > 0 else None

    @property
    def peak_percent(self) -> int:
        """The highest usage percentage in the report."""
        values = [self.app_call_count or 0, self.app_total_time or 0, self.app_total_cputime or 0]
        for usage in self.business_use_cases:
            values += [usage.call_count, usage.total_time, usage.total_cputime]
        return max(values)


def parse_usage(headers: Mapping[str, str], received_at: float) -> UsageReport | None:
    """The usage report in a Graph answer's headers, or None when it has none readable."""
    app = _json_object(headers.get("x-app-usage"))
    business = _json_object(headers.get("x-business-use-case-usage"))
    if app is None and business is None:
        return None
    app = app or {}
    use_cases = []
    for business_id, entries in (business or {}).items():
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict):
                use_cases.append(
                    BusinessUseCaseUsage(
                        business_id=str(business_id),
                        type=str(entry.get("type", "")),
                        call_count=_percent(entry.get("call_count")) or 0,
                        total_cputime=_percent(entry.get("total_cputime")) or 0,
                        total_time=_percent(entry.get("total_time")) or 0,
                        estimated_time_to_regain_access=(
                            _percent(entry.get("estimated_time_to_regain_access")) or 0
                        ),
                    )
                )
    return UsageReport(
        app_call_count=_percent(app.get("call_count")),
        app_total_time=_percent(app.get("total_time")),
        app_total_cputime=_percent(app.get("total_cputime")),
        business_use_cases=tuple(use_cases),
        received_at=received_at,
    )


class UsageLedger:
    """The latest usage report seen for each token scope, in a (possibly shared) store."""

    def __init__(self, store: Store[JSON]) -> None:
        self._store = store

    async def record(self, scope: str, report: UsageReport) -> None:
        """Keep report as the latest for scope."""
        await self._store.set(scope, asdict(report), KEEP_FOR)

    async def latest(self, scope: str) -> UsageReport | None:
        """The latest report for scope, if any answer carried one."""
        raw = await self._store.get(scope)
        if not isinstance(raw, dict):
            return None
        try:
            cases = tuple(BusinessUseCaseUsage(**case) for case in raw["business_use_cases"])
            return UsageReport(**{**raw, "business_use_cases": cases})
        except (KeyError, TypeError):
            return None  # written by an incompatible version


def _json_object(raw: str | None) -> dict[str, Any] | None:
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _percent(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value)
    return None
