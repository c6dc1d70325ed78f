"""A validation rule that refuses documents too deep or costing too many upstream page reads.

`Query.nodes(ids: $ids)` is counted as one ID here, since validation never
sees variables; its resolver counts again with the real list (nodes_cost).
"""

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
)

MAX_DEPTH = 12
MAX_COST = 150
MAX_NODES = 100
"""IDs one `Query.nodes` may take; each may cost an upstream read."""
CONNECTION_FIELDS = frozenset({"permissions", "invites", "instagramAccounts"})
_LIST_SIZE_ARGUMENTS = ("first", "last")
_DEFAULT_PAGE = 10
_MAX_PAGE = 100
_QUERY_TOO_COMPLEX = {"code": "QUERY_TOO_COMPLEX"}


class ComplexityRule(ValidationRule):
    """Counts each connection field as one upstream read per parent item that may hold it."""

    def enter_operation_definition(self, node: OperationDefinitionNode, *_args: object) -> None:
        fragments = {
            definition.name.value: definition
            for definition in self.context.document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        walk = _Walk(fragments)
        walk.selection_set(node.selection_set, depth=1, multiplier=1, seen=frozenset())
        if walk.too_deep:
            self._refuse(node, f"The document is nested deeper than {MAX_DEPTH} levels.")
        elif walk.cost > MAX_COST:
            self._refuse(
                node,
                f"The document may cost {walk.cost} upstream page reads; the limit is "
                f"{MAX_COST}. Ask for smaller pages or fewer nested lists.",
            )

    def _refuse(self, node: OperationDefinitionNode, message: str) -> None:
        self.report_error(GraphQLError(message, node, extensions=_QUERY_TOO_COMPLEX))


def nodes_cost(node: FieldNode, fragments: dict[str, FragmentDefinitionNode], ids: int) -> int:
    """The page reads a `Query.nodes` field may cost with that many IDs, counted as above."""
    walk = _Walk(fragments, ids=ids)
    walk.field(node, depth=1, multiplier=1, seen=frozenset())
    return walk.cost


class _Walk:
    def __init__(
        self, fragments: dict[str, FragmentDefinitionNode], ids: int | None = None
    ) -> None:
        self.fragments = fragments
        self.ids = ids
        self.cost = 0
        self.too_deep = False

    def selection_set(
        self, selections: SelectionSetNode, *, depth: int, multiplier: int, seen: frozenset[str]
    ) -> None:
        if depth > MAX_DEPTH:
            self.too_deep = True
            return
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                if selection.name.value.startswith("__"):
                    continue  # introspection reads the schema, not the Graph API
                self.field(selection, depth=depth, multiplier=multiplier, seen=seen)
            elif isinstance(selection, InlineFragmentNode):
                self.selection_set(
                    selection.selection_set, depth=depth, multiplier=multiplier, seen=seen
                )
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is not None and name not in seen:
                    self.selection_set(
                        fragment.selection_set,
                        depth=depth,
                        multiplier=multiplier,
                        seen=seen | {name},
                    )

    def field(self, node: FieldNode, *, depth: int, multiplier: int, seen: frozenset[str]) -> None:
        inner = multiplier
        if node.name.value in CONNECTION_FIELDS:
            self.cost += multiplier
            inner = multiplier * _page_size(node)
        elif node.name.value == "nodes" and depth == 1:  # Query.nodes, not a connection's
            inner = multiplier * (self.ids if self.ids is not None else _literal_ids_count(node))
            self.cost += inner
        if node.selection_set is not None:
            self.selection_set(node.selection_set, depth=depth + 1, multiplier=inner, seen=seen)


def _literal_ids_count(node: FieldNode) -> int:
    for argument in node.arguments or ():
        if argument.name.value == "ids" and isinstance(argument.value, ListValueNode):
            return max(1, len(argument.value.values))
    return 1


def _page_size(node: FieldNode) -> int:
    for argument in node.arguments or ():
        if argument.name.value in _LIST_SIZE_ARGUMENTS:
            if isinstance(argument.value, IntValueNode):
                return max(1, min(_MAX_PAGE, int(argument.value.value)))
            return _MAX_PAGE
    return _DEFAULT_PAGE
