"""The cost model: costs declared on the fields themselves, and one walk that adds them up.

A field that may read from the Graph API declares how (`Paged` for a
connection, `PerId` for a lookup by IDs) in its Strawberry metadata; a field
that declares nothing costs nothing. The walk measures an operation's cost in
upstream page reads, the nodes its answer may hold, its depth, its aliases and
its root fields in time linear in the document: each fragment is measured once
and scaled wherever it is spread, since a cost grows linearly with the number
of items above it.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    NullValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
)
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

__all__ = [
    "MAX_ALIASES",
    "MAX_COST",
    "MAX_DEPTH",
    "MAX_NODES",
    "MAX_ROOT_MUTATIONS",
    "Measure",
    "Paged",
    "PerId",
    "cost",
    "declared_cost",
    "measure",
]

MAX_DEPTH = 12
"""Levels of nested selections one operation may have."""
MAX_COST = 150
"""Upstream page reads one operation may cost."""
MAX_NODES = 10_100
"""Nodes one answer may hold by default (PARTNERGRAPH_MAX_NODES): a page of 100 under each of
100 items, the most queries/Viewer.graphql asks for."""
MAX_ALIASES = 200
"""Aliases one operation may hold, fragments counted wherever they are spread."""
MAX_ROOT_MUTATIONS = 5
"""Mutations one document may run: writes go out one after another, a bulk one at a time."""

_COST = "partnergraph.cost"


@dataclass(frozen=True, slots=True)
class Paged:
    """A connection: one upstream read for each parent item, and a page of items beneath."""

    default_page: int = 10
    max_page: int = 100
    size_arguments: tuple[str, ...] = ("first", "last")

    def reads_and_items(
        self, node: FieldNode, variables: Mapping[str, Any] | None
    ) -> tuple[int, int]:
        """The reads this field costs once, and the items its selection applies to."""
        for argument in node.arguments or ():
            if argument.name.value in self.size_arguments:
                size = _int_value(argument.value, variables)
                if size is not None:
                    return 1, max(1, min(self.max_page, size))
                if not _is_null(argument.value, variables):
                    return 1, self.max_page
        return 1, self.default_page


@dataclass(frozen=True, slots=True)
class PerId:
    """A lookup by IDs: one upstream read per ID, each ID's object beneath."""

    argument: str
    max_ids: int

    def reads_and_items(
        self, node: FieldNode, variables: Mapping[str, Any] | None
    ) -> tuple[int, int]:
        """The reads this field costs once, and the items its selection applies to."""
        ids = self.count(node, variables)
        return ids, ids

    def count(self, node: FieldNode, variables: Mapping[str, Any] | None) -> int:
        """How many IDs the field is given (a variable unknown yet counts as one)."""
        for argument in node.arguments or ():
            if argument.name.value != self.argument:
                continue
            value = argument.value
            if isinstance(value, ListValueNode):
                return len(value.values)
            if isinstance(value, VariableNode) and variables is not None:
                given = variables.get(value.name.value)
                return len(given) if isinstance(given, list) else 1
        return 1


FieldCost = Paged | PerId


def cost(declared: FieldCost) -> dict[str, FieldCost]:
    """Strawberry field metadata declaring what the field costs."""
    return {_COST: declared}


def declared_cost(field: GraphQLField) -> FieldCost | None:
    """The cost a schema field declares, or None when it reads nothing upstream."""
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField):
        return None
    declared = definition.metadata.get(_COST)
    return declared if isinstance(declared, Paged | PerId) else None


@dataclass(frozen=True, slots=True)
class Measure:
    """What one operation asks for, fragments expanded wherever they are spread."""

    cost: int
    """Upstream page reads it may cost."""
    nodes: int
    """Items its answer may hold: for each connection or lookup by IDs, its page size (or
    IDs) times those of the lists above it, as GitHub's node limit counts them."""
    depth: int
    """Levels of nested selections, the root's included."""
    aliases: int
    root_fields: int
    """Distinct root fields (response names) it runs, as the executor collects them."""
    too_many_ids: str | None
    """Why a lookup by IDs is refused, when it is given more IDs than it takes."""


@dataclass(frozen=True, slots=True)
class _Sum:
    cost: int
    nodes: int
    levels: int  # selection sets nested below this one, introspection left out
    aliases: int


_NOTHING = _Sum(0, 0, 0, 0)


def measure(
    schema: GraphQLSchema,
    document_fragments: Mapping[str, FragmentDefinitionNode],
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any] | None,
) -> Measure:
    """Measure an operation; variables None counts each variable page size at its maximum."""
    root = schema.get_root_type(operation.operation)
    walk = _Walk(schema, document_fragments, _with_defaults(operation, variables))
    total = walk.selection_set(operation.selection_set, root)
    return Measure(
        cost=total.cost,
        nodes=total.nodes,
        depth=1 + total.levels,
        aliases=total.aliases,
        root_fields=_root_field_count(operation.selection_set, document_fragments),
        too_many_ids=walk.too_many_ids,
    )


