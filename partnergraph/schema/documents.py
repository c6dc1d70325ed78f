"""Parses and validates each distinct document once, in a cache bounded by entries, bytes and
the objects the garbage collector walks.

Parsing stops at MAX_TOKENS (graphql-core's own limit, enforced while it
lexes), so no document costs more than that to parse. Documents are parsed
from a Source that finds an error's line by bisection over line starts found
once: graphql-core's own rescans the text up to the error, for every error.

Each entry is weighed by what it holds: its text and every token's value at
their size in memory (a character may take four bytes, and an escape sequence
may widen a value past its text), plus a measured cost per token, per line
break and per validation error. Every cached token holds a few objects the
garbage collector tracks (the token, its node, their locations), and each full
collection walks all of them: bounding them keeps those pauses short.
"""

import re
import sys
from array import array
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field

from graphql import DocumentNode, GraphQLError, GraphQLSyntaxError, Source, SourceLocation, parse
from strawberry.extensions import SchemaExtension

from partnergraph.errors import PartnergraphError, QueryTooComplex
from partnergraph.schema.canonical import layout_free_digest

__all__ = ["MAX_TOKENS", "CachedDocuments", "Documents", "Parsed"]

MAX_TOKENS = 2000
"""Lexical tokens (comments included) one document may hold; parsing stops past them."""
BYTES_PER_TOKEN = 600
"""The most one token of a parsed document holds besides its value's text, measured with
tracemalloc: a field of one name, its own node, is about 560 bytes; other tokens hold 200 to 350."""
OBJECTS_PER_TOKEN = 5
"""The most objects the garbage collector tracks per token of a parsed document, counted: a
field of one name holds five (its token, node, name node and their locations); others 2 to 4."""
OBJECTS_PER_DOCUMENT = 10
"""The objects the garbage collector tracks per document besides its tokens' (its entry, source,
list of errors)."""
BYTES_PER_LINE_BREAK = 18
"""What the Source keeps per line break once it locates an error: its start and end, 8 bytes
each, in arrays that grow by a sixteenth."""
BYTES_PER_ERROR = 800
"""The most a validation error holds besides its message, measured with tracemalloc: 600 to 700
bytes (its nodes, positions and locations)."""
OBJECTS_PER_ERROR = 8
"""The most objects the garbage collector tracks per validation error, counted: 5 to 7."""

_NEWLINE = re.compile(r"\r\n|[\n\r]")  # the line breaks of the GraphQL spec
_ABORTED = "Parsing aborted."  # how graphql-core ends the description of a limit it enforced


@dataclass(slots=True)
class Parsed:
    """A parsed document, its validation errors once known, and what it holds in memory."""

    text: str
    """The document's text, its key in the cache."""
    document: DocumentNode
    size: int
    """Bytes it holds (an upper bound)."""
    objects: int
    """Objects it holds that the garbage collector tracks (an upper bound)."""
    errors: list[GraphQLError] | None = field(default=None)
    digest: bytes | None = field(default=None)
    """Its layout-free digest, once asked for (canonical.layout_free_digest)."""


