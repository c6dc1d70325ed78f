"""The Graph client on wire cases the emulator cannot produce: usage at the limit, the wire."""

import hashlib
import hmac
import json
import time

import httpx
import pytest

from partnergraph.errors import RateLimited, UpstreamUnavailable
from partnergraph.resolvers.upstream.client import (
    MAX_PACE,
    Credentials,
    GraphClient,
    RetryPolicy,
    pace,
)
from partnergraph.resolvers.upstream.usage import UsageLedger

CREDENTIALS = Credentials(token="EAAtoken", scope="scope-1")


def _client(handler: httpx.MockTransport, secret: str | None = None) -> GraphClient:
    return GraphClient(
        httpx.AsyncClient(transport=handler),
        graph_url="https://graph.example",
        version="v23.0",
        app_secret=secret,
        ledger=UsageLedger(),
        retry=RetryPolicy(base_delay=0.001, max_delay=0.002),
    )


def _usage(percent: int, minutes: int) -> dict[str, str]:
    entry = {
        "type": "instagram",
        "call_count": percent,
        "total_cputime": 1,
        "total_time": 1,
        "estimated_time_to_regain_access": minutes,
    }
    return {
        "X-App-Usage": json.dumps({"call_count": 1, "total_time": 1, "total_cputime": 1}),
        "X-Business-Use-Case-Usage": json.dumps({"1784": [entry]}),
    }


async def test_usage_at_100_percent_refuses_the_next_call_locally() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"data": []}, headers=_usage(100, 7))

    client = _client(httpx.MockTransport(answer))
    await client.get(CREDENTIALS, "1784/branded_content_ad_permissions", {})
    with pytest.raises(RateLimited) as refused:
        await client.get(CREDENTIALS, "1784/branded_content_ad_permissions", {})
    assert refused.value.retry_after == 7 * 60
    assert len(seen) == 1
    other = Credentials(token="EAAother", scope="scope-2")
    await client.get(other, "1784/branded_content_ad_permissions", {})
    assert len(seen) == 2


def test_the_pace_grows_from_90_percent_to_the_limit() -> None:
    assert pace(0) == pace(90) == 0
    assert 0 < pace(91) < pace(95) < pace(99) < MAX_PACE
    assert pace(100) == pace(120) == MAX_PACE


async def test_usage_near_the_limit_spaces_calls_out() -> None:
    answer = httpx.Response(200, json={"data": []}, headers=_usage(95, 1))
    client = _client(httpx.MockTransport(lambda request: answer))
    await client.get(CREDENTIALS, "1784/branded_content_ad_permissions", {})
    began = time.monotonic()
    await client.get(CREDENTIALS, "1784/branded_content_ad_permissions", {})
    clock_slack = 0.01  # a loop may run a timer up to its clock resolution early
    assert time.monotonic() - began >= pace(95) - clock_slack


async def test_token_travels_in_a_header_with_its_appsecret_proof() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"id": "1"})

    client = _client(httpx.MockTransport(answer), secret="s3cret")
    await client.get(CREDENTIALS, "1784/collaboration_invites", {"limit": "5"})
    await client.post(CREDENTIALS, "1784/collaboration_invites", {"media_id": "9"})
    proof = hmac.new(b"s3cret", b"EAAtoken", hashlib.sha256).hexdigest()
    get, post = seen
    assert get.url.params["appsecret_proof"] == proof
    assert f"appsecret_proof={proof}" in post.content.decode()
    for request in seen:
        assert request.headers["authorization"] == "Bearer EAAtoken"
        assert "EAAtoken" not in str(request.url)


async def test_an_unreadable_success_is_unavailable_and_a_write_is_sent_once() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"<html>")

    client = _client(httpx.MockTransport(answer))
    with pytest.raises(UpstreamUnavailable):
        await client.post(CREDENTIALS, "1784/branded_content_ad_permissions", {"revoke": "true"})
    assert len(seen) == 1
    with pytest.raises(UpstreamUnavailable):
        await client.get(CREDENTIALS, "1784/branded_content_ad_permissions", {})
    assert len(seen) == 1 + RetryPolicy().attempts
