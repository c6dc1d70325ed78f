"""`/healthz` (the process is up) and `/readyz` (every readiness check passes).

Readiness checks live in `app.state.readiness`, a dict of name to an async callable
that returns None when ready and a reason when not: the upstream probe is one, without
which no request can be answered. What the server can answer without, only slower or
less shared (Redis), checks in `app.state.degradable`: failing, it leaves the server
ready, `degraded`, and named, so that a load balancer never pulls every instance at
once over a dependency they all share.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse

from partnergraph.graph.client import edge_of
from partnergraph.telemetry import UNOBSERVED, Observer, UpstreamCall

__all__ = ["ReadinessCheck", "UpstreamProbe", "healthz", "readyz"]

ReadinessCheck = Callable[[], Awaitable[str | None]]
"""Answers None when ready, or why not."""


class UpstreamProbe:
    """Whether the Graph API answers a request with no token, remembered for `fresh_for` s.

    `url` is the version's root; each probe is reported to `observer` as an upstream call.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        url: str,
        *,
        observer: Observer = UNOBSERVED,
        clock: Callable[[], float] = time.monotonic,
        fresh_for: float = 5.0,
        timeout: float = 2.0,
    ) -> None:
        self._http = http
        self._url = url
        self._observer = observer
        self._clock = clock
        self._fresh_for = fresh_for
        self._timeout = timeout
        self._lock = asyncio.Lock()
        self._checked_at: float | None = None
        self._reason: str | None = None

    async def __call__(self) -> str | None:
        """None while the upstream answers, else why it is not ready."""
        async with self._lock:  # concurrent readiness checks share one probe
            if self._checked_at is None or self._clock() - self._checked_at >= self._fresh_for:
                self._reason = await self._probe()
                self._checked_at = self._clock()
            return self._reason

    async def _probe(self) -> str | None:
        began, status = time.perf_counter(), "unreachable"
        try:
            response = await self._http.get(self._url, timeout=self._timeout)
            status = str(response.status_code)
        except asyncio.CancelledError:
            status = "cancelled"
            raise
        except httpx.TimeoutException:
            status = "timeout"
            return f"the Graph API did not answer within {self._timeout:g} s"
        except httpx.HTTPError as error:
            return f"the Graph API could not be reached ({type(error).__name__})"
        finally:
            seconds = time.perf_counter() - began
            self._observer.upstream_call(UpstreamCall(edge_of("/"), "GET", status, seconds, 1))
        if response.status_code >= 500:
            return f"the Graph API answered HTTP {response.status_code}"
        return None


async def healthz(request: Request) -> JSONResponse:
    """`GET /healthz`: the process is up."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """`GET /readyz`: 200 when every readiness check passes (`degraded`, naming them, when
    only degradable ones fail), else 503 with the reasons."""
    required: dict[str, ReadinessCheck] = request.app.state.readiness
    degradable: dict[str, ReadinessCheck] = request.app.state.degradable
    checks = {**degradable, **required}
    reasons = await asyncio.gather(*(check() for check in checks.values()))
    found = {name: reason for name, reason in zip(checks, reasons, strict=True) if reason}
    failing = {name: reason for name, reason in found.items() if name in required}
    degraded = {name: reason for name, reason in found.items() if name not in required}
    more = {"degraded": degraded} if degraded else {}
    if failing:
        body = {"status": "unavailable", "failing": failing, **more}
        return JSONResponse(body, status_code=503)
    status = "degraded" if degraded else "ready"
    return JSONResponse({"status": status, "checks": sorted(checks), **more})
