"""Persisted documents: Apollo's automatic persisted queries, and a trusted-documents manifest."""

import hashlib
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from partnergraph.errors import SettingsError
from partnergraph.server.settings import Settings
from tests.api.conftest import QUERIES, Api, ApiFactory, Demo

PERMISSIONS = (QUERIES / "BrandPermissions.graphql").read_text()
RATE_LIMIT = (QUERIES / "RateLimit.graphql").read_text()
GRAPHQL_RESPONSE = "application/graphql-response+json"
GENERATED_MANIFEST = QUERIES.parent / "clients" / "typescript" / "persisted-documents.json"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _persisted(sha256: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256}}


async def _post(api: Api, body: dict[str, Any], **headers: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {api.token}", **headers}
    return await api.http.post("/graphql", json=body, headers=headers)


async def _get(api: Api, params: dict[str, Any]) -> httpx.Response:
    encoded = {k: json.dumps(v) if isinstance(v, dict) else v for k, v in params.items()}
    return await api.http.get(
        "/graphql", params=encoded, headers={"Authorization": f"Bearer {api.token}"}
    )


def _code(response: httpx.Response) -> str:
    code: str = response.json()["errors"][0]["extensions"]["code"]
    return code


# Automatic persisted queries


async def test_apq_not_found_then_registered_then_run_by_hash(api: Api, demo: Demo) -> None:
    variables = {"brandId": demo.big_brand, "first": 2}
    sha256 = _sha256(PERMISSIONS)
    by_hash = {"extensions": _persisted(sha256), "variables": variables}
    for accept in ("application/json", GRAPHQL_RESPONSE):
        unknown = await _post(api, by_hash, Accept=accept)
        assert unknown.status_code == 200  # the only status on which Apollo's link sends the query
        body = unknown.json()
        assert list(body) == ["errors"]
        [error] = body["errors"]
        assert error["message"] == "PersistedQueryNotFound"
        assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    registered = await _post(api, {**by_hash, "query": PERMISSIONS})
    page = registered.json()["data"]["brand"]["permissions"]
    assert len(page["edges"]) == 2
    again = await _post(api, {**by_hash, "variables": {**variables, "first": 3}})
    assert len(again.json()["data"]["brand"]["permissions"]["edges"]) == 3


async def test_a_registered_hash_runs_by_get_for_cdns(api: Api, demo: Demo) -> None:
    sha256 = _sha256(PERMISSIONS)
    variables = {"brandId": demo.big_brand, "first": 4}
    # Registered although these variables do not coerce: the document itself is valid.
    missing = await _post(api, {"query": PERMISSIONS, "extensions": _persisted(sha256)})
    assert _code(missing) == "BAD_USER_INPUT"
    response = await _get(
        api,
        {
            "operationName": "BrandPermissions",
            "variables": variables,
            "extensions": _persisted(sha256),
        },
    )
    assert response.status_code == 200
    assert len(response.json()["data"]["brand"]["permissions"]["edges"]) == 4


async def test_a_wrong_hash_is_refused_and_registers_nothing(api: Api, demo: Demo) -> None:
    wrong = _sha256(RATE_LIMIT)
    variables = {"brandId": demo.big_brand}
    refused = await _post(
        api, {"query": PERMISSIONS, "extensions": _persisted(wrong), "variables": variables}
    )
    assert refused.status_code == 400
    assert _code(refused) == "BAD_USER_INPUT"
    assert "SHA-256" in refused.json()["errors"][0]["message"]
    later = await _post(api, {"extensions": _persisted(wrong)})
    assert _code(later) == "PERSISTED_QUERY_NOT_FOUND"


@pytest.mark.parametrize(
    "extensions",
    [
        {"persistedQuery": {"version": 2, "sha256Hash": "0" * 64}},
        {"persistedQuery": {"version": 1, "sha256Hash": "not-hex"}},
        {"persistedQuery": {"version": 1}},
        {"persistedQuery": "0" * 64},
    ],
)
async def test_a_malformed_persisted_query_is_bad_input(
    api: Api, extensions: dict[str, Any]
) -> None:
    response = await _post(api, {"extensions": extensions})
    assert response.status_code == 400
    assert _code(response) == "BAD_USER_INPUT"


async def test_a_query_and_its_hash_share_cached_answers(api: Api, demo: Demo) -> None:
    variables = {"brandId": demo.big_brand, "first": 5}
    full = await _post(api, {"query": PERMISSIONS, "variables": variables})
    # Never registered, yet answered: the hash names the answer the query left in the cache.
    by_hash = await _post(
        api, {"extensions": _persisted(_sha256(PERMISSIONS)), "variables": variables}
    )
    assert by_hash.content == full.content
    other = {**variables, "first": 6}
    uncached = await _post(
        api, {"extensions": _persisted(_sha256(PERMISSIONS)), "variables": other}
    )
    assert _code(uncached) == "PERSISTED_QUERY_NOT_FOUND"


async def test_an_invalid_document_is_not_registered(api: Api) -> None:
    document = "{ nope }"
    sha256 = _sha256(document)
    invalid = await _post(api, {"query": document, "extensions": _persisted(sha256)})
    assert _code(invalid) == "BAD_USER_INPUT"
    assert _code(await _post(api, {"extensions": _persisted(sha256)})) == (
        "PERSISTED_QUERY_NOT_FOUND"
    )


async def test_registrations_are_bounded(make_api: ApiFactory) -> None:
    async with make_api(cache_max_entries=2) as api:
        documents = [f"query Q{n} {{ __typename }}" for n in range(3)]
        for document in documents:
            registered = await _post(
                api, {"query": document, "extensions": _persisted(_sha256(document))}
            )
            assert registered.json() == {"data": {"__typename": "Query"}}
        oldest, *newest = [
            await _post(api, {"extensions": _persisted(_sha256(d))}) for d in documents
        ]
        assert _code(oldest) == "PERSISTED_QUERY_NOT_FOUND"
        assert all(r.json() == {"data": {"__typename": "Query"}} for r in newest)


# Trusted documents


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    """A manifest of BrandPermissions and RateLimit: one key as GraphQL Code Generator writes
    it, one a bare hash."""
    path = tmp_path / "persisted-documents.json"
    path.write_text(
        json.dumps({f"sha256:{_sha256(PERMISSIONS)}": PERMISSIONS, _sha256(RATE_LIMIT): RATE_LIMIT})
    )
    return path


async def test_trusted_mode_runs_the_manifest_by_id_or_hash(
    make_api: ApiFactory, manifest: Path, demo: Demo
) -> None:
    sha256 = _sha256(PERMISSIONS)
    variables = {"brandId": demo.big_brand, "first": 2}
    async with make_api(trusted_documents=str(manifest)) as api:
        answers = [
            await _post(api, {"documentId": f"sha256:{sha256}", "variables": variables}),
            await _post(api, {"documentId": sha256, "variables": variables}),
            await _post(api, {"extensions": _persisted(sha256), "variables": variables}),
            await _post(api, {"query": PERMISSIONS, "variables": variables}),
            await _get(api, {"documentId": f"sha256:{sha256}", "variables": variables}),
        ]
        for answer in answers:
            assert answer.status_code == 200
            assert len(answer.json()["data"]["brand"]["permissions"]["edges"]) == 2


async def test_the_generated_manifest_runs_what_the_typescript_client_sends(
    make_api: ApiFactory, demo: Demo
) -> None:
    generated: dict[str, str] = json.loads(GENERATED_MANIFEST.read_text())
    document_id = next(key for key, text in generated.items() if "query BrandPermissions" in text)
    async with make_api(trusted_documents=str(GENERATED_MANIFEST)) as api:
        answer = await _post(
            api, {"documentId": document_id, "variables": {"brandId": demo.big_brand}}
        )
        assert len(answer.json()["data"]["brand"]["permissions"]["edges"]) == 10


async def test_trusted_mode_runs_every_query_file_as_written(
    make_api: ApiFactory, demo: Demo
) -> None:
    """The manifest holds the codegen's normalised text (fields sorted, one line); the files
    of queries/, comments and layout included, are the same documents."""
    written = sorted(QUERIES.glob("*.graphql"))
    async with make_api(trusted_documents=str(GENERATED_MANIFEST)) as api:
        for path in written:
            answer = await _post(api, {"query": path.read_text(), "variables": {}})
            codes = [e["extensions"]["code"] for e in answer.json().get("errors", [])]
            assert "PERSISTED_QUERY_NOT_ALLOWED" not in codes, path.name
        rate_limit = await _post(api, {"query": RATE_LIMIT})
        assert rate_limit.json()["data"]["rateLimit"]["businessUseCase"] is not None
        permissions = await _post(
            api, {"query": PERMISSIONS, "variables": {"brandId": demo.big_brand, "first": 3}}
        )
        edges = permissions.json()["data"]["brand"]["permissions"]["edges"]
        assert len(edges) == 3
        # the answer follows the document sent, not the manifest's sorted text
        assert list(edges[0]["node"]) == ["id", "graphId", "status", "rawStatus", "creator"]


RELAID_RATE_LIMIT = """
fragment Budget on DailyBudget { remaining, used limit igUserId }
# the same operation as queries/RateLimit.graphql: definitions, fields and arguments in another
# order, a fragment spread where the fields were, commas and comments
query RateLimit {
  rateLimit {
    invitesWrite { ...Budget }
    invitesRead { resetsInSeconds, ...Budget }
    businessUseCase { businessId type callCount totalCputime totalTime estimatedTimeToRegainAccess }
    appTotalCputime appCallCount appTotalTime
  }
}
"""


@pytest.mark.parametrize(
    ("document", "allowed"),
    [
        (" ".join(RATE_LIMIT.split("\n", 1)[1].split()), True),  # on one line, no comment
        ("# a comment\n" + RATE_LIMIT.replace("\n", ",\n"), True),
        (
            RATE_LIMIT.replace(
                "appTotalTime\n    appTotalCputime", "appTotalCputime, appTotalTime"
            ),
            True,
        ),
        # another document: one field more, one less, an alias, another operation name
        (RATE_LIMIT.replace("appCallCount", "appCallCount viewer { userId }"), False),
        (RATE_LIMIT.replace("appCallCount", ""), False),
        (RATE_LIMIT.replace("appCallCount", "count: appCallCount"), False),
        (RATE_LIMIT.replace("query RateLimit", "query Usage"), False),
        # introspection is no manifest document however it is written
        ("{ __schema { types { name } } }", False),
        ('query { __type(name: "Query") { name } }', False),
        ("{", False),
    ],
)
async def test_trusted_mode_compares_documents_whatever_their_layout(
    make_api: ApiFactory, manifest: Path, document: str, allowed: bool
) -> None:
    async with make_api(trusted_documents=str(manifest)) as api:
        answer = await _post(api, {"query": document})
        if allowed:
            assert answer.status_code == 200
            assert answer.json()["data"]["rateLimit"]["invitesRead"] is None
        else:
            assert answer.status_code == 400
            assert _code(answer) == "PERSISTED_QUERY_NOT_ALLOWED"


async def test_mutation_fields_keep_their_order_in_trusted_mode(
    make_api: ApiFactory, tmp_path: Path
) -> None:
    """A mutation's fields run one after the other: another order is another document."""
    trusted = "mutation Both { a: __typename b: __typename }"
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({_sha256(trusted): trusted}))
    async with make_api(trusted_documents=str(manifest)) as api:
        same = await _post(api, {"query": "mutation Both {\n  a: __typename\n  b: __typename\n}"})
        assert same.json() == {"data": {"a": "Mutation", "b": "Mutation"}}
        swapped = await _post(api, {"query": "mutation Both { b: __typename a: __typename }"})
        assert _code(swapped) == "PERSISTED_QUERY_NOT_ALLOWED"


