"""Refuses a mutation document with a malformed owner ID before any of its mutations runs.

Mutations run one after another and their payloads are non-null, so a bad
`brandId` in the second mutation of a document would null the whole answer
after the first had already written: the client would lose that write's
result. Checking every mutation's owner ID first keeps the document whole.
"""

from collections.abc import Iterator
from typing import Any, Protocol, runtime_checkable

from graphql import FieldNode, FragmentDefinitionNode, GraphQLError, get_operation_ast
from graphql.execution.collect_fields import FragmentDetails, collect_fields
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.arguments import convert_arguments
from strawberry.types.execution import ExecutionResult
from strawberry.types.field import StrawberryField
from strawberry.types.graphql import OperationType

from partnergraph.errors import BadUserInput

__all__ = ["MutationIdsCheck"]


@runtime_checkable
class OwnedInput(Protocol):
    """A mutation input naming the brand or creator whose data it writes."""

    def owner(self) -> str:
        """The owner's Instagram user ID; BadUserInput when the input names none."""
        ...


class MutationIdsCheck(SchemaExtension):
    """Answers a mutation document with its malformed owner IDs instead of running any of it."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.result is None and context.operation_type is OperationType.MUTATION:
            errors = list(self._malformed())
            if errors:
                context.result = ExecutionResult(data=None, errors=errors)
        yield

    def _malformed(self) -> Iterator[GraphQLError]:
        context = self.execution_context
        schema = context.schema._schema
        document = context.graphql_document
        operation = get_operation_ast(document, context.operation_name) if document else None
        if document is None or operation is None or schema.mutation_type is None:
            return
        variables = get_variable_values(
            schema, operation.variable_definitions or (), context.variables or {}
        )
        if isinstance(variables, list):
            return  # graphql-core answers those errors itself
        fragments = {
            definition.name.value: FragmentDetails(definition)
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        # The root fields as graphql-core will run them: fragments spread, @skip/@include applied.
        root = collect_fields(schema, fragments, variables, schema.mutation_type, operation)
        for name, field_details in root.grouped_field_set.items():
            selection = field_details[0].node
            for value in self._arguments(selection, variables).values():
                if isinstance(value, OwnedInput):
                    try:
                        value.owner()
                    except BadUserInput as error:
                        yield GraphQLError(error.message, selection, path=[name])

    def _arguments(self, selection: FieldNode, variables: VariableValues) -> dict[str, Any]:
        """A root mutation field's arguments as its resolver gets them; {} if they don't coerce."""
        strawberry_schema = self.execution_context.schema
        mutation_type = strawberry_schema._schema.mutation_type
        field = mutation_type.fields.get(selection.name.value) if mutation_type else None
        if field is None:
            return {}
        definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
        if not isinstance(definition, StrawberryField):
            return {}
        try:
            raw = get_argument_values(field, selection, variables)
        except GraphQLError:
            return {}  # graphql-core answers it when the field runs
        return convert_arguments(
            raw,
            definition.arguments,
            scalar_registry=strawberry_schema.schema_converter.scalar_registry,
            config=strawberry_schema.config,
        )
