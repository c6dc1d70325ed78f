"""Parses and validates each distinct document once, in a cache bounded by entries and bytes.

Parsing stops at MAX_TOKENS (graphql-core's own limit, enforced while it
lexes), so no document costs more than that to parse. Documents are parsed
from a Source that finds an error's line by bisection over line starts found
once: graphql-core's own rescans the text up to the error, for every error.
"""

import re
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field

from graphql import DocumentNode, GraphQLError, GraphQLSyntaxError, Source, SourceLocation, parse
from strawberry.extensions import SchemaExtension

from partnergraph.errors import QueryTooComplex

__all__ = ["MAX_TOKENS", "CachedDocuments", "Documents", "Parsed"]

MAX_TOKENS = 2000
"""Lexical tokens (comments included) one document may hold; parsing stops past them."""
BYTES_PER_TOKEN = 640
"""The most one token of a parsed document holds, measured with tracemalloc: a field of one
name, its own node, is about 610 bytes; tokens of other documents hold 350 to 420."""

_NEWLINE = re.compile(r"\r\n|[\n\r]")  # the line breaks of the GraphQL spec
_ABORTED = "Parsing aborted."  # how graphql-core ends the description of a limit it enforced


@dataclass(slots=True)
class Parsed:
    """A parsed document, its validation errors once known, and what it holds in memory."""

    document: DocumentNode
    size: int
    errors: list[GraphQLError] | None = field(default=None)


class Documents:
    """Parsed documents by text, least recently used first out, within entries and bytes."""

    def __init__(self, *, max_entries: int, max_bytes: int, max_tokens: int = MAX_TOKENS) -> None:
        self._entries: OrderedDict[str, Parsed] = OrderedDict()
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._max_tokens = max_tokens
        self.bytes = 0
        """The estimated memory the cached documents hold."""

    def __len__(self) -> int:
        return len(self._entries)

    def parsed(self, query: str) -> Parsed:
        """A query text parsed, now or earlier; GraphQLError when it does not parse."""
        entry = self._entries.get(query)
        if entry is not None:
            self._entries.move_to_end(query)
            return entry
        document = self._parse(query)
        tokens: int = getattr(document, "token_count", len(query))
        entry = Parsed(document, size=len(query) + BYTES_PER_TOKEN * tokens)
        if entry.size <= self.max_bytes:
            self._entries[query] = entry
            self.bytes += entry.size
            while len(self._entries) > self.max_entries or self.bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self.bytes -= dropped.size
        return entry

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
            entry.errors = list(context.pre_execution_errors or ())


class _IndexedSource(Source):
    """A Source that finds a position's line by bisection, its line breaks found once."""

    def __init__(self, body: str) -> None:
        super().__init__(body)
        self._breaks: tuple[list[int], list[int]] | None = None

    def get_location(self, position: int) -> SourceLocation:
        if self._breaks is None:
            found = list(_NEWLINE.finditer(self.body))
            self._breaks = ([match.start() for match in found], [match.end() for match in found])
        starts, ends = self._breaks
        before = bisect_left(starts, position)  # the line breaks that start before it
        line_start = ends[before - 1] if before else 0
        return SourceLocation(before + 1, position + 1 - line_start)
