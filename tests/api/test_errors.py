"""Errors: every Graph error the emulator produces, bad input and faults, each coded, none a 500."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from partnergraph.graph.client import MAX_TOKEN
from partnergraph.server.app import create_app
from partnergraph.server.settings import Settings
from tests.api.conftest import Api, ApiFactory, Demo
from tests.demo import demo_of

PERMISSIONS = "{ brand(igId: $id) { permissions(first: 3) { edges { node { graphId } } } } }"
PERMISSIONS_QUERY = "query($id: ID!) " + PERMISSIONS


async def _first_error(api: Api, brand: str, token: str | None) -> dict[str, Any]:
    body = await api.run(PERMISSIONS_QUERY, {"id": brand}, token=token)
    assert body["data"] is None
    error: dict[str, Any] = body["errors"][0]
    assert "Traceback" not in str(body)
    return error


async def _fault(api: Api, **spec: Any) -> None:
    (await api.emulator.post("/admin/faults", json=spec)).raise_for_status()


async def test_missing_token_is_unauthenticated_without_an_upstream_call(
    api: Api, demo: Demo
) -> None:
    await api.reset_stats()
    error = await _first_error(api, demo.big_brand, None)
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await api.upstream_calls())["total"] == 0


@pytest.mark.parametrize(
    ("token", "code", "graph_code"),
    [
        ("expired", "UNAUTHENTICATED", 190),
        ("not-a-token", "UNAUTHENTICATED", 190),
        ("creator", "FORBIDDEN", 10),
        ("in_house", "FORBIDDEN", 10),
    ],
)
async def test_graph_token_errors_are_coded(
    api: Api, demo: Demo, token: str, code: str, graph_code: int
) -> None:
    tokens = {
        "expired": demo.expired,
        "not-a-token": "EAAnonsense",
        "creator": demo.creator_token,
        "in_house": demo.in_house,
    }
    error = await _first_error(api, demo.big_brand, tokens[token])
    assert error["extensions"]["code"] == code
    assert error["extensions"]["graph"]["code"] == graph_code
    assert error["extensions"]["graph"]["fbtraceId"]
    assert tokens[token] not in str(error)


async def test_unknown_brand_is_not_found(api: Api) -> None:
    error = await _first_error(api, "17841400000000001", "")
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert error["extensions"]["graph"]["subcode"] == 33


async def test_brand_id_that_is_no_id_is_bad_user_input(api: Api) -> None:
    error = await _first_error(api, "not-an-id", "")
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


@asynccontextmanager
async def _in_demo_mode(**overrides: Any) -> AsyncIterator[tuple[Api, Demo]]:
    """The app in demo mode: its emulator mounted in process, behind httpx.ASGITransport."""
    async with (
        LifespanManager(create_app(Settings(**{"cache_ttl": 0, **overrides}))) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://partnergraph"
        ) as http,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app),
            base_url="http://partnergraph/emulator",
        ) as emulator,
    ):
        demo = demo_of((await emulator.get("/admin/state")).json())
        yield Api(http, emulator, demo.agency), demo


@asynccontextmanager
async def _in_mode(
    mode: str, make_api: ApiFactory, demo: Demo, **overrides: Any
) -> AsyncIterator[tuple[Api, Demo]]:
    """The app without caches, on the standalone emulator or on its own mounted one."""
    if mode == "demo mode":
        async with _in_demo_mode(**overrides) as in_demo:
            yield in_demo
    else:
        async with make_api(cache_ttl=0, **overrides) as api:
            yield api, demo


MODES = ["emulator over HTTP", "demo mode"]


@pytest.fixture(params=MODES)
async def either_mode(
    request: pytest.FixtureRequest, make_api: ApiFactory, demo: Demo
) -> AsyncIterator[tuple[Api, Demo]]:
    """The app without caches, on the standalone emulator or on its own mounted one."""
    async with _in_mode(request.param, make_api, demo) as in_mode:
        yield in_mode


@pytest.mark.parametrize("mode", MODES)
async def test_an_upstream_slower_than_the_timeout_is_unavailable_in_both_modes(
    mode: str, make_api: ApiFactory, demo: Demo
) -> None:
    async with _in_mode(mode, make_api, demo, upstream_timeout=0.2) as (api, in_mode):
        await _fault(api, edge="branded_content_ad_permissions", latencyMs=1_000, count=4)
        error = await _first_error(api, in_mode.big_brand, "")
    assert error["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
    assert "did not answer in time" in error["message"]


@pytest.mark.parametrize("mode", MODES)
async def test_a_write_slower_than_the_timeout_asks_for_a_re_read_in_both_modes(
    mode: str, make_api: ApiFactory, demo: Demo
) -> None:
    async with _in_mode(mode, make_api, demo, upstream_timeout=0.2) as (api, in_mode):
        await _fault(api, edge="batch", latencyMs=1_000)  # a write goes with its read-back
        creator = in_mode.creator_without_big_brand_permission()["id"]
        body = await api.op(
            "RequestPermission", {"input": {"brandId": in_mode.big_brand, "creatorIgId": creator}}
        )
    error = body["errors"][0]
    assert error["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
    assert "read the data again" in error["message"]


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ({"status": 500}, "UPSTREAM_UNAVAILABLE"),
        ({"status": 503, "errorCode": 1}, "UPSTREAM_UNAVAILABLE"),
        ({"errorCode": 2}, "UPSTREAM_UNAVAILABLE"),
        ({"body": "html"}, "UPSTREAM_UNAVAILABLE"),
        ({"body": "truncated"}, "UPSTREAM_UNAVAILABLE"),
        ({"body": "reset"}, "UPSTREAM_UNAVAILABLE"),
        ({"errorCode": 4}, "RATE_LIMITED"),
        ({"errorCode": 80002}, "RATE_LIMITED"),
        ({"errorCode": 803}, "NOT_FOUND"),
        ({"errorCode": 200}, "FORBIDDEN"),
        ({"errorCode": 102}, "UNAUTHENTICATED"),
        ({"errorCode": 100}, "BAD_USER_INPUT"),
        ({"errorCode": 2642}, "BAD_USER_INPUT"),
        ({"errorCode": 9007}, "UPSTREAM_UNAVAILABLE"),  # a code partnergraph does not know
    ],
)
async def test_upstream_faults_are_coded_alike_in_both_modes(
    either_mode: tuple[Api, Demo], fault: dict[str, Any], code: str
) -> None:
    api, demo = either_mode
    await _fault(api, edge="branded_content_ad_permissions", **fault)
    error = await _first_error(api, demo.big_brand, "")
    assert error["extensions"]["code"] == code
    if code == "RATE_LIMITED":
        assert error["extensions"]["retryAfter"] >= 1
    if "errorCode" in fault:
        assert error["extensions"]["graph"]["code"] == fault["errorCode"]
        assert error["extensions"]["graphCode"] == fault["errorCode"]
    assert not error["message"].startswith("(#")  # the Graph API's `(#4) …`: in graphCode


async def test_an_unknown_graph_code_is_not_retried(either_mode: tuple[Api, Demo]) -> None:
    api, demo = either_mode
    await _fault(api, edge="branded_content_ad_permissions", errorCode=9007, status=400)
    await api.reset_stats()
    error = await _first_error(api, demo.big_brand, "")
    assert error["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
    assert (await api.upstream_calls())["byEdge"]["branded_content_ad_permissions"]["GET"] == 1


async def test_a_read_behind_two_500s_is_answered_after_three_calls(
    make_api: ApiFactory, demo: Demo
) -> None:
    async with make_api(cache_ttl=0) as api:
        await _fault(api, status=500, count=2, edge="branded_content_ad_permissions")
        await api.reset_stats()
        body = await api.run(PERMISSIONS_QUERY, {"id": demo.big_brand})
        assert "errors" not in body
        assert len(body["data"]["brand"]["permissions"]["edges"]) == 3
        stats = await api.upstream_calls()
        assert stats["byEdge"]["branded_content_ad_permissions"]["GET"] == 3


async def test_a_mutation_behind_a_500_is_sent_once_and_reported(api: Api, demo: Demo) -> None:
    await _fault(api, status=500, count=1, edge="batch")  # a write goes with its read-back
    await api.reset_stats()
    creator = demo.creator_without_big_brand_permission()["id"]
    body = await api.op(
        "RequestPermission", {"input": {"brandId": demo.big_brand, "creatorIgId": creator}}
    )
    assert body["errors"][0]["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
    stats = await api.upstream_calls()
    assert stats["total"] == stats["byEdge"]["batch"]["POST"] == 1


@pytest.mark.parametrize(
    ("request_body", "json_status"),
    [
        (b"{not json", 400),
        (b'{"variables": {}}', 400),
        (b'{"query": "{ brand(igId: ", "variables": {}}', 200),
        (b'{"query": "{ nope }"}', 200),
        (
            b'{"query": "query($n: Int) { rateLimit { appCallCount } }", "variables": {"n": "x"}}',
            200,
        ),
        (b"[" * 50_000 + b"]" * 50_000, 400),
        (
            b'{"query": "{ __typename }", "variables": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
            400,
        ),
        (b'{"query": "\xff"}', 400),  # not UTF-8
        (b'"{ __typename }"', 400),
        (b"5", 400),
        (b"null", 400),
        (b'[{"query": "{ __typename }"}]', 400),  # batches are not taken
        (b'{"query": "{ __typename }", "variables": "{}"}', 400),
        (b'{"query": "{ __typename }", "operationName": 5}', 400),
    ],
)
@pytest.mark.parametrize("authorized", [False, True])
async def test_malformed_requests_get_json_errors(
    api: Api, demo: Demo, request_body: bytes, json_status: int, authorized: bool
) -> None:
    """Malformed requests are 400s; documents that do not parse, validate or take their
    variables are 200s in application/json, 400s in application/graphql-response+json."""
    for accept, status in [
        ("application/json", json_status),
        ("application/graphql-response+json", 400),
    ]:
        headers = {"Content-Type": "application/json", "Accept": accept}
        if authorized:
            headers["Authorization"] = f"Bearer {demo.agency}"
        response = await api.http.post("/graphql", content=request_body, headers=headers)
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == accept
        body = response.json()
        assert "data" not in body
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert body["errors"][0]["message"]


async def test_nesting_too_deep_to_decode_in_get_variables_is_bad_input(
    api: Api, demo: Demo
) -> None:
    params = {"query": "{ __typename }", "variables": "[" * 5_000 + "]" * 5_000}
    headers = {"Authorization": f"Bearer {demo.agency}"}
    response = await api.http.get("/graphql", params=params, headers=headers)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_get_variables_may_be_null(api: Api, demo: Demo) -> None:
    params = {"query": "{ __typename }", "variables": "null", "extensions": "null"}
    headers = {"Authorization": f"Bearer {demo.agency}"}
    response = await api.http.get("/graphql", params=params, headers=headers)
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_a_too_costly_document_is_refused(api: Api, demo: Demo) -> None:
    nested = (
        "permissions(first: 100) { edges { node { creator { invites { edges { cursor } } } } } }"
    )
    brand = f"brand(igId: $id) {{ {nested} }}"
    document = f"query($id: ID!) {{ a: {brand} b: {brand} }}"
    await api.reset_stats()
    body = await api.run(document, {"id": demo.big_brand})
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert (await api.upstream_calls())["total"] == 0


async def test_two_tokens_see_different_answers(api: Api, demo: Demo) -> None:
    allowed = await api.run(PERMISSIONS_QUERY, {"id": demo.big_brand})
    refused = await api.run(PERMISSIONS_QUERY, {"id": demo.big_brand}, token=demo.in_house)
    assert len(allowed["data"]["brand"]["permissions"]["edges"]) == 3
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_health(api: Api) -> None:
    response = await api.http.get("/healthz")
    assert response.json() == {"status": "ok"}


async def test_upstream_unreachable_is_unavailable(make_api: ApiFactory, demo: Demo) -> None:
    async with make_api(graph_url="http://127.0.0.1:9", upstream_timeout=2) as api:
        error = await _first_error(api, demo.big_brand, "")
        assert error["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"


@pytest.mark.parametrize(
    "variables",
    [
        {"brandId": None},
        {"brandId": "1784", "first": 2_147_483_648},
        {"brandId": "1784", "first": "5"},
        {"brandId": "1784", "status": "FOO"},
    ],
)
async def test_a_refused_variable_is_bad_user_input(api: Api, variables: dict[str, Any]) -> None:
    body = await api.op("BrandPermissions", variables)
    assert "data" not in body  # refused before it ran: the spec says no `data` then
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "$" in error["message"]  # graphql-core names the variable


async def test_a_token_that_is_not_ascii_is_unauthenticated(api: Api, demo: Demo) -> None:
    body = {"query": "query($id: ID!) " + PERMISSIONS, "variables": {"id": demo.big_brand}}
    response = await api.http.post(
        "/graphql",
        json=body,
        headers={b"Authorization": "Bearer tok\xe9n".encode("latin-1")},
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_token_longer_than_any_graph_token_is_unauthenticated_unsent(
    api: Api, demo: Demo
) -> None:
    await api.reset_stats()
    at_the_bound = await _first_error(api, demo.big_brand, "EAA" + "x" * (MAX_TOKEN - 3))
    assert at_the_bound["extensions"]["graph"]["code"] == 190  # sent: the Graph API refused it
    assert (await api.upstream_calls())["total"] == 1
    for length in (MAX_TOKEN + 1, 60_000):  # 60,000: within the server's 64 KiB of headers
        await api.reset_stats()
        error = await _first_error(api, demo.big_brand, "EAA" + "x" * (length - 3))
        assert error["extensions"]["code"] == "UNAUTHENTICATED"
        assert f"at most {MAX_TOKEN} characters" in error["message"]
        assert "graph" not in error["extensions"]
        assert (await api.upstream_calls())["total"] == 0


async def test_ids_in_other_scripts_digits_are_invalid_input(api: Api, demo: Demo) -> None:
    accept = {"input": {"creatorId": demo.creator_id, "mediaId": "\u00b2"}}
    payload = (await api.data("AcceptInvite", accept, token=demo.creator_token))["acceptInvite"]
    assert [error["code"] for error in payload["userErrors"]] == ["INVALID_INPUT"]
    body = await api.run(PERMISSIONS_QUERY, {"id": "\u0661\u0662\u0663"})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_several_operations_need_an_operation_name(api: Api, demo: Demo) -> None:
    document = "query A { __typename } query B { rateLimit { appCallCount } }"
    headers = {"Authorization": f"Bearer {demo.agency}"}
    unnamed = (await api.http.post("/graphql", json={"query": document}, headers=headers)).json()
    assert "data" not in unnamed  # refused before it ran
    assert [error["extensions"]["code"] for error in unnamed["errors"]] == ["BAD_USER_INPUT"]
    assert "operationName" in unnamed["errors"][0]["message"]
    for name, data in (
        ("A", {"__typename": "Query"}),
        ("B", {"rateLimit": {"appCallCount": None}}),
    ):
        named = await api.http.post(
            "/graphql", json={"query": document, "operationName": name}, headers=headers
        )
        assert named.json() == {"data": data}
