"""Every operation of queries/ selects `id` wherever it can: normalised caches merge its objects."""

from pathlib import Path

import pytest
from graphql import (
    FieldNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    build_schema,
    get_named_type,
    parse,
    visit,
)

ROOT = Path(__file__).resolve().parents[2]
QUERIES = sorted((ROOT / "queries").glob("*.graphql"))
SCHEMA = build_schema((ROOT / "schema.graphql").read_text())


class _MissingIds(Visitor):
    """Collects the paths of selection sets on a type with an `id` field that leave it out."""

    def __init__(self, type_info: TypeInfo) -> None:
        super().__init__()
        self.type_info = type_info
        self.path: list[str] = []
        self.missing: list[str] = []

    def enter_field(self, node: FieldNode, *_: object) -> None:
        self.path.append(node.alias.value if node.alias else node.name.value)
        named = get_named_type(self.type_info.get_type())
        if node.selection_set is None or not isinstance(
            named, GraphQLObjectType | GraphQLInterfaceType
        ):
            return
        if "id" in named.fields and not _selects_id(node.selection_set, named.name):
            self.missing.append(f"{'.'.join(self.path)} ({named.name})")

    def leave_field(self, *_: object) -> None:
        self.path.pop()


def _selects_id(selection_set: SelectionSetNode, type_name: str) -> bool:
    """Whether `id` is in the selection set, directly or in a fragment on the same type."""
    for selection in selection_set.selections:
        if (
            isinstance(selection, FieldNode)
            and selection.name.value == "id"
            and not selection.alias
        ):
            return True
        if (
            isinstance(selection, InlineFragmentNode)
            and _on_type(selection, type_name)
            and _selects_id(selection.selection_set, type_name)
        ):
            return True
    return False


def _on_type(fragment: InlineFragmentNode, type_name: str) -> bool:
    condition = fragment.type_condition
    return condition is None or condition.name.value == type_name


def missing_ids(document: str, schema: GraphQLSchema = SCHEMA) -> list[str]:
    """The fields of `document` whose objects have an `id` that the document does not select."""
    type_info = TypeInfo(schema)
    finder = _MissingIds(type_info)
    visit(parse(document), TypeInfoVisitor(type_info, finder))
    return finder.missing


@pytest.mark.parametrize("path", QUERIES, ids=[path.stem for path in QUERIES])
def test_operation_selects_id_on_every_object_that_has_one(path: Path) -> None:
    assert missing_ids(path.read_text()) == []


def test_a_missing_id_is_found_at_its_path() -> None:
    document = """
        query Missing($id: ID!, $brandId: ID!) {
          node(id: $id) { ... on Permission { id creator { igId } } }
          brand(igId: $brandId) {
            id
            first: permissions(first: 1) { nodes { id brand { id: igId } } }
          }
        }
    """
    assert missing_ids(document) == [
        "node (Node)",
        "node.creator (Creator)",
        "brand.first.nodes.brand (Brand)",
    ]


def test_an_id_selected_on_the_same_type_through_a_fragment_counts() -> None:
    document = "query Q($id: ID!) { creator(igId: $id) { ... on Creator { id } igId } }"
    assert missing_ids(document) == []
