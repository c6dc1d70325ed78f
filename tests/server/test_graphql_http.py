"""GraphQL over HTTP, on a running `partnergraph serve`: graphql-http's audit and our own cases."""

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.servers import running

ROOT = Path(__file__).resolve().parents[2]
AUDIT = Path(__file__).with_name("graphql_http_audit.mjs")
GRAPHQL_RESPONSE = "application/graphql-response+json"


@pytest.fixture(scope="module")
def server_url(emulator_url: str) -> Iterator[str]:
    """`partnergraph serve` on a free port, reading from the session's emulator."""
    with running("serve", "--graph-url", emulator_url) as url:
        yield url


def test_graphql_http_audit_passes_every_must_and_should(server_url: str) -> None:
    assert (ROOT / "node_modules" / "graphql-http").is_dir(), "run `npm ci` (make test does)"
    audit = subprocess.run(  # noqa: S603
        ["node", str(AUDIT), f"{server_url}/graphql"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    results: list[dict[str, Any]] = json.loads(audit.stdout)
    required = [r for r in results if r["name"].startswith(("MUST", "SHOULD"))]
    failures = [f"{r['id']} {r['name']}: {r['reason']}" for r in required if r["status"] != "ok"]
    assert len(required) >= 30  # the audit ran in full
    assert not failures, "\n".join(failures)


def test_a_mutation_by_get_is_405_allowing_post(server_url: str) -> None:
    response = httpx.get(
        f"{server_url}/graphql",
        params={"query": "mutation { __typename }"},
        headers={"Accept": GRAPHQL_RESPONSE},
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.headers["content-type"] == GRAPHQL_RESPONSE
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, "application/json"),
        ("*/*", "application/json"),
        ("application/json", "application/json"),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE}, application/json;q=0.9", GRAPHQL_RESPONSE),  # Apollo Client's
        (f"{GRAPHQL_RESPONSE};q=0.5, application/json", "application/json"),
        (f"{GRAPHQL_RESPONSE};q=0", "application/json"),
    ],
)
def test_the_answer_is_in_the_type_the_client_prefers(
    server_url: str, accept: str | None, media_type: str
) -> None:
    headers = {"Accept": accept} if accept else {}
    response = httpx.post(
        f"{server_url}/graphql", json={"query": "{ __typename }"}, headers=headers
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    assert response.json() == {"data": {"__typename": "Query"}}


def test_a_field_error_keeps_data_and_200_in_graphql_response_json(server_url: str) -> None:
    # No token: the field fails when it runs, which is not a refused document.
    query = '{ brand(igId: "17841400000000000") { permissions { nodes { id } } } }'
    response = httpx.post(
        f"{server_url}/graphql", json={"query": query}, headers={"Accept": GRAPHQL_RESPONSE}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert body["errors"][0]["path"] == ["brand", "permissions"]


def test_an_unknown_operation_name_is_a_bad_request(server_url: str) -> None:
    query = "query A { __typename } query B { __typename }"
    refused = httpx.post(f"{server_url}/graphql", json={"query": query, "operationName": "C"})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    chosen = httpx.post(f"{server_url}/graphql", json={"query": query, "operationName": "B"})
    assert chosen.json() == {"data": {"__typename": "Query"}}


def test_the_browser_gets_graphiql_and_a_get_query_gets_its_result(server_url: str) -> None:
    page = httpx.get(f"{server_url}/graphql", headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")
    assert "graphiql" in page.text.lower()
    result = httpx.get(
        f"{server_url}/graphql", params={"query": "{ __typename }"}, headers={"Accept": "*/*"}
    )
    assert result.json() == {"data": {"__typename": "Query"}}


def test_head_runs_a_query_like_get_without_a_body(server_url: str) -> None:
    response = httpx.head(f"{server_url}/graphql", params={"query": "{ __typename }"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.content == b""
    refused = httpx.head(f"{server_url}/graphql", params={"query": "mutation { __typename }"})
    assert refused.status_code == 405
