"""A write to an owner's data: every read after it, in this request or any other, sees it."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from partnergraph.resolvers.context import RequestContext


@asynccontextmanager
async def writing(context: RequestContext, owner: str) -> AsyncIterator[None]:
    """Run the block's write to owner's data, then hide every read of that data made before it.

    The caches are invalidated unless the Graph API refused the write (see ReadCache.writing);
    the pages this request already loaded are forgotten either way.
    """
    try:
        async with context.services.cache.writing(owner):
            yield
    finally:
        context.pages.forget(owner)