async def test_trusted_mode_runs_a_relaid_document(make_api: ApiFactory, manifest: Path) -> None:
    async with make_api(trusted_documents=str(manifest)) as api:
        refused = await _post(api, {"query": RELAID_RATE_LIMIT})
        # a fragment spread is not the manifest's fields, however equivalent
        assert _code(refused) == "PERSISTED_QUERY_NOT_ALLOWED"
        relaid = RELAID_RATE_LIMIT.replace("...Budget", "remaining used limit igUserId")
        relaid = relaid.replace(
            "fragment Budget on DailyBudget { remaining, used limit igUserId }", ""
        )
        answer = await _post(api, {"query": relaid, "operationName": "RateLimit"})
        assert answer.json()["data"]["rateLimit"]["invitesWrite"] is None


async def test_the_shipped_manifest_is_known_by_id_without_registering(
    api: Api, demo: Demo
) -> None:
    generated: dict[str, str] = json.loads(GENERATED_MANIFEST.read_text())
    document_id = next(key for key, text in generated.items() if "query BrandPermissions" in text)
    variables = {"brandId": demo.big_brand, "first": 2}
    for body in (
        {"documentId": document_id, "variables": variables},
        {"extensions": _persisted(document_id.removeprefix("sha256:")), "variables": variables},
    ):
        answer = await _post(api, body)
        assert len(answer.json()["data"]["brand"]["permissions"]["edges"]) == 2
    unknown = await _post(api, {"documentId": f"sha256:{_sha256('{ __typename }')}"})
    assert _code(unknown) == "PERSISTED_QUERY_NOT_FOUND"


