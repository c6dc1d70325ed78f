"""An execution context that completes plain scalar and enum fields without per-field machinery.

Most of a page's fields are attributes of a record serialized as they are
(`status`, `username`, `cursor`…). For each of them graphql-core builds a
resolve info, calls Strawberry's default resolver, checks for awaitables three
times and dispatches on the type before it serializes. Here such a field is read
and serialized directly; anything else, and any value that would need an error
or an await, goes through graphql-core's own path, so results and errors are
exactly the same.
"""

from typing import Any, NamedTuple

from graphql import GraphQLLeafType, GraphQLObjectType, Undefined
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import AwaitableOrValue, Path, UndefinedType
from graphql.type import get_nullable_type, is_leaf_type
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

__all__ = ["ExecutionContext"]


class _PlainLeaf(NamedTuple):
    attribute: str
    leaf_type: GraphQLLeafType
    nullable: bool


_MISSING = object()


class ExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor with a direct path for attributes serialized as they are."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        self._direct = not (manager and manager.middlewares)

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> AwaitableOrValue[Any] | UndefinedType:
        name = field_details_list[0].node.name.value
        plain = _plain_leaf(parent_type, name)
        if plain is not None and self._direct:
            value = getattr(source, plain.attribute, _MISSING)
            if value is None and plain.nullable:
                return None
            if value is not None and value is not _MISSING and not self.is_awaitable(value):
                try:
                    serialized = plain.leaf_type.coerce_output_value(value)
                except Exception:
                    serialized = None
                if serialized is not None and serialized is not Undefined:
                    return serialized
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )


_plans: dict[GraphQLObjectType, dict[str, _PlainLeaf | None]] = {}


def _plain_leaf(parent_type: GraphQLObjectType, name: str) -> _PlainLeaf | None:
    plans = _plans.get(parent_type)
    if plans is None:
        plans = _plans[parent_type] = {}
    try:
        return plans[name]
    except KeyError:
        plan = plans[name] = _plan(parent_type, name)
        return plan


def _plan(parent_type: GraphQLObjectType, name: str) -> _PlainLeaf | None:
    field = parent_type.fields.get(name)
    if field is None or not getattr(field.resolve, "_is_default", False):
        return None
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    leaf_type = get_nullable_type(field.type)
    if (
        not isinstance(definition, StrawberryField)
        or definition.default_resolver is not getattr
        or not is_leaf_type(leaf_type)
    ):
        return None
    return _PlainLeaf(definition.python_name, leaf_type, nullable=leaf_type is field.type)
