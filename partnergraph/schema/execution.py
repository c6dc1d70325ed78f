"""An execution context that completes plain scalar and enum fields without per-field machinery.

Most of a page's fields are attributes of a record serialized as they are
(`status`, `username`, `cursor`…). For each of them graphql-core builds a
resolve info, calls Strawberry's default resolver, checks for awaitables three
times and dispatches on the type before it serializes. Here such a field (no
resolver, permission class or field extension) is read and serialized
directly; anything else, and any read or value that would need an error or an
await, goes through graphql-core's own path, so results and errors are exactly
the same.
"""

from typing import Any, ClassVar, NamedTuple

from graphql import GraphQLLeafType, GraphQLObjectType, Undefined
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import AwaitableOrValue, Path, UndefinedType
from graphql.type import get_nullable_type, is_leaf_type
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

__all__ = ["DirectExecutionContext", "Plans", "execution_context_class"]


class _PlainLeaf(NamedTuple):
    attribute: str
    leaf_type: GraphQLLeafType
    nullable: bool


_MISSING = object()


Plans = dict[GraphQLObjectType, dict[str, _PlainLeaf | None]]


def execution_context_class() -> type["DirectExecutionContext"]:
    """A DirectExecutionContext for one schema: its plans go when that schema goes."""

    class ForOneSchema(DirectExecutionContext):
        plans: ClassVar[Plans] = {}

    return ForOneSchema


class DirectExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor with a direct path for attributes serialized as they are."""

    plans: ClassVar[Plans]
    """How each field of each object type is serialized directly, or None: the schema's own."""

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
        if self._direct:
            plain = self._plain_leaf(parent_type, field_details_list[0].node.name.value)
            if plain is not None:
                serialized = self._serialized(source, plain)
                if serialized is not _MISSING:
                    return serialized
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )

    def _plain_leaf(self, parent_type: GraphQLObjectType, name: str) -> _PlainLeaf | None:
        plans = self.plans.get(parent_type)
        if plans is None:
            plans = self.plans[parent_type] = {}
        if name not in plans:
            plans[name] = _plan(parent_type, name)
        return plans[name]

    def _serialized(self, source: Any, plain: _PlainLeaf) -> Any:
        """The field's value serialized, or _MISSING where graphql-core must complete it."""
        try:
            value = getattr(source, plain.attribute)
            if value is None:
                return None if plain.nullable else _MISSING
            if isinstance(value, Exception) or self.is_awaitable(value):
                return _MISSING
            serialized = plain.leaf_type.coerce_output_value(value)
        except Exception:  # graphql-core's path reports it where it belongs
            return _MISSING
        return _MISSING if serialized is None or serialized is Undefined else serialized


def _plan(parent_type: GraphQLObjectType, name: str) -> _PlainLeaf | None:
    field = parent_type.fields.get(name)
    if field is None or not getattr(field.resolve, "_is_default", False):
        return None
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    leaf_type = get_nullable_type(field.type)
    if (
        not isinstance(definition, StrawberryField)
        or not definition.is_basic_field
        or definition.default_resolver is not getattr
        or not is_leaf_type(leaf_type)
    ):
        return None
    return _PlainLeaf(definition.python_name, leaf_type, nullable=leaf_type is field.type)
