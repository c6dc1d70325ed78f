"""The Graph client on wire cases the emulator cannot produce: usage at the limit, the wire,
batch entries the Graph API did not run, connections that fail before or after sending,
retries timed by an injected sleep and reported to an observer."""

import hashlib
import hmac
import json
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from partnergraph.errors import PartnergraphError, RateLimited, UpstreamUnavailable
from partnergraph.graph.client import (
    MAX_PACE,
    BatchRead,
    BatchWrite,
    Credentials,
    GraphClient,
    RetryPolicy,
    pace,
)
from partnergraph.graph.usage import UsageLedger
from partnergraph.state.store import MemoryStore
from partnergraph.telemetry import UpstreamCall

CREDENTIALS = Credentials(token="EAAtoken", scope="scope-1")


class Recorded:
    """An observer and a sleep that remember what they were told, instead of waiting."""

    def __init__(self) -> None:
        self.calls: list[UpstreamCall] = []
        self.entries: list[tuple[str, str, str]] = []
        self.waits: list[float] = []

    def upstream_call(self, call: UpstreamCall) -> None:
        self.calls.append(call)

    def batch_entry(self, edge: str, method: str, status: str) -> None:
        self.entries.append((edge, method, status))

    def cache_lookup(self, cache: str, hit: bool) -> None:
        raise AssertionError("the client looks nothing up")

    def flight_joined(self, cache: str) -> None:
        raise AssertionError("the client joins no flight")

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)


