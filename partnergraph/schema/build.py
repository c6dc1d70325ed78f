"""Builds the one Schema: types, roots, the document cache, limits, error codes."""

from collections.abc import Iterable
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode
from graphql.validation.rules import overlapping_fields_can_be_merged
from strawberry import Schema
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from partnergraph.errors import BadUserInput
from partnergraph.schema import errors
from partnergraph.schema.caching import AnswerCachePolicy
from partnergraph.schema.documents import CachedDocuments, Documents
from partnergraph.schema.execution import execution_context_class
from partnergraph.schema.limits import CostLimit, StructureLimits
from partnergraph.schema.mutations import Mutation
from partnergraph.schema.nodes import Brand, Creator, Invite, Permission
from partnergraph.schema.operation_record import OperationRecord
from partnergraph.schema.query import Query
from partnergraph.schema.subscription import Subscription

# graphql-core meters the work of its one rule that grows faster than the document
# (OverlappingFieldsCanBeMerged) and aborts validation when the budget is spent; its
# default (500,000 units, about a second of CPU) is sized for any schema. A tenth of it
# is still far above what documents within MAX_TOKENS cost here but for those built to.
overlapping_fields_can_be_merged.MAX_COMPLEXITY_BUDGET = 50_000

documents = Documents(max_entries=1024, max_bytes=64 * 1024 * 1024, max_objects=100_000)
"""Parsed documents and their validation errors, shared by every request of the process."""


class _Schema(Schema):
    async def execute(  # noqa: PLR0917 - Strawberry's own signature
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        """Execute, but refuse several operations without an operationName, as the spec says."""
        message = unpicked_operation(query, operation_name)
        if message is not None:
            error = GraphQLError(message, original_error=BadUserInput(message))
            return ExecutionResult(data=None, errors=[error])
        return await super().execute(
            query,
            variable_values,
            context_value,
            root_value,
            operation_name,
            allowed_operation_types,
            operation_extensions,
        )

    def process_errors(
        self, errors_: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors_:
            errors.log(error)


def unpicked_operation(query: str | None, operation_name: str | None) -> str | None:
    """Why a document cannot run: it holds several operations and operationName picks none.
    None when it can (or does not parse, which is answered as usual)."""
    operations = _operation_count(query) if operation_name is None else 1
    if operations < 2:
        return None
    return f"The document holds {operations} operations; name the one to run in `operationName`."


def _operation_count(query: str | None) -> int:
    if not query:
        return 0
    try:
        document = documents.parsed(query).document
    except GraphQLError:
        return 0  # the parse error is answered as usual
    return sum(isinstance(d, OperationDefinitionNode) for d in document.definitions)


schema = _Schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    types=[Brand, Creator, Permission, Invite],
    execution_context_class=execution_context_class(),
    extensions=[
        lambda: CachedDocuments(documents),
        OperationRecord,
        StructureLimits,
        CostLimit,
        AnswerCachePolicy,
        errors.StreamedErrorCodes,
    ],
)
