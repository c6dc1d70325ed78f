"""`/metrics` of a running server after a known set of requests: equal to what happened, and
its upstream counts equal to the emulator's own."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from prometheus_client.parser import text_string_to_metric_families

from partnergraph.server.app import create_app
from partnergraph.server.metrics import ANONYMOUS, OTHER, OperationLabels
from partnergraph.server.settings import Settings
from tests.demo import Demo
from tests.servers import running

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]
PAGE = "permissions(first: 4) { edges { node { graphId } } }"


def _samples(text: str) -> Samples:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def _sum(samples: Samples, name: str, **labels: str) -> float:
    """The sum of a metric over every label not given."""
    return sum(
        value
        for (sample, sample_labels), value in samples.items()
        if sample == name and labels.items() <= dict(sample_labels).items()
    )


@pytest.fixture(scope="module")
def server_url(emulator_url: str) -> Iterator[str]:
    """A fresh `partnergraph serve` on the session emulator: its counters start at zero."""
    with running("serve", env={"PARTNERGRAPH_GRAPH_URL": emulator_url}) as url:
        yield url


@pytest.fixture
async def client(server_url: str, demo: Demo) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the server with the agency's token."""
    headers = {"Authorization": f"Bearer {demo.agency}"}
    async with httpx.AsyncClient(base_url=server_url, headers=headers, timeout=30) as client:
        yield client


async def _run(client: httpx.AsyncClient, document: str, **variables: Any) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": document, "variables": variables})
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


async def test_metrics_count_what_happened_and_what_the_upstream_counted(
    client: httpx.AsyncClient, emulator: httpx.AsyncClient, demo: Demo
) -> None:
    agency = next(t for t in demo.state["tokens"] if t["token"] == demo.agency)
    brands = [b for b in agency["brandIds"] if b != demo.big_brand][:3]
    one = f"query One($id: ID!) {{ brand(igId: $id) {{ {PAGE} }} }}"
    three = (
        "query Three($a: ID!, $b: ID!, $c: ID!) { "
        + " ".join(f"{alias}: brand(igId: ${alias}) {{ {PAGE} }}" for alias in "abc")
        + " }"
    )
    assert "errors" not in await _run(client, one, id=demo.big_brand)
    assert "errors" not in await _run(client, one, id=demo.big_brand)  # the answer cache
    assert "errors" not in await _run(client, three, a=brands[0], b=brands[1], c=brands[2])
    assert (await _run(client, "query Broken { nope }"))["errors"]
    # Five documents over one slow page: one upstream call, four single-flight joins.
    fault = {"latencyMs": 1000, "count": 1, "edge": "branded_content_ad_permissions"}
    (await emulator.post("/admin/faults", json=fault)).raise_for_status()
    slow = "permissions(first: 9) { edges { node { graphId } } }"
    answers = await asyncio.gather(
        *(
            _run(client, f"query Joined{i}($id: ID!) {{ brand(igId: $id) {{ {slow} }} }}", id=b)
            for i, b in enumerate([brands[0]] * 5)
        )
    )
    assert all("errors" not in answer for answer in answers)
    assert "errors" not in await _run(client, "query Me { viewer { userId } }")  # GET /me
    assert (await client.get("/readyz")).status_code == 200  # its probe: GET of the root

    samples = _samples((await client.get("/metrics")).text)
    stats = (await emulator.get("/admin/stats")).json()

    requests = "partnergraph_requests_total"
    assert _value(samples, requests, operation="One", outcome="ok") == 2
    assert _value(samples, requests, operation="Three", outcome="ok") == 1
    assert _value(samples, requests, operation="Broken", outcome="BAD_USER_INPUT") == 1
    assert _sum(samples, requests, outcome="ok") == 9
    assert _value(samples, "partnergraph_request_duration_seconds_count") == 10
    lookups = "partnergraph_cache_lookups_total"
    assert _value(samples, lookups, cache="answers", result="hit") == 1
    assert _value(samples, lookups, cache="answers", result="miss") == 9
    assert _value(samples, "partnergraph_single_flight_joins_total", cache="pages") == 4

    calls = "partnergraph_upstream_calls_total"
    for edge, methods in stats["byEdge"].items():
        for method, count in methods.items():
            assert _sum(samples, calls, edge=edge, method=method) == count, (edge, method)
    permissions = "branded_content_ad_permissions"
    assert _value(samples, calls, edge="batch", method="POST", status="200") == 1
    assert _value(samples, calls, edge=permissions, method="GET", status="200") == 5
    assert _value(samples, calls, edge="me", method="GET", status="200") == 1
    assert _sum(samples, calls, edge="root", method="GET") == 1  # answered, with no token
    latency = "partnergraph_upstream_call_duration_seconds_count"
    assert _value(samples, latency, edge=permissions, method="GET") == 2
    assert _value(samples, latency, edge="batch", method="POST") == 1
    assert _sum(samples, latency) == stats["total"]  # one each HTTP request, batches as one


async def test_each_app_has_its_own_registry(emulator_url: str, demo: Demo) -> None:
    settings = Settings(graph_url=emulator_url)
    async with (
        LifespanManager(create_app(settings)) as first,
        LifespanManager(create_app(settings)) as second,
    ):
        for manager, reads in ((first, 2), (second, 1)):
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
                for _ in range(reads):
                    await client.post("/graphql", json={"query": "query Typename { __typename }"})
        counts = []
        for manager in (first, second):
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
                samples = _samples((await client.get("/metrics")).text)
            counts.append(
                _value(samples, "partnergraph_requests_total", operation="Typename", outcome="ok")
            )
        assert counts == [2, 1]


def test_operation_labels_are_bounded() -> None:
    labels = OperationLabels(limit=2)
    assert [labels.label(name) for name in ("A", "B", "C", "A", None, "not a name")] == [
        "A",
        "B",
        OTHER,
        "A",
        ANONYMOUS,
        OTHER,
    ]
    assert labels.label("D" * 65) == OTHER


async def test_graphiql_pages_are_not_requests_and_the_process_is_described(
    emulator_url: str,
) -> None:
    with running("serve", env={"PARTNERGRAPH_GRAPH_URL": emulator_url}) as url:
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            for _ in range(2):
                page = await client.get("/graphql", headers={"Accept": "text/html"})
                assert "graphiql" in page.text.lower()
            await client.post("/graphql", json={"query": "query Typename { __typename }"})
            samples = _samples((await client.get("/metrics")).text)
    assert _sum(samples, "partnergraph_requests_total") == 1
    assert _value(samples, "partnergraph_request_duration_seconds_count") == 1
    for name in ("process_resident_memory_bytes", "process_open_fds", "process_cpu_seconds_total"):
        assert _value(samples, name) > 0, name