class Documents:
    """Parsed documents by text, least recently used first out, within three bounds."""

    def __init__(
        self, *, max_entries: int, max_bytes: int, max_objects: int, max_tokens: int = MAX_TOKENS
    ) -> None:
        self._entries: OrderedDict[str, Parsed] = OrderedDict()
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.max_objects = max_objects
        self._max_tokens = max_tokens
        self.bytes = 0
        """The bytes the cached documents hold."""
        self.objects = 0
        """The objects the garbage collector tracks that the cached documents hold."""

    def __len__(self) -> int:
        return len(self._entries)

    def parsed(self, query: str) -> Parsed:
        """A query text parsed, now or earlier; GraphQLError when it does not parse."""
        entry = self._entries.get(query)
        if entry is not None:
            self._entries.move_to_end(query)
            return entry
        entry = _weighed(query, self._parse(query))
        if entry.size <= self.max_bytes and entry.objects <= self.max_objects:
            self._entries[query] = entry
            self._grow(entry.size, entry.objects)
        return entry

    def layout_free(self, query: str) -> bytes:
        """The layout-free digest of a query text, computed once with its parse; GraphQLError
        when it does not parse, RecursionError when nested too deeply to hash."""
        entry = self.parsed(query)
        if entry.digest is None:
            entry.digest = layout_free_digest(entry.document)
            size = sys.getsizeof(entry.digest)
            entry.size += size
            if self._entries.get(entry.text) is entry:
                self._grow(size, 0)
        return entry.digest

    def validated(self, entry: Parsed, errors: list[GraphQLError]) -> None:
        """Keep a document's validation errors with it, weighed, without the frames of the
        validation that raised them; but not an unexpected error's, whose traceback is logged."""
        originals = [error.original_error for error in errors if error.original_error is not None]
        if not all(isinstance(o, GraphQLError | PartnergraphError) for o in originals):
            return
        for raised in (*errors, *originals):
            raised.__traceback__ = None  # its frames hold the whole validation's state
        entry.errors = errors
        size = BYTES_PER_ERROR * len(errors) + sum(
            2 * sys.getsizeof(error.message)  # its original error may hold the message again
            for error in errors
        )
        objects = OBJECTS_PER_ERROR * len(errors)
        entry.size += size
        entry.objects += objects
        if self._entries.get(entry.text) is entry:
            self._grow(size, objects)

    def _grow(self, size: int, objects: int) -> None:
        """Count what was added, and drop the least recently used until within every bound."""
        self.bytes += size
        self.objects += objects
        while self._entries and (
            len(self._entries) > self.max_entries
            or self.bytes > self.max_bytes
            or self.objects > self.max_objects
        ):
            _, dropped = self._entries.popitem(last=False)
            self.bytes -= dropped.size
            self.objects -= dropped.objects

    def _parse(self, query: str) -> DocumentNode:
        try:
            return parse(_IndexedSource(query), max_tokens=self._max_tokens)
        except GraphQLSyntaxError as error:
            if not error.description.endswith(_ABORTED):
                raise
            refused = QueryTooComplex(error.description)  # too many tokens, or nested too deeply
            raise GraphQLError(
                error.description,
                source=error.source,
                positions=error.positions,
                original_error=refused,
            ) from None


def _weighed(text: str, document: DocumentNode) -> Parsed:
    """A parsed document with what it holds: its text, its tokens' values, its tokens."""
    size = sys.getsizeof(text)
    tokens = 0
    token = document.loc.start_token if document.loc is not None else None
    while token is not None:
        tokens += 1
        if token.value is not None:  # names, values and comments; their nodes share it
            size += sys.getsizeof(token.value)
        token = token.next
    size += BYTES_PER_TOKEN * tokens
    size += BYTES_PER_LINE_BREAK * (text.count("\n") + text.count("\r"))
    objects = OBJECTS_PER_DOCUMENT + OBJECTS_PER_TOKEN * tokens
    return Parsed(text, document, size=size, objects=objects)


class CachedDocuments(SchemaExtension):
    """Takes each request's document, and its validation errors, from the cache when there."""

    def __init__(self, documents: Documents) -> None:
        self._documents = documents
        self._entry: Parsed | None = None

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query:  # Strawberry answers a missing query itself
            self._entry = self._documents.parsed(context.query)
            context.graphql_document = self._entry.document
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        entry = self._entry
        if entry is not None and entry.errors is not None:
            context.pre_execution_errors = entry.errors
        yield
        if entry is not None and entry.errors is None:
            self._documents.validated(entry, list(context.pre_execution_errors or ()))


class _IndexedSource(Source):
    """A Source that finds a position's line by bisection, its line breaks found once."""

    def __init__(self, body: str) -> None:
        super().__init__(body)
        self._breaks: tuple[array[int], array[int]] | None = None

    def get_location(self, position: int) -> SourceLocation:
        if self._breaks is None:
            starts, ends = array("q"), array("q")  # BYTES_PER_LINE_BREAK
            for match in _NEWLINE.finditer(self.body):
                starts.append(match.start())
                ends.append(match.end())
            self._breaks = (starts, ends)
        starts, ends = self._breaks
        before = bisect_left(starts, position)  # the line breaks that start before it
        line_start = ends[before - 1] if before else 0
        return SourceLocation(before + 1, position + 1 - line_start)
