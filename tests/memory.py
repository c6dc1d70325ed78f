"""Measures what code leaves in memory: bytes with tracemalloc, objects the collector tracks."""

import gc
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# CPython caches the attribute names graphql-core's visitors build to look up their methods,
# some twenty kilobytes a validation whatever the document: nothing a cache of ours holds.
_METHOD_NAMES = [
    tracemalloc.Filter(inclusive=False, filename_pattern=f"*/graphql/{module}")
    for module in ("language/visitor.py", "utilities/type_info.py")
]


@contextmanager
def traced() -> Iterator[Callable[[], int]]:
    """Traces allocations in the block; yields a function of the bytes allocated since it
    began and still held once garbage is collected."""
    gc.collect()
    tracemalloc.start()
    try:

        def held() -> int:
            gc.collect()
            snapshot = tracemalloc.take_snapshot().filter_traces(_METHOD_NAMES)
            return sum(stat.size for stat in snapshot.statistics("filename"))

        yield held
    finally:
        tracemalloc.stop()


def tracked_objects() -> int:
    """The objects the garbage collector tracks, once garbage is collected."""
    gc.collect()
    return len(gc.get_objects())