def _client(
    handler: httpx.MockTransport,
    secret: str | None = None,
    recorded: Recorded | None = None,
    policy: RetryPolicy | None = None,
) -> GraphClient:
    recorded = recorded or Recorded()
    return GraphClient(
        httpx.AsyncClient(transport=handler),
        graph_url="https://graph.example",
        version="v23.0",
        app_secret=secret,
        ledger=UsageLedger(MemoryStore(100)),
        retry=policy or RetryPolicy(sleep=recorded.sleep),
        observer=recorded,
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
    recorded = Recorded()
    client = _client(httpx.MockTransport(lambda request: answer), recorded=recorded)
    await client.get(CREDENTIALS, "1784/branded_content_ad_permissions", {})
    assert recorded.waits == []  # no usage seen yet
    await client.get(CREDENTIALS, "1784/branded_content_ad_permissions", {})
    assert recorded.waits == [pace(95)]


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


LOST = "read the data again"
PATH = "1784/branded_content_ad_permissions"


def _entry(status: int, body: dict[str, Any]) -> dict[str, Any]:
    return {"code": status, "headers": [], "body": json.dumps(body)}


def _batch_of(request: httpx.Request) -> list[dict[str, str]]:
    entries: list[dict[str, str]] = json.loads(parse_qs(request.content.decode())["batch"][0])
    return entries


UNAVAILABLE = {"error": {"message": "Service temporarily unavailable", "code": 2}}


async def test_a_batch_sends_again_only_entries_not_run_and_reads_that_failed() -> None:
    sent: list[list[dict[str, str]]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        entries = _batch_of(request)
        sent.append(entries)
        if len(sent) == 1:  # ran the first, not the second, failed the third and fourth
            return httpx.Response(
                200,
                json=[
                    _entry(200, {"id": "1"}),
                    None,
                    _entry(500, UNAVAILABLE),
                    _entry(500, UNAVAILABLE),
                ],
            )
        return httpx.Response(200, json=[_entry(200, {"id": "again"}) for _ in entries])

    client = _client(httpx.MockTransport(answer))
    calls: list[BatchRead | BatchWrite] = [
        BatchWrite(PATH, {"creator_instagram_account": "1"}),
        BatchWrite(PATH, {"creator_instagram_account": "2"}),
        BatchWrite(PATH, {"creator_instagram_account": "3"}),
        BatchRead(PATH, {"limit": "5"}),
    ]
    outcomes = await client.batch(CREDENTIALS, calls)

    assert [[entry["method"] for entry in entries] for entries in sent] == [
        ["POST", "POST", "POST", "GET"],
        ["POST", "GET"],
    ]
    assert sent[1][0]["body"] == "creator_instagram_account=2"
    assert sent[1][1]["relative_url"] == f"v23.0/{PATH}?limit=5"
    first, second, third, fourth = outcomes
    assert first == {"id": "1"}
    assert second == fourth == {"id": "again"}
    assert isinstance(third, UpstreamUnavailable)
    assert LOST in third.message
    assert third.graph is not None
    assert third.graph.code == 2


async def test_a_dependent_entry_goes_again_only_with_the_entry_it_depends_on() -> None:
    sent: list[list[dict[str, Any]]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        entries = _batch_of(request)
        sent.append(entries)
        if len(sent) == 1:  # the first write ran, its read failed; the second write did not run
            return httpx.Response(
                200, json=[_entry(200, {"id": "1"}), _entry(500, UNAVAILABLE), None, None]
            )
        return httpx.Response(200, json=[_entry(200, {"id": "2"}), _entry(200, {"id": "2"})])

    client = _client(httpx.MockTransport(answer))
    reference = "{result=w1:$.id}"
    calls: list[BatchRead | BatchWrite] = [
        BatchWrite(PATH, {"creator_instagram_account": "1"}, name="w0"),
        BatchRead("{result=w0:$.id}", {"fields": "id,status"}, depends_on="w0"),
        BatchWrite(PATH, {"creator_instagram_account": reference}, name="w1"),
        BatchRead(reference, {"fields": "id,status"}, depends_on="w1"),
    ]
    outcomes = await client.batch(CREDENTIALS, calls)

    first = sent[0]
    assert first[0]["name"] == "w0"
    assert first[0]["omit_response_on_success"] is False
    assert first[1]["depends_on"] == "w0"
    assert first[1]["relative_url"] == "v23.0/{result=w0:$.id}?fields=id%2Cstatus"
    assert first[2]["body"] == "creator_instagram_account={result=w1:$.id}"  # not escaped
    assert [entry.get("name") or entry["depends_on"] for entry in sent[1]] == ["w1", "w1"]
    assert outcomes[0] == {"id": "1"}
    assert isinstance(outcomes[1], UpstreamUnavailable)  # its write ran: not sent again
    assert outcomes[2] == outcomes[3] == {"id": "2"}


async def test_a_batch_of_writes_that_never_left_is_sent_again() -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        if len(sent) == 1:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(200, json=[_entry(200, {"id": "1"})])

    client = _client(httpx.MockTransport(answer))
    outcomes = await client.batch(
        CREDENTIALS, [BatchWrite(PATH, {"creator_instagram_account": "1"})]
    )
    assert outcomes == [{"id": "1"}]
    assert len(sent) == 2


async def test_a_batch_of_writes_whose_answer_was_lost_is_not_sent_again() -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        raise httpx.ReadTimeout("no answer", request=request)

    client = _client(httpx.MockTransport(answer))
    writes = [BatchWrite(PATH, {"creator_instagram_account": str(n)}) for n in range(3)]
    outcomes = await client.batch(CREDENTIALS, writes)
    assert len(sent) == 1
    for outcome in outcomes:
        assert isinstance(outcome, UpstreamUnavailable)
        assert outcome.message.startswith("The Graph API did not answer in time.")
        assert LOST in outcome.message


async def test_a_write_says_whether_it_may_have_been_made() -> None:
    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    def dropped(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("peer closed connection", request=request)

    with pytest.raises(UpstreamUnavailable) as not_sent:
        await _client(httpx.MockTransport(unreachable)).post(CREDENTIALS, PATH, {})
    assert "nothing was sent" in not_sent.value.message
    assert LOST not in not_sent.value.message
    with pytest.raises(UpstreamUnavailable) as lost:
        await _client(httpx.MockTransport(dropped)).post(CREDENTIALS, PATH, {})
    assert LOST in lost.value.message
    with pytest.raises(UpstreamUnavailable) as read:
        await _client(httpx.MockTransport(dropped)).get(CREDENTIALS, PATH, {})
    assert LOST not in read.value.message


def _transient_failure() -> httpx.Response:
    error = {"message": "Please retry", "type": "OAuthException", "code": 2, "is_transient": True}
    return httpx.Response(500, json={"error": error})


async def test_a_transient_read_failure_is_retried_with_growing_jittered_waits() -> None:
    recorded = Recorded()
    answers = iter([_transient_failure(), _transient_failure(), httpx.Response(200, json={})])
    client = _client(httpx.MockTransport(lambda request: next(answers)), recorded=recorded)
    assert await client.get(CREDENTIALS, "1784/collaboration_invites", {}) == {}
    policy = RetryPolicy()
    assert [call.attempt for call in recorded.calls] == [1, 2, 3]
    assert [call.status for call in recorded.calls] == ["500", "500", "200"]
    assert {(call.edge, call.method) for call in recorded.calls} == {
        ("collaboration_invites", "GET")
    }
    first, second = recorded.waits
    assert 0 <= first <= policy.base_delay
    assert 0 <= second <= 2 * policy.base_delay


async def test_retries_stop_at_the_attempt_limit_and_before_the_deadline() -> None:
    recorded = Recorded()
    client = _client(httpx.MockTransport(lambda request: _transient_failure()), recorded=recorded)
    with pytest.raises(UpstreamUnavailable):
        await client.get(CREDENTIALS, "1784/collaboration_invites", {})
    assert len(recorded.calls) == RetryPolicy().attempts
    assert len(recorded.waits) == RetryPolicy().attempts - 1

    hurried = Recorded()
    client = _client(
        httpx.MockTransport(lambda request: _transient_failure()),
        recorded=hurried,
        policy=RetryPolicy(deadline=0, sleep=hurried.sleep),
    )
    with pytest.raises(UpstreamUnavailable):
        await client.get(CREDENTIALS, "1784/collaboration_invites", {})
    assert (len(hurried.calls), hurried.waits) == (1, [])


async def test_a_refusal_is_not_retried() -> None:
    recorded = Recorded()
    refusal = {"error": {"message": "No", "type": "OAuthException", "code": 10}}
    client = _client(
        httpx.MockTransport(lambda request: httpx.Response(403, json=refusal)), recorded=recorded
    )
    with pytest.raises(PartnergraphError) as refused:
        await client.get(CREDENTIALS, "1784/collaboration_invites", {})
    assert refused.value.code == "FORBIDDEN"
    assert (len(recorded.calls), recorded.waits) == (1, [])


async def test_a_batch_that_keeps_failing_answers_each_entry_with_its_error() -> None:
    recorded = Recorded()
    client = _client(httpx.MockTransport(lambda request: _transient_failure()), recorded=recorded)
    reads = [BatchRead(f"{owner}/collaboration_invites", {}) for owner in "12"]
    outcomes = await client.batch(CREDENTIALS, reads)
    assert all(isinstance(outcome, UpstreamUnavailable) for outcome in outcomes)
    assert len(recorded.calls) == RetryPolicy().attempts


async def test_an_unreachable_upstream_is_reported_without_a_status() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    recorded = Recorded()
    client = _client(httpx.MockTransport(refuse), recorded=recorded)
    with pytest.raises(UpstreamUnavailable):
        await client.post(CREDENTIALS, "1784/collaboration_invites", {"media_id": "9"})
    assert [(call.method, call.status) for call in recorded.calls] == [("POST", "unreachable")]


async def test_a_batch_reports_itself_and_each_entry_as_the_graph_api_counts_them() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        refused = {"error": {"message": "No", "type": "OAuthException", "code": 10}}
        return httpx.Response(200, json=[_entry(200, {"id": "1"}), _entry(403, refused)])

    recorded = Recorded()
    client = _client(httpx.MockTransport(answer), recorded=recorded)
    calls: list[BatchRead | BatchWrite] = [
        BatchWrite(PATH, {"creator_instagram_account": "1"}),
        BatchRead("1784/collaboration_invites", {}),
    ]
    await client.batch(CREDENTIALS, calls)
    assert [(c.edge, c.method, c.status, c.attempt) for c in recorded.calls] == [
        ("batch", "POST", "200", 1)
    ]
    assert recorded.entries == [
        ("branded_content_ad_permissions", "POST", "200"),
        ("collaboration_invites", "GET", "403"),
    ]
