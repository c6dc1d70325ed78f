"""The cost model: every field that reads upstream declares its cost, and the walk adds it up."""

from typing import Any

import strawberry
from graphql import (
    FragmentDefinitionNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    get_named_type,
    parse,
)

from partnergraph.schema.build import schema
from partnergraph.schema.complexity import Measure, Paged, PerId, cost, declared_cost, measure
from partnergraph.schema.connections import Connection


def _uncosted_connections(graphql_schema: GraphQLSchema) -> tuple[list[str], list[str]]:
    """The fields returning a connection: those declaring a cost, and those that do not."""
    costed: list[str] = []
    uncosted: list[str] = []
    for type_ in graphql_schema.type_map.values():
        if not isinstance(type_, GraphQLObjectType | GraphQLInterfaceType):
            continue
        for name, field in type_.fields.items():
            if get_named_type(field.type).name.endswith("Connection"):
                found = costed if declared_cost(field) is not None else uncosted
                found.append(f"{type_.name}.{name}")
    return costed, uncosted


def test_every_connection_field_declares_its_cost() -> None:
    costed, uncosted = _uncosted_connections(schema._schema)
    assert uncosted == []
    assert {"Brand.permissions", "Creator.invites"} <= set(costed)


def test_a_connection_field_without_a_cost_is_found() -> None:
    @strawberry.type
    class Item:
        name: str

    @strawberry.type
    class Query:
        @strawberry.field(metadata=cost(Paged()))  # type: ignore[untyped-decorator]
        def costed(self) -> Connection[Item]:
            raise NotImplementedError

        @strawberry.field
        def free(self) -> Connection[Item]:
            raise NotImplementedError

    costed, uncosted = _uncosted_connections(strawberry.Schema(Query)._schema)
    assert (costed, uncosted) == (["Query.costed"], ["Query.free"])


def test_lookups_by_id_declare_a_read_per_id() -> None:
    query = schema._schema.query_type
    assert query is not None
    assert declared_cost(query.fields["nodes"]) == PerId("ids", max_ids=100)
    assert declared_cost(query.fields["node"]) == PerId("id", max_ids=1)
    assert declared_cost(query.fields["brand"]) is None  # no upstream call by itself


def _measure(document: str, variables: Any = None) -> Measure:
    parsed = parse(document)
    operation = next(d for d in parsed.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {
        d.name.value: d for d in parsed.definitions if isinstance(d, FragmentDefinitionNode)
    }
    return measure(schema._schema, fragments, operation, variables)


INVITES = "creator { invites(first: 3) { nodes { mediaId } } }"


def test_a_fragment_costs_as_much_wherever_it_is_spread() -> None:
    inline = _measure(
        f'{{ a: brand(igId: "1") {{ permissions(first: 4) {{ nodes {{ {INVITES} }} }} }} '
        f'b: brand(igId: "2") {{ permissions(first: 4) {{ nodes {{ {INVITES} }} }} }} }}'
    )
    spread = _measure(
        '{ a: brand(igId: "1") { ...P } b: brand(igId: "2") { ...P } } '
        f"fragment P on Brand {{ permissions(first: 4) {{ nodes {{ ...C }} }} }} "
        f"fragment C on Permission {{ {INVITES} }}"
    )
    assert inline.cost == spread.cost == 2 * (1 + 4 * 1)
    assert inline.depth == spread.depth == 7
    assert (inline.aliases, spread.aliases) == (2, 2)


def test_variables_count_as_given_and_unknown_sizes_at_their_maximum() -> None:
    document = (
        "query($ids: [ID!]!, $n: Int = 7) "
        "{ nodes(ids: $ids) { ... on Brand { permissions(first: $n) { nodes { id } } } } }"
    )
    assert _measure(document, {"ids": ["1", "2"]}).cost == 2 + 2 * 1
    assert _measure(document, {"ids": ["1"] * 101}).too_many_ids == (
        "`nodes` takes at most 100 IDs, not 101."
    )
    nested = (
        'query($n: Int) { brand(igId: "1") { permissions(first: $n) '
        f"{{ nodes {{ {INVITES} }} }} }} }}"
    )
    assert _measure(nested, {"n": 5}).cost == 1 + 5
    assert _measure(nested, {}).cost == 1 + 10  # not given: the default page
    assert _measure(nested, None).cost == 1 + 100  # unknown: the largest page


def test_variables_that_are_not_an_object_count_as_unknown() -> None:
    nested = (
        'query($n: Int = 5) { brand(igId: "1") { permissions(first: $n) '
        f"{{ nodes {{ {INVITES} }} }} }} }}"
    )
    assert _measure(nested, [1]).cost == _measure(nested, "n").cost == 1 + 100


def test_nodes_count_each_page_times_the_lists_above_it() -> None:
    nested = _measure(
        f'{{ brand(igId: "1") {{ permissions(first: 4) {{ nodes {{ {INVITES} }} }} }} }}'
    )
    assert nested.nodes == 4 + 4 * 3  # four permissions, three invites under each
    aliased = _measure(
        '{ brand(igId: "1") { '
        + " ".join(f"a{i}: permissions(first: 100) {{ nodes {{ id }} }}" for i in range(150))
        + " } }"
    )
    assert (aliased.cost, aliased.nodes) == (150, 150 * 100)  # within the cost, not the nodes
    spread = _measure(
        '{ nodes(ids: ["1", "2"]) { ...B } } '
        "fragment B on Brand { permissions(first: 5) { nodes { id } } }"
    )
    assert spread.nodes == 2 + 2 * 5
    assert _measure("{ __schema { types { name } } rateLimit { appCallCount } }").nodes == 0
