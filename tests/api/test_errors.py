"""Errors: every Graph error the emulator produces, bad input and faults, each coded, none a 500."""

from typing import Any

import pytest

from tests.api.conftest import Api, ApiFactory, Demo

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


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ({"status": 500}, "UPSTREAM_UNAVAILABLE"),
        ({"errorCode": 2}, "UPSTREAM_UNAVAILABLE"),
        ({"body": "html"}, "UPSTREAM_UNAVAILABLE"),
        ({"body": "truncated"}, "UPSTREAM_UNAVAILABLE"),
        ({"body": "reset"}, "UPSTREAM_UNAVAILABLE"),
        ({"errorCode": 4}, "RATE_LIMITED"),
        ({"errorCode": 80002}, "RATE_LIMITED"),
        ({"errorCode": 803}, "NOT_FOUND"),
        ({"errorCode": 200}, "FORBIDDEN"),
        ({"errorCode": 102}, "UNAUTHENTICATED"),
    ],
)
async def test_upstream_faults_are_coded(
    make_api: ApiFactory, demo: Demo, fault: dict[str, Any], code: str
) -> None:
    async with make_api(cache_ttl=0) as api:
        await _fault(api, edge="branded_content_ad_permissions", **fault)
        error = await _first_error(api, demo.big_brand, "")
        assert error["extensions"]["code"] == code
        if code == "RATE_LIMITED":
            assert error["extensions"]["retryAfter"] >= 1


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
    await _fault(api, status=500, count=1, edge="branded_content_ad_permissions", method="POST")
    await api.reset_stats()
    creator = demo.creator_without_big_brand_permission()["id"]
    body = await api.op(
        "RequestPermission", {"input": {"brandId": demo.big_brand, "creatorIgId": creator}}
    )
    assert body["errors"][0]["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
    stats = await api.upstream_calls()
    assert stats["byEdge"]["branded_content_ad_permissions"]["POST"] == 1


@pytest.mark.parametrize(
    ("request_body", "content_type"),
    [
        (b"{not json", "application/json"),
        (b'{"variables": {}}', "application/json"),
        (b'{"query": "{ brand(igId: ", "variables": {}}', "application/json"),
        (b'{"query": "{ nope }"}', "application/json"),
        (
            b'{"query": "query($n: Int) { rateLimit { appCallCount } }", "variables": {"n": "x"}}',
            "application/json",
        ),
        (b"[" * 100_000 + b"]" * 100_000, "application/json"),
        (
            b'{"query": "{ __typename }", "variables": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
            "application/json",
        ),
        (b'{"query": "\xff"}', "application/json"),  # not UTF-8
        (b'"{ __typename }"', "application/json"),
        (b"5", "application/json"),
        (b"null", "application/json"),
    ],
)
@pytest.mark.parametrize("authorized", [False, True])
async def test_malformed_requests_get_json_errors(
    api: Api, demo: Demo, request_body: bytes, content_type: str, authorized: bool
) -> None:
    headers = {"Content-Type": content_type}
    if authorized:
        headers["Authorization"] = f"Bearer {demo.agency}"
    response = await api.http.post("/graphql", content=request_body, headers=headers)
    assert response.status_code in (200, 400)
    body = response.json()
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
    assert body["data"] is None
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


async def test_ids_in_other_scripts_digits_are_invalid_input(api: Api, demo: Demo) -> None:
    accept = {"input": {"creatorId": demo.creator_id, "mediaId": "\u00b2"}}
    payload = (await api.data("AcceptInvite", accept, token=demo.creator_token))["acceptInvite"]
    assert [error["code"] for error in payload["userErrors"]] == ["INVALID_INPUT"]
    body = await api.run(PERMISSIONS_QUERY, {"id": "\u0661\u0662\u0663"})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