class _Walk:
    """Sums a selection set; each fragment is summed once, at one item, then scaled."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any] | None,
    ) -> None:
        self._schema = schema
        self._fragments = fragments
        self._variables = variables
        self._sums: dict[str, _Sum] = {}
        self._open: set[str] = set()  # fragments being summed: a cycle counts nothing
        self.too_many_ids: str | None = None

    def selection_set(self, node: SelectionSetNode, parent: GraphQLNamedType | None) -> _Sum:
        cost = nodes = levels = aliases = 0
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                if selection.alias is not None:
                    aliases += 1
                inner = self._field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.selection_set(
                    selection.selection_set,
                    self._schema.get_type(condition.name.value) if condition else parent,
                )
            elif isinstance(selection, FragmentSpreadNode):
                inner = self._fragment(selection.name.value)
            else:
                continue
            cost += inner.cost
            nodes += inner.nodes
            levels = max(levels, inner.levels)
            aliases += inner.aliases
        return _Sum(cost, nodes, levels, aliases)

    def _field(self, node: FieldNode, parent: GraphQLNamedType | None) -> _Sum:
        field = _field_of(parent, node.name.value)
        if node.selection_set is None:
            return _NOTHING
        inner = self.selection_set(
            node.selection_set, get_named_type(field.type) if field is not None else None
        )
        if node.name.value.startswith("__"):  # introspection reads the schema, not the Graph API
            return _Sum(0, 0, 0, inner.aliases)
        declared = declared_cost(field) if field is not None else None
        if declared is None:
            return _Sum(inner.cost, inner.nodes, inner.levels + 1, inner.aliases)
        if isinstance(declared, PerId) and self.too_many_ids is None:
            given = declared.count(node, self._variables)
            if given > declared.max_ids:
                self.too_many_ids = (
                    f"`{node.name.value}` takes at most {declared.max_ids} IDs, not {given}."
                )
        reads, items = declared.reads_and_items(node, self._variables)
        return _Sum(
            reads + items * inner.cost,
            items * (1 + inner.nodes),
            inner.levels + 1,
            inner.aliases,
        )

    def _fragment(self, name: str) -> _Sum:
        known = self._sums.get(name)
        if known is not None:
            return known
        definition = self._fragments.get(name)
        if definition is None or name in self._open:
            return _NOTHING
        self._open.add(name)
        summed = self.selection_set(
            definition.selection_set, self._schema.get_type(definition.type_condition.name.value)
        )
        self._open.discard(name)
        self._sums[name] = summed
        return summed


def _field_of(parent: GraphQLNamedType | None, name: str) -> GraphQLField | None:
    if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
        return None
    field: GraphQLField | None = parent.fields.get(name)
    return field


def _root_field_count(
    root: SelectionSetNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> int:
    """Distinct response names at the root, each fragment visited once, as graphql-core does."""
    names: set[str] = set()
    visited: set[str] = set()
    pending = [root]
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FieldNode):
                names.add((selection.alias or selection.name).value)
            elif isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = fragments.get(name)
                if fragment is not None and name not in visited:
                    visited.add(name)
                    pending.append(fragment.selection_set)
    return len(names)


def _with_defaults(
    operation: OperationDefinitionNode, variables: Mapping[str, Any] | None
) -> dict[str, Any] | None:
    """The variables as given, with the operation's defaults for those not given; None
    (each variable page size at its maximum) when they are not a mapping, which only a
    transport that does not check them passes on."""
    if not isinstance(variables, Mapping):
        return None
    values: dict[str, Any] = {}
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        default = definition.default_value
        if isinstance(default, IntValueNode):
            values[name] = int(default.value)
        elif isinstance(default, ListValueNode):
            values[name] = list(default.values)
    values.update(variables)
    return values


def _int_value(value: ValueNode, variables: Mapping[str, Any] | None) -> int | None:
    if isinstance(value, IntValueNode):
        return int(value.value)
    if isinstance(value, VariableNode) and variables is not None:
        given = variables.get(value.name.value)
        if isinstance(given, int) and not isinstance(given, bool):
            return given
    return None


def _is_null(value: ValueNode, variables: Mapping[str, Any] | None) -> bool:
    """Whether a value is null: a literal null, or a variable given no value."""
    if isinstance(value, VariableNode):
        return variables is not None and variables.get(value.name.value) is None
    return isinstance(value, NullValueNode)