async def test_trusted_mode_refuses_every_other_document(
    make_api: ApiFactory, manifest: Path
) -> None:
    other = "query Other { __typename }"
    async with make_api(trusted_documents=str(manifest)) as api:
        refusals = [
            await _post(api, {"query": "{ __typename }"}),
            await _post(api, {"query": other, "extensions": _persisted(_sha256(other))}),
            await _post(api, {"extensions": _persisted(_sha256(other))}),
            await _post(api, {"documentId": f"sha256:{_sha256(other)}"}),
            await _get(api, {"query": "{ __typename }"}),
        ]
        for refusal in refusals:
            assert refusal.status_code == 400
            assert _code(refusal) == "PERSISTED_QUERY_NOT_ALLOWED"
            assert "data" not in refusal.json()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read"),
        ("{not json", "is not JSON"),
        ('["{ __typename }"]', "must be an object"),
        ('{"' + "0" * 64 + '": "{ __typename }"}', "is not the SHA-256 of its text"),
        ('{"sha256:' + "0" * 64 + '": "{ __typename }"}', "is not the SHA-256 of its text"),
        (json.dumps({_sha256("{"): "{"}), "does not parse: Syntax Error"),
    ],
)
def test_an_unusable_manifest_is_a_settings_error(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "manifest.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(SettingsError, match=message):
        Settings(graph_url="http://127.0.0.1:9", trusted_documents=str(path)).check()


# Registrations: compact, by tokens only, bounded per token and minute

BIG_COMMENT = "#" + "x" * 117 * 1024 + "\n"


async def _stored(api: Api, sha256: str) -> str | None:
    assert api.app is not None
    stored: str | None = await api.app.state.services.documents.get(sha256)
    return stored


async def test_a_registration_stores_the_document_without_its_comments(api: Api) -> None:
    document = BIG_COMMENT + '"""A description."""\nquery Typename {\n  __typename # why\n}\n'
    sha256 = _sha256(document)
    registered = await _post(api, {"query": document, "extensions": _persisted(sha256)})
    assert registered.json() == {"data": {"__typename": "Query"}}
    assert await _stored(api, sha256) == "query Typename { __typename }"
    by_hash = await _post(api, {"extensions": _persisted(sha256)})
    assert by_hash.json() == {"data": {"__typename": "Query"}}


async def test_an_anonymous_registration_runs_without_storing(api: Api) -> None:
    document = BIG_COMMENT + "{ __typename }"
    sha256 = _sha256(document)
    body = {"query": document, "extensions": _persisted(sha256)}
    anonymous = await api.http.post("/graphql", json=body)
    assert anonymous.json() == {"data": {"__typename": "Query"}}
    assert await _stored(api, sha256) is None
    assert _code(await _post(api, {"extensions": _persisted(sha256)})) == (
        "PERSISTED_QUERY_NOT_FOUND"
    )


async def test_a_registered_document_sent_again_with_its_hash_registers_nothing_new(
    make_api: ApiFactory,
) -> None:
    """Some clients send hash and query every time: only a hash not yet known counts against
    the token's registrations (caches off, so that every request reaches the decision)."""
    async with make_api(persisted_registrations_per_minute=2, cache_ttl=0) as api:
        document = "query Again { __typename }"
        again = {"query": document, "extensions": _persisted(_sha256(document))}
        for _ in range(5):
            assert (await _post(api, again)).json() == {"data": {"__typename": "Query"}}
        assert await _stored(api, _sha256(document)) is not None


async def test_registrations_past_a_tokens_bound_are_rate_limited_and_not_stored(
    make_api: ApiFactory, demo: Demo
) -> None:
    async with make_api(persisted_registrations_per_minute=3) as api:
        documents = [f"query Q{n} {{ __typename }}" for n in range(4)]
        answers = [
            await _post(api, {"query": d, "extensions": _persisted(_sha256(d))}) for d in documents
        ]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        refused = answers[-1]
        assert _code(refused) == "RATE_LIMITED"
        retry_after = refused.json()["errors"][0]["extensions"]["retryAfter"]
        assert 1 <= retry_after <= 60
        assert refused.headers["Retry-After"] == str(retry_after)
        assert await _stored(api, _sha256(documents[-1])) is None
        # another token has its own bound; the same query without its hash still runs
        other = Api(api.http, api.emulator, demo.in_house, api.app)
        fourth = {"query": documents[-1], "extensions": _persisted(_sha256(documents[-1]))}
        assert (await _post(other, fourth)).json() == {"data": {"__typename": "Query"}}
        assert (await _post(api, {"query": documents[-1]})).json() == {
            "data": {"__typename": "Query"}
        }
