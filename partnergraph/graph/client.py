"""The Graph API client: one httpx client, tokens, appsecret_proof, errors, retries, batches."""

import asyncio
import contextlib
import hashlib
import hmac
import json
import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

import httpx
import orjson
from tenacity import (
    AsyncRetrying,
    retry_if_exception,
    stop_after_attempt,
    stop_before_delay,
    wait_random_exponential,
)

from partnergraph.errors import PartnergraphError, RateLimited, UpstreamUnavailable
from partnergraph.graph.errors import detail_from_body, error_for, is_retryable
from partnergraph.graph.usage import UsageLedger, UsageReport, parse_usage
from partnergraph.state.clock import Clock, wall_clock
from partnergraph.telemetry import UNOBSERVED, Observer, UpstreamCall

T = TypeVar("T")

MAX_BATCH = 50
MAX_TOKEN = 2048
"""The longest access token sent on: the Graph API's have a few hundred characters."""
USAGE_FRESH_FOR = 60.0
"""Seconds a usage report is trusted to describe the token's usage now."""
SLOW_DOWN_FROM = 90
"""Usage percentage from which calls are spaced out, up to MAX_PACE seconds at 100%."""
MAX_PACE = 0.25


def pace(peak_percent: int) -> float:
    """Seconds to wait before a call while usage peaks at peak_percent (0 up to 90%)."""
    if peak_percent <= SLOW_DOWN_FROM:
        return 0.0
    return MAX_PACE * min(1.0, (peak_percent - SLOW_DOWN_FROM) / (100 - SLOW_DOWN_FROM))


@dataclass(frozen=True, slots=True)
class Credentials:
    """A caller's Graph access token and the keyed hash that stands for it in keys and ledgers."""

    token: str
    scope: str

    def __repr__(self) -> str:
        return f"Credentials(scope={self.scope!r})"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How transient read failures are retried: attempts, backoff with full jitter, a deadline.

    The wait before retry n is drawn from 0 to min(max_delay, base_delay * 2^(n-1)); no
    retry starts whose wait would end past the deadline.
    """

    attempts: int = 4
    base_delay: float = 0.05
    max_delay: float = 1.0
    deadline: float = 15.0
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    def retrying(self) -> AsyncRetrying:
        """One run of the retry loop: tenacity's attempts under this policy."""
        return AsyncRetrying(
            stop=stop_after_attempt(self.attempts) | stop_before_delay(self.deadline),
            wait=wait_random_exponential(multiplier=self.base_delay, max=self.max_delay),
            retry=retry_if_exception(_transient),
            sleep=self.sleep,
            reraise=True,
        )


def _transient(error: object) -> bool:
    return isinstance(error, PartnergraphError) and is_retryable(error)


@dataclass(frozen=True, slots=True)
class BatchRead:
    """One GET of a batch: a path below the version and its query parameters.

    `name` lets later entries use its answer; `depends_on` names the earlier entry it runs
    after, whose answer its path may quote as `{result=NAME:$.path}`.
    """

    path: str
    params: Mapping[str, str]
    name: str | None = None
    depends_on: str | None = None


@dataclass(frozen=True, slots=True)
class BatchWrite:
    """One POST of a batch: a path below the version and its form; sent again only if not run.

    `name` and `depends_on` as for BatchRead; a form value may be a `{result=NAME:$.path}`.
    """

    path: str
    data: Mapping[str, str]
    name: str | None = None
    depends_on: str | None = None


BatchCall = BatchRead | BatchWrite
BatchOutcome = dict[str, Any] | PartnergraphError


@dataclass(frozen=True, slots=True)
class _NotRun:
    """A batch entry the Graph API certainly did not run, and the error if it stays so."""

    error: UpstreamUnavailable


_UNSENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
"""Transport failures before a request left: it certainly did not reach the Graph API."""
_NOT_SENT = "The Graph API could not be reached; nothing was sent."
_CONNECTION_FAILED = (httpx.HTTPError, OSError)
"""How a call fails on the way: httpx's errors over a network; an in-process upstream (the
demo's emulator behind httpx.ASGITransport) raises the OSError a socket would have reported."""
_ANSWER_LOST = (
    "The change may or may not have been made: read the data again to see, before you "
    "retry the change."
)


