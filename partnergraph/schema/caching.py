"""The one place that decides whether an answer may be reused: by operation type and field marks.

Only queries are cached, decided from the executed operation's type, so a
mutation or subscription is never cached whatever its resolvers do. A query
field that reads live state (`rateLimit`) carries the `Uncached` mark, which
keeps any answer that resolves it out of the cache.
"""

from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from strawberry.extensions import FieldExtension, SchemaExtension
from strawberry.types import Info
from strawberry.types.graphql import OperationType

from partnergraph.resolvers.context import RequestContext

__all__ = ["AnswerCachePolicy", "Uncached"]


class AnswerCachePolicy(SchemaExtension):
    """Marks the answer of every operation but a query as not to be reused."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.operation_type is not OperationType.QUERY:
            _mark_live(context.context)
        yield


class Uncached(FieldExtension):
    """The mark of a field whose value must be read afresh: an answer with it is never reused."""

    def resolve(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        _mark_live(info.context)
        return next_(source, info, **kwargs)

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info, **kwargs: Any
    ) -> Any:
        _mark_live(info.context)
        return await next_(source, info, **kwargs)


def _mark_live(context: object) -> None:
    if isinstance(context, RequestContext):
        context.live = True
