"""Injected faults: latency, error statuses and codes, HTML or truncated bodies, resets."""

import itertools
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from partnergraph.emulator.errors import AdminError

BODIES = ("html", "truncated", "reset")


@dataclass(slots=True)
class Fault:
    """One injected fault and the Graph requests it matches."""

    id: str
    latency_ms: int
    status: int | None
    error_code: int | None
    body: str | None
    rate: float | None
    remaining: int | None
    edge: str | None
    method: str | None

    @property
    def decides_outcome(self) -> bool:
        """Whether the fault replaces the answer, not only delays it."""
        return self.status is not None or self.error_code is not None or self.body is not None

    def matches(self, edge: str, method: str) -> bool:
        """Whether a request on that edge with that method is a target."""
        return self.edge in (None, edge) and self.method in (None, method)


@dataclass(frozen=True, slots=True)
class Effect:
    """What the faults drawn for one request do: total latency, and the outcome if any."""

    latency_ms: int
    outcome: Fault | None


class Faults:
    """The stack of active faults; `rate` is drawn from a seeded generator."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)
        self._rng = random.Random(7)  # noqa: S311 - a reproducible draw, not a secret

    def add(self, spec: Mapping[str, Any]) -> Fault:
        """Stack a fault from its admin JSON description."""
        fault = Fault(
            id=f"fault-{next(self._ids)}",
            latency_ms=_integer(spec, "latencyMs", 0, 600_000) or 0,
            status=_integer(spec, "status", 100, 599),
            error_code=_integer(spec, "errorCode", 1, 10**7),
            body=_choice(spec, "body"),
            rate=_rate(spec),
            remaining=_integer(spec, "count", 1, 10**9),
            edge=_text(spec, "edge"),
            method=(_text(spec, "method") or "").upper() or None,
        )
        if not fault.latency_ms and not fault.decides_outcome:
            raise AdminError("a fault needs latencyMs, status, errorCode or body", 400)
        self._faults.append(fault)
        return fault

    def clear(self) -> None:
        """Remove every fault."""
        self._faults.clear()

    def draw(self, edge: str, method: str) -> Effect:
        """The combined effect of the faults hitting this request, spending their counts."""
        latency, outcome = 0, None
        for fault in list(self._faults):
            if not fault.matches(edge, method):
                continue
            if fault.rate is not None and self._rng.random() >= fault.rate:
                continue
            if fault.remaining is not None:
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
            latency += fault.latency_ms
            if outcome is None and fault.decides_outcome:
                outcome = fault
        return Effect(latency, outcome)


def _integer(spec: Mapping[str, Any], name: str, low: int, high: int) -> int | None:
    value = spec.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise AdminError(f"{name} must be an integer from {low} to {high}", 400)
    return value


def _rate(spec: Mapping[str, Any]) -> float | None:
    value = spec.get("rate")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise AdminError("rate must be a number from 0 to 1", 400)
    return float(value)


def _choice(spec: Mapping[str, Any], name: str) -> str | None:
    value = spec.get(name)
    if value is not None and value not in BODIES:
        raise AdminError(f"{name} must be one of {', '.join(BODIES)}", 400)
    return value if value is None else str(value)


def _text(spec: Mapping[str, Any], name: str) -> str | None:
    value = spec.get(name)
    if value is not None and not isinstance(value, str):
        raise AdminError(f"{name} must be a string", 400)
    return value
