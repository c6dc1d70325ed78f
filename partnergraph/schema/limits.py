"""Refuses a document over the limits before anything runs, and reports its cost on request.

Depth, aliases and the number of mutations are checked before graphql-core
validates the document (some of its rules grow faster than the document:
bounded input keeps them fast), and so are the nodes its answer holds
whatever its variables: a document asking for a huge answer is refused before
it costs a validation (and the refusal is kept with the document, as its
validation errors are). The cost in upstream page reads and the nodes with
the request's variables are checked just before execution.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    get_operation_ast,
)
from strawberry.extensions import SchemaExtension
from strawberry.types.execution import ExecutionResult

from partnergraph.errors import QueryTooComplex
from partnergraph.resolvers.context import RequestContext
from partnergraph.schema.complexity import (
    MAX_ALIASES,
    MAX_COST,
    MAX_DEPTH,
    MAX_NODES,
    MAX_ROOT_MUTATIONS,
    Measure,
    measure,
)

__all__ = ["CostLimit", "StructureLimits"]

COST_EXTENSION = "cost"
"""The request extension asking for `extensions.cost` in the response."""


class StructureLimits(SchemaExtension):
    """Before validation: every operation's depth, aliases, number of mutations and nodes."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if context.pre_execution_errors is None and document is not None:
            schema, max_nodes = context.schema._schema, _max_nodes(context.context)
            errors = [
                error
                for operation in _operations(document)
                if (error := _structure_error(schema, document, operation, max_nodes))
            ]
            if errors:
                context.pre_execution_errors = errors
        yield


class CostLimit(SchemaExtension):
    """Before execution: the operation's cost and nodes with its variables; `extensions.cost`
    (its page reads and nodes, and their limits) if asked."""

    def __init__(self) -> None:
        self._measured: Measure | None = None
        self._max_nodes = MAX_NODES

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        operation = get_operation_ast(document, context.operation_name) if document else None
        self._max_nodes = _max_nodes(context.context)
        if context.result is None and document is not None and operation is not None:
            measured = _measure(context.schema._schema, document, operation, context.variables)
            self._measured = measured
            refusal = _cost_refusal(measured, self._max_nodes)
            if refusal is not None:
                context.result = ExecutionResult(data=None, errors=[_refusal(refusal, operation)])
        yield

    def get_results(self) -> dict[str, Any]:
        asked = (self.execution_context.operation_extensions or {}).get(COST_EXTENSION)
        measured = self._measured
        if asked is not True or measured is None:
            return {}
        return {
            COST_EXTENSION: {
                "pageReads": measured.cost,
                "limit": MAX_COST,
                "nodes": measured.nodes,
                "nodeLimit": self._max_nodes,
            }
        }


_TOO_NESTED = "The document nests fragments too deeply to be measured."


def _max_nodes(context: object) -> int:
    """The nodes an answer may hold: the services' setting, MAX_NODES without them."""
    return context.services.max_nodes if isinstance(context, RequestContext) else MAX_NODES


def _structure_error(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    max_nodes: int,
) -> GraphQLError | None:
    measured = _measure(schema, document, operation, None)
    if measured is None:
        message: str | None = _TOO_NESTED
    elif measured.depth > MAX_DEPTH:
        message = f"The document is nested deeper than {MAX_DEPTH} levels."
    elif measured.aliases > MAX_ALIASES:
        message = f"The document holds {measured.aliases} aliases; the limit is {MAX_ALIASES}."
    elif (
        operation.operation is OperationType.MUTATION and measured.root_fields > MAX_ROOT_MUTATIONS
    ):
        message = (
            f"The document runs {measured.root_fields} mutations; the limit is "
            f"{MAX_ROOT_MUTATIONS}. Send more in one bulk mutation, or in several documents."
        )
    elif (least := _least_nodes(schema, document, operation)) > max_nodes:
        message = _too_many_nodes(least, max_nodes)
    else:
        message = None
    return _refusal(message, operation) if message else None


def _least_nodes(
    schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode
) -> int:
    """The fewest nodes the operation's answer may hold, whatever its variables: each
    variable taken as 1 (the smallest page size, a single ID)."""
    definitions = operation.variable_definitions or ()
    least = {definition.variable.name.value: 1 for definition in definitions}
    measured = _measure(schema, document, operation, least)
    return measured.nodes if measured is not None else 0


def _too_many_nodes(nodes: int, max_nodes: int) -> str:
    return (
        f"The document may return {nodes} nodes; the limit is {max_nodes}. "
        "Ask for smaller pages, fewer aliases or fewer nested lists."
    )


def _cost_refusal(measured: Measure | None, max_nodes: int) -> str | None:
    if measured is None:
        return _TOO_NESTED
    if measured.too_many_ids is not None:
        return measured.too_many_ids
    if measured.cost > MAX_COST:
        return (
            f"The document may cost {measured.cost} upstream page reads; the limit is "
            f"{MAX_COST}. Ask for smaller pages, fewer IDs or fewer nested lists."
        )
    if measured.nodes > max_nodes:
        return _too_many_nodes(measured.nodes, max_nodes)
    return None


def _measure(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any] | None,
) -> Measure | None:
    """The operation's measure, or None when fragments nest too deeply to walk."""
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    try:
        return measure(schema, fragments, operation, variables)
    except RecursionError:
        return None


def _operations(document: DocumentNode) -> Iterator[OperationDefinitionNode]:
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            yield definition


def _refusal(message: str, operation: OperationDefinitionNode) -> GraphQLError:
    return GraphQLError(message, operation, original_error=QueryTooComplex(message))
