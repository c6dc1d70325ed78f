"""Answer keys: what makes two requests the same question for the whole-answer cache."""

from typing import Any

from partnergraph.server.answers import answer_key
from partnergraph.server.persisted import document_hash

QUERY_HASH = document_hash("{ rateLimit { appCallCount } }")
VARIABLES = {"a": 1, "b": {"c": 2, "d": 3}}


def _key(
    scope: str = "scope-1",
    sha256: str = QUERY_HASH,
    operation_name: str | None = None,
    variables: dict[str, Any] | None = VARIABLES,
    extensions: dict[str, Any] | None = None,
) -> str:
    return answer_key(scope, sha256, operation_name, variables, extensions)


def test_same_question_same_key_and_scopes_apart() -> None:
    first = _key()
    assert _key(variables={"b": {"d": 3, "c": 2}, "a": 1}) == first
    assert _key(scope="scope-2") != first
    assert _key(variables={**VARIABLES, "a": 2}) != first
    assert _key(operation_name="Named") != first
    assert _key(sha256=document_hash("{ a }")) != first


def test_no_variables_and_empty_variables_are_different_questions() -> None:
    # graphql-core treats them alike, but a client that sends one always sends it the same way
    assert _key(variables=None) != _key(variables={})


def test_extensions_asking_for_more_are_another_question_but_a_persisted_query_is_not() -> None:
    plain = _key()
    assert _key(extensions={"cost": True}) != plain
    persisted = {"persistedQuery": {"version": 1, "sha256Hash": QUERY_HASH}}
    assert _key(extensions=persisted) == plain
    assert _key(extensions={**persisted, "cost": True}) == _key(extensions={"cost": True})
