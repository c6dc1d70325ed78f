"""The published contract stays in step with the code: schema.graphql and every queries/ file."""

import subprocess
import sys
from pathlib import Path

import pytest
from graphql import OperationDefinitionNode, get_introspection_query, parse, validate

from partnergraph.schema.build import schema

ROOT = Path(__file__).resolve().parents[1]
QUERIES = sorted((ROOT / "queries").glob("*.graphql"))


def test_schema_graphql_is_the_export() -> None:
    exported = subprocess.run(
        [sys.executable, "-m", "partnergraph", "export-schema"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert exported == (ROOT / "schema.graphql").read_text(), "run `make schema` and commit"


@pytest.mark.parametrize("path", QUERIES, ids=[path.stem for path in QUERIES])
def test_query_file_is_one_valid_operation_named_after_the_file(path: Path) -> None:
    document = parse(path.read_text())
    assert validate(schema._schema, document) == []
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    assert [op.name.value if op.name else None for op in operations] == [path.stem]


def test_introspection_is_allowed() -> None:
    errors = validate(schema._schema, parse(get_introspection_query()))
    assert errors == []
    result = schema.execute_sync(get_introspection_query())
    assert result.errors is None
