"""The document cache: bounded by entries, by the bytes and by the collected objects its
documents really hold, and exact error locations."""

from collections.abc import Callable
from pathlib import Path

import pytest
from graphql import GraphQLError, Source, validate
from hypothesis import given, settings
from hypothesis import strategies as st

from partnergraph.errors import QueryTooComplex
from partnergraph.schema.build import documents, schema
from partnergraph.schema.documents import MAX_TOKENS, Documents, Parsed
from tests.memory import traced, tracked_objects

QUERIES = Path(__file__).resolve().parents[2] / "queries"
UNBOUNDED = 10**12


def _document(fields: int, salt: int) -> str:
    return "{ " + " ".join(f"a{salt}_{i}: __typename" for i in range(fields)) + " }"


# Documents built to hold the most memory or objects for their size, each made distinct by a salt.
# Python keeps a text with one character past U+FFFF at four bytes per character, and holds a
# string's value again beside the text; an escape widens the value of an ASCII text likewise.
HOSTILE: dict[str, Callable[[int], str]] = {
    "fields": lambda salt: f"query Q{salt} {{ " + " __typename" * (MAX_TOKENS - 6) + " }",
    "arguments": lambda salt: (
        f"query Q{salt} {{ "
        + " ".join(f'a{i}: node(id: "x") {{ id }}' for i in range(MAX_TOKENS // 11 - 1))
        + " }"
    ),
    "emoji string": lambda salt: f'{{ brand(igId: "{salt}' + "😀" * 30_000 + '") { id } }',
    "widening escape": lambda salt: (
        f'{{ brand(igId: "{salt}\\uD83D\\uDE00' + "x" * 30_000 + '") { id } }'
    ),
    "block string": lambda salt: f'{{ brand(igId: """{salt}' + "😀" * 30_000 + '""") { id } }',
    "comment": lambda salt: f"#{salt}" + "😀" * 30_000 + "\n{ __typename }",
    "names": lambda salt: (
        "{ " + " ".join(f"a{salt}_{i}{'b' * 600}: __typename" for i in range(150)) + " }"
    ),
    "line breaks": lambda salt: f"{{ nope{salt}" + "\n" * 60_000 + " }",  # its error is located
    "errors": lambda salt: "{ " + " ".join(f"a{i}: nope{salt}" for i in range(200)) + " }",
    "quoted value": lambda salt: f'{{ brand(igId: {{x: "{salt}' + "😀" * 30_000 + '"}) { id } }',
}


def _cached(cache: Documents, text: str) -> Parsed:
    """The document parsed and validated against the server's schema, as a request does."""
    entry = cache.parsed(text)
    cache.validated(entry, validate(schema._schema, entry.document))
    return entry


def test_a_parsed_document_is_reused() -> None:
    cache = Documents(max_entries=10, max_bytes=10**7, max_objects=UNBOUNDED)
    text = _document(3, 0)
    assert cache.parsed(text) is cache.parsed(text)
    assert len(cache) == 1


def test_the_cache_holds_at_most_max_entries_of_small_documents() -> None:
    cache = Documents(max_entries=5, max_bytes=UNBOUNDED, max_objects=UNBOUNDED)
    for salt in range(50):
        cache.parsed(_document(1, salt))
    assert len(cache) == 5


@pytest.mark.parametrize(
    "text",
    [
        *(make(0) for make in HOSTILE.values()),
        _document(MAX_TOKENS // 3 - 1, 0),
        "{ a }",
        *(path.read_text() for path in sorted(QUERIES.glob("*.graphql"))),
    ],
    ids=[
        *HOSTILE,
        "aliases",
        "smallest",
        *(path.stem for path in sorted(QUERIES.glob("*.graphql"))),
    ],
)
def test_an_entrys_weight_covers_what_it_holds(text: str) -> None:
    cache = Documents(max_entries=1, max_bytes=UNBOUNDED, max_objects=UNBOUNDED)
    _cached(Documents(max_entries=1, max_bytes=1, max_objects=1), text)  # graphql-core warmed up
    objects = tracked_objects()
    with traced() as held:
        entry = _cached(cache, text[:-1] + text[-1])  # a text of its own, traced
        assert held() <= entry.size <= 2 * held()
    assert tracked_objects() - objects <= entry.objects
    assert (cache.bytes, cache.objects) == (entry.size, entry.objects)


@pytest.mark.parametrize("make", HOSTILE.values(), ids=HOSTILE)
def test_a_cache_full_of_hostile_documents_holds_about_its_bytes(
    make: Callable[[int], str],
) -> None:
    max_bytes = 2 * 1024 * 1024
    with traced() as held:
        cache = Documents(max_entries=UNBOUNDED, max_bytes=max_bytes, max_objects=UNBOUNDED)
        salt = 0
        while len(cache) > salt - 2:  # until two were dropped
            _cached(cache, make(salt))
            assert cache.bytes <= max_bytes
            salt += 1
        assert held() <= 1.2 * max_bytes


def test_a_cache_full_of_large_documents_holds_at_most_its_objects() -> None:
    max_objects = 30_000
    cache = Documents(max_entries=UNBOUNDED, max_bytes=UNBOUNDED, max_objects=max_objects)
    objects = tracked_objects()
    for salt in range(8):  # about 10,000 objects each
        _cached(cache, HOSTILE["fields"](salt))
        _cached(cache, (QUERIES / "BrandPermissions.graphql").read_text() + f"#{salt}")
        assert cache.objects <= max_objects
        assert tracked_objects() - objects <= max_objects
    assert 3 <= len(cache) < 16


def test_errors_of_an_unexpected_exception_are_not_kept_with_their_document() -> None:
    cache = Documents(max_entries=1, max_bytes=UNBOUNDED, max_objects=UNBOUNDED)
    entry = cache.parsed("{ a }")
    cache.validated(entry, [GraphQLError("boom", original_error=RuntimeError("boom"))])
    assert entry.errors is None  # validated again next time, and its traceback logged each time
    expected = GraphQLError("refused", original_error=QueryTooComplex("refused"))
    cache.validated(entry, [expected])
    assert entry.errors == [expected]
    assert cache.bytes == entry.size


def test_the_servers_cache_is_bounded_by_bytes_and_objects() -> None:
    assert documents.max_bytes <= 64 * 1024 * 1024
    assert documents.max_objects <= 100_000


_PADDING = st.lists(
    st.tuples(
        st.sampled_from(["", " ", "\t", "# a comment", "#"]),
        st.sampled_from(["\n", "\r", "\r\n"]),
    ),
    max_size=30,
).map(lambda lines: "".join(text + end for text, end in lines))


@settings(max_examples=300, deadline=None)
@given(padding=_PADDING, data=st.data())
def test_error_locations_are_graphql_cores(padding: str, data: st.DataObject) -> None:
    body = padding + "{ x }"
    cache = Documents(max_entries=1, max_bytes=10**7, max_objects=UNBOUNDED)
    document = cache.parsed(body).document
    assert document.loc is not None
    position = data.draw(st.integers(0, len(body)))
    assert document.loc.source.get_location(position) == Source(body).get_location(position)
