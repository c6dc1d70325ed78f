"""The document cache: bounded by entries and by bytes, and exact error locations."""

import tracemalloc
from pathlib import Path

import pytest
from graphql import Source
from hypothesis import given, settings
from hypothesis import strategies as st

from partnergraph.schema.build import documents
from partnergraph.schema.documents import MAX_TOKENS, Documents

QUERIES = Path(__file__).resolve().parents[2] / "queries"


def _document(fields: int, salt: int) -> str:
    return "{ " + " ".join(f"a{salt}_{i}: __typename" for i in range(fields)) + " }"


def test_a_parsed_document_is_reused() -> None:
    cache = Documents(max_entries=10, max_bytes=10**7)
    text = _document(3, 0)
    assert cache.parsed(text) is cache.parsed(text)
    assert len(cache) == 1


def test_the_cache_holds_at_most_max_bytes_of_large_documents() -> None:
    cache = Documents(max_entries=1000, max_bytes=3_000_000)
    large = [_document(600, salt) for salt in range(20)]  # 1,803 tokens each: ~1.2 MB
    for text in large:
        cache.parsed(text)
        assert cache.bytes <= 3_000_000
    assert len(cache) == 2
    assert cache.parsed(large[-1]) is cache.parsed(large[-1])  # the latest stay


def test_the_cache_holds_at_most_max_entries_of_small_documents() -> None:
    cache = Documents(max_entries=5, max_bytes=10**9)
    for salt in range(50):
        cache.parsed(_document(1, salt))
    assert len(cache) == 5


@pytest.mark.parametrize(
    "text",
    [
        "{ " + " ".join(["__typename"] * (MAX_TOKENS - 2)) + " }",
        _document(MAX_TOKENS // 3 - 1, 0),
        "{ " + " ".join(f'a{i}: node(id: "x") {{ id }}' for i in range(MAX_TOKENS // 11)) + " }",
        (QUERIES / "BrandPermissions.graphql").read_text(),
    ],
    ids=["fields", "aliases", "arguments", "BrandPermissions"],
)
def test_the_byte_estimate_covers_what_a_document_holds(text: str) -> None:
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        parsed = Documents(max_entries=1, max_bytes=10**9).parsed(text)
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert held <= parsed.size <= 2 * held


def test_the_servers_cache_is_bounded_by_bytes() -> None:
    assert documents.max_bytes <= 64 * 1024 * 1024


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
    document = Documents(max_entries=1, max_bytes=10**7).parsed(body).document
    assert document.loc is not None
    position = data.draw(st.integers(0, len(body)))
    assert document.loc.source.get_location(position) == Source(body).get_location(position)