class GraphClient:
    """Calls the Graph API for one app; reads are retried, writes are sent once."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        graph_url: str,
        version: str,
        app_secret: str | None,
        ledger: UsageLedger,
        retry: RetryPolicy | None = None,
        observer: Observer = UNOBSERVED,
        clock: Clock = wall_clock,
    ) -> None:
        self._http = http
        self._base = f"{graph_url.rstrip('/')}/{version}"
        self._version = version
        self._app_secret = app_secret.encode() if app_secret else None
        self._ledger = ledger
        self._retry = retry or RetryPolicy()
        self._observer = observer
        self._clock = clock

    async def get(
        self, credentials: Credentials, path: str, params: Mapping[str, str]
    ) -> dict[str, Any]:
        """GET a Graph path, retrying transient failures within the deadline."""
        return await self._retrying(
            lambda attempt: self._send(credentials, "GET", path, params, attempt)
        )

    async def post(
        self, credentials: Credentials, path: str, data: Mapping[str, str]
    ) -> dict[str, Any]:
        """POST to a Graph path once: a write is never sent twice.

        A write whose answer was lost (a timeout, a dropped connection, a 5xx, an unreadable
        body, an error the Graph API does not document) is UpstreamUnavailable with a hint
        to read the data again.
        """
        return await self._send(credentials, "POST", path, data)

    async def batch(
        self, credentials: Credentials, calls: Sequence[BatchCall]
    ) -> list[BatchOutcome]:
        """Send up to 50 calls as one Graph batch; each entry answers or fails on its own.

        Reads failing transiently are sent again; writes only when they certainly did not
        run (the batch never left, or the Graph API answered the entry with null), and
        those still failing are reported like a lost write. An entry that depends on another
        goes again only with it. A named entry's own answer comes back too
        (`omit_response_on_success: false`).
        """
        if not 0 < len(calls) <= MAX_BATCH:
            raise ValueError(f"a batch holds 1 to {MAX_BATCH} calls, not {len(calls)}")
        outcomes: list[BatchOutcome | _NotRun] = [_NotRun(UpstreamUnavailable(_NOT_SENT))] * len(
            calls
        )
        pending = list(range(len(calls)))

        async def send_pending(attempt: int) -> None:
            nonlocal pending
            try:
                answers = await self._send_batch(credentials, [calls[i] for i in pending], attempt)
            except PartnergraphError as error:
                answers = [error] * len(pending)
            for index, answer in zip(pending, answers, strict=True):
                outcomes[index] = answer
            pending = _resending(calls, pending, outcomes)
            if pending:
                raise UpstreamUnavailable(f"{len(pending)} entries of the batch go out again.")

        with contextlib.suppress(UpstreamUnavailable):
            await self._retrying(send_pending)
        return [_final(call, outcome) for call, outcome in zip(calls, outcomes, strict=True)]

    async def _retrying(self, call: Callable[[int], Awaitable[T]]) -> T:
        """call(attempt) until it succeeds or the retry policy gives up (its last error)."""
        async for attempt in self._retry.retrying():
            with attempt:
                outcome = await call(attempt.retry_state.attempt_number)
        return outcome

    async def _respect_usage(self, credentials: Credentials) -> None:
        """Refuse a call the Graph API would refuse; space calls out as usage nears 100%."""
        report = await self._ledger.latest(credentials.scope)
        if report is None or self._clock() - report.received_at > USAGE_FRESH_FOR:
            return
        peak = report.peak_percent
        if peak >= 100:
            raise RateLimited(
                f"The Graph API reports this token's usage at {peak}%; try again later.",
                retry_after=report.retry_after or USAGE_FRESH_FOR,
            )
        delay = pace(peak)
        if delay:
            await self._retry.sleep(delay)  # the one way this client waits, injectable

    async def _send(
        self,
        credentials: Credentials,
        method: str,
        path: str,
        params: Mapping[str, str],
        attempt: int = 1,
    ) -> dict[str, Any]:
        await self._respect_usage(credentials)
        values = {**params, **self._proof(credentials)}
        url = f"{self._base}/{path.lstrip('/')}"
        headers = {"Authorization": f"Bearer {credentials.token}"}
        query, form = (values, None) if method == "GET" else (None, values)
        try:
            response = await self._request(
                edge_of(path),
                method,
                attempt,
                lambda: self._http.request(method, url, params=query, data=form, headers=headers),
            )
        except _UNSENT:
            raise UpstreamUnavailable(_NOT_SENT) from None
        except _CONNECTION_FAILED as failure:
            lost = UpstreamUnavailable(_transport_message(failure))
        else:
            try:
                return await self._read(
                    credentials,
                    (method, path),
                    response.status_code,
                    response.headers,
                    response.content,
                )
            except UpstreamUnavailable as unreadable:
                lost = unreadable
        raise lost if method == "GET" else _answer_lost(lost)

    async def _request(
        self,
        edge: str,
        method: str,
        attempt: int,
        send: Callable[[], Awaitable[httpx.Response]],
    ) -> httpx.Response:
        """Send one HTTP request and report it to the observer, however it ends."""
        began = time.perf_counter()
        status = "unreachable"
        try:
            response = await send()
        except asyncio.CancelledError:
            status = "cancelled"
            raise
        except _UNSENT:
            raise
        except httpx.TimeoutException:
            status = "timeout"
            raise
        else:
            status = str(response.status_code)
            return response
        finally:
            seconds = time.perf_counter() - began
            self._observer.upstream_call(UpstreamCall(edge, method, status, seconds, attempt))

    async def _send_batch(
        self, credentials: Credentials, calls: Sequence[BatchCall], attempt: int
    ) -> list[BatchOutcome | _NotRun]:
        entries = [self._batch_call(call) for call in calls]
        form = {
            "batch": json.dumps(entries),
            "access_token": credentials.token,
            **self._proof(credentials),
        }
        await self._respect_usage(credentials)
        try:
            response = await self._request(
                "batch", "POST", attempt, lambda: self._http.post(f"{self._base}/", data=form)
            )
        except _UNSENT:
            return [_NotRun(UpstreamUnavailable(_NOT_SENT))] * len(calls)
        except _CONNECTION_FAILED as failure:
            raise UpstreamUnavailable(_transport_message(failure)) from None
        body = self._read_json(response.status_code, response.content)
        if isinstance(body, dict):
            raise self._error(("POST", ""), body, response.status_code, response.headers)
        if not isinstance(body, list) or len(body) != len(calls):
            raise UpstreamUnavailable("The Graph API answered the batch with something unreadable.")
        return [
            await self._batch_entry(credentials, call, entry)
            for call, entry in zip(calls, body, strict=True)
        ]

    def _batch_call(self, call: BatchCall) -> dict[str, object]:
        relative_url = f"{self._version}/{call.path.lstrip('/')}"
        entry: dict[str, object]
        if isinstance(call, BatchWrite):
            entry = {"method": "POST", "relative_url": relative_url, "body": _form(call.data)}
        else:
            query = f"?{urlencode(dict(call.params))}" if call.params else ""
            entry = {"method": "GET", "relative_url": relative_url + query}
        if call.name is not None:
            entry |= {"name": call.name, "omit_response_on_success": False}
        if call.depends_on is not None:
            entry["depends_on"] = call.depends_on
        return entry

    async def _batch_entry(
        self, credentials: Credentials, call: BatchCall, entry: object
    ) -> BatchOutcome | _NotRun:
        if entry is None:
            return _NotRun(UpstreamUnavailable("The Graph API did not run this part of the batch."))
        if not isinstance(entry, dict) or not isinstance(entry.get("code"), int):
            return UpstreamUnavailable("The Graph API did not answer this part of the batch.")
        method = "POST" if isinstance(call, BatchWrite) else "GET"
        self._observer.batch_entry(edge_of(call.path), method, str(entry["code"]))
        headers = {
            str(h.get("name", "")).lower(): str(h.get("value", ""))
            for h in entry.get("headers") or []
            if isinstance(h, dict)
        }
        body = entry.get("body")
        content = body.encode() if isinstance(body, str) else b""
        try:
            return await self._read(
                credentials, (method, call.path), entry["code"], headers, content
            )
        except PartnergraphError as error:
            return error

    async def _read(
        self,
        credentials: Credentials,
        call: tuple[str, str],
        status: int,
        headers: Mapping[str, str],
        content: bytes,
    ) -> dict[str, Any]:
        usage = parse_usage(headers, self._clock())
        if usage is not None:
            await self._ledger.record(credentials.scope, usage)
        body = self._read_json(status, content)
        if not isinstance(body, dict):
            raise UpstreamUnavailable("The Graph API answered with something unreadable.")
        if "error" in body or status >= 400:
            raise self._error(call, body, status, headers, usage)
        return body

    def _error(
        self,
        call: tuple[str, str],
        body: dict[str, Any],
        status: int,
        headers: Mapping[str, str],
        usage: UsageReport | None = None,
    ) -> PartnergraphError:
        """The error of a call (its method and path) the Graph API answered with body."""
        detail = detail_from_body(body, status)
        if detail is None:
            return UpstreamUnavailable(f"The Graph API failed with HTTP {status}.")
        usage = usage or parse_usage(headers, self._clock())
        method, path = call
        return error_for(detail, usage.retry_after if usage else None, method=method, path=path)

    @staticmethod
    def _read_json(status: int, content: bytes) -> object:
        try:
            # orjson: half json's time on a page (3 vs 7 us for 10 items, 31 vs 56 for 100),
            # and nesting past 1,024 levels or a lone surrogate is refused, not passed on.
            return orjson.loads(content)
        except orjson.JSONDecodeError:
            raise UpstreamUnavailable(
                f"The Graph API answered HTTP {status} with a body that is not JSON."
            ) from None

    def _proof(self, credentials: Credentials) -> dict[str, str]:
        if self._app_secret is None:
            return {}
        proof = hmac.new(self._app_secret, credentials.token.encode(), hashlib.sha256)
        return {"appsecret_proof": proof.hexdigest()}


def _resending(
    calls: Sequence[BatchCall], sent: Sequence[int], outcomes: Sequence[BatchOutcome | _NotRun]
) -> list[int]:
    """The entries of those sent that go out again: an entry depending on another only with it."""
    again: list[int] = []
    names: set[str] = set()
    for index in sent:
        call = calls[index]
        if call.depends_on is not None:
            worth = call.depends_on in names
        else:
            worth = _worth_resending(call, outcomes[index])
        if worth:
            again.append(index)
            if call.name is not None:
                names.add(call.name)
    return again


_REFERENCE = re.compile(r"\{result=[A-Za-z0-9_-]+:\$[A-Za-z0-9_.*\[\]]*\}")
"""A batch entry's reference to an earlier entry's answer, which goes into a form unescaped."""


def _form(data: Mapping[str, str]) -> str:
    """A batch entry's URL-encoded body, its references to other entries left as they are."""
    return "&".join(
        f"{quote(name, safe='')}={value if _REFERENCE.fullmatch(value) else quote(value, safe='')}"
        for name, value in data.items()
    )


