"""Documents generated from the schema (hypothesis-graphql), sent to a real server in demo mode:
none is answered with a 5xx, a traceback or INTERNAL_SERVER_ERROR, and every error is coded."""

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from graphql import IntValueNode, NullValueNode, StringValueNode, ValueNode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, mutations, queries

from partnergraph.resolvers import ids
from partnergraph.schema.build import schema
from tests.demo import Demo, demo_of


@pytest.fixture
def client(demo_url: str) -> Iterator[httpx.Client]:
    """A client of the demo server, its emulator reset to the seeded data."""
    with httpx.Client(base_url=demo_url, timeout=60) as client:
        client.post("/emulator/admin/reset").raise_for_status()
        yield client


def _demo(client: httpx.Client) -> Demo:
    return demo_of(client.get("/emulator/admin/state").json())


def _scalars(demo: Demo) -> dict[str, st.SearchStrategy[ValueNode]]:
    """Mostly values that lead somewhere: IDs the demo data knows (bare and global), small page
    sizes, no cursor (a random one is refused before any read); and any others."""
    known = [demo.big_brand, demo.odd_brand, demo.out_of_scope_brand, demo.creator_id]
    known += [ids.encode("Brand", demo.big_brand), ids.encode("Creator", demo.creator_id)]
    usernames = [creator["username"] for creator in demo.state["creators"][:5]]
    null = st.just(NullValueNode())
    return {
        "ID": st.one_of(st.sampled_from(known), st.text(max_size=30)).map(_string),
        "Int": null
        | (st.integers(1, 5) | st.integers(-(2**31), 2**31 - 1)).map(
            lambda value: IntValueNode(value=str(value))
        ),
        "String": null | null | st.one_of(st.sampled_from(usernames), st.text()).map(_string),
    }


def _string(value: str) -> StringValueNode:
    return StringValueNode(value=value)


def _tokens(demo: Demo) -> st.SearchStrategy[str | None]:
    return st.sampled_from([demo.agency, demo.agency, demo.creator_token, demo.expired, None])


def _check(client: httpx.Client, document: str, token: str | None) -> None:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.post("/graphql", json={"query": document}, headers=headers)
    assert response.status_code < 500, (document, response.text)
    assert "Traceback" not in response.text
    body: dict[str, Any] = response.json()
    for error in body.get("errors", []):
        assert error["extensions"]["code"] != "INTERNAL_SERVER_ERROR", (document, error)


def _fuzz(
    client: httpx.Client, documents: st.SearchStrategy[str], examples: int
) -> Callable[[], None]:
    demo = _demo(client)

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(document=documents, token=_tokens(demo))
    def run(document: str, token: str | None) -> None:
        _check(client, document, token)

    return run


@pytest.mark.parametrize(
    "roots",
    [None, ["brand", "creator"]],  # any root fields; the two whose fields read the Graph API
    ids=["any roots", "brand and creator"],
)
def test_generated_queries_are_answered_without_a_fault(
    client: httpx.Client, roots: list[str] | None
) -> None:
    scalars = _scalars(_demo(client))
    _fuzz(client, queries(schema._schema, fields=roots, custom_scalars=scalars), 500)()
    if roots is not None:  # the documents reached the Graph API, not only the validator
        assert client.get("/emulator/admin/stats").json()["total"] > 0


def test_queries_that_break_the_schema_are_answered_without_a_fault(client: httpx.Client) -> None:
    scalars = _scalars(_demo(client))
    invalid = queries(schema._schema, custom_scalars=scalars, mode=Mode.NEGATIVE)
    _fuzz(client, invalid, 200)()


def test_generated_mutations_are_answered_without_a_fault(client: httpx.Client) -> None:
    scalars = _scalars(_demo(client))
    _fuzz(client, mutations(schema._schema, custom_scalars=scalars), 300)()
