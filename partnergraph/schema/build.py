"""Builds the one Schema: types, roots, caches of parsing and validation, limits, error codes."""

from graphql import GraphQLError
from strawberry import Schema
from strawberry.extensions import AddValidationRules, ParserCache, ValidationCache
from strawberry.types import ExecutionContext

from partnergraph.schema import errors
from partnergraph.schema.complexity import ComplexityRule
from partnergraph.schema.execution import execution_context_class
from partnergraph.schema.mutations import Mutation
from partnergraph.schema.nodes import Brand, Creator, Invite, Permission
from partnergraph.schema.operation_record import OperationRecord
from partnergraph.schema.query import Query
from partnergraph.schema.subscription import Subscription

_DOCUMENT_CACHE_SIZE = 1024


class _Schema(Schema):
    def process_errors(
        self, errors_: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors_:
            errors.log(error)


schema = _Schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    types=[Brand, Creator, Permission, Invite],
    execution_context_class=execution_context_class(),
    extensions=[
        lambda: ParserCache(maxsize=_DOCUMENT_CACHE_SIZE),
        lambda: ValidationCache(maxsize=_DOCUMENT_CACHE_SIZE),
        lambda: AddValidationRules([ComplexityRule]),
        OperationRecord,
    ],
)
