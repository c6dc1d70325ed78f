"""A write to an owner's data: every read after it, in this request or any other, sees it."""

from collections.abc import Iterator
from contextlib import contextmanager

from partnergraph.resolvers.context import RequestContext


@contextmanager
def writing(context: RequestContext, owner: str) -> Iterator[None]:
    """Run the block's write to owner's data, then hide every read of that data made before it.

    The caches are invalidated unless the Graph API refused the write (see ReadCache.writing);
    the pages this request already loaded are forgotten either way.
    """
    try:
        with context.services.cache.writing(owner):
            yield
    finally:
        context.pages.forget(owner)