def _worth_resending(call: BatchCall, outcome: BatchOutcome | _NotRun) -> bool:
    """Whether a batch entry goes out again: not run yet, or a read that failed transiently."""
    if isinstance(outcome, _NotRun):
        return True
    return (
        isinstance(call, BatchRead)
        and isinstance(outcome, PartnergraphError)
        and (is_retryable(outcome))
    )


def _final(call: BatchCall, outcome: BatchOutcome | _NotRun) -> BatchOutcome:
    """What a batch entry's caller gets once the retries are over."""
    if isinstance(outcome, _NotRun):
        return outcome.error
    if isinstance(call, BatchWrite) and isinstance(outcome, UpstreamUnavailable):
        return _answer_lost(outcome)
    return outcome


def edge_of(path: str) -> str:
    """The Graph edge a path below the version names, as the Graph API's own counts do:
    `me` for the token's user, `node` for another object itself, `root` for none."""
    parts = [part for part in path.strip("/").split("/") if part]
    if len(parts) > 1:
        return parts[1]
    if not parts:
        return "root"
    return "me" if parts[0] == "me" else "node"


def _transport_message(failure: httpx.HTTPError | OSError) -> str:
    if isinstance(failure, httpx.TimeoutException):
        return "The Graph API did not answer in time."
    return "The Graph API connection failed."


def _answer_lost(error: UpstreamUnavailable) -> UpstreamUnavailable:
    """The error of a write that may have been made, hinting to read before retrying."""
    return UpstreamUnavailable(f"{error.message} {_ANSWER_LOST}", graph=error.graph)
