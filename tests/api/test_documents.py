"""What a stream of distinct documents leaves in the app's memory: bounded, in the objects each
full garbage collection walks as well as in bytes."""

from partnergraph.schema.build import documents
from partnergraph.schema.documents import MAX_TOKENS
from tests.api.conftest import Api
from tests.memory import tracked_objects


async def test_distinct_large_documents_leave_at_most_the_caches_objects(api: Api) -> None:
    objects = tracked_objects()
    for salt in range(15):  # each holds 10,000 objects once parsed: 150,000 if all were kept
        document = f"#{salt}\n{{" + " __typename" * (MAX_TOKENS - 3) + " }"
        body = await api.run(document)
        assert [error["extensions"]["code"] for error in body["errors"]] == ["QUERY_TOO_COMPLEX"]
    assert documents.parsed(document).errors is not None  # the latest is cached, validated
    assert tracked_objects() - objects <= 100_000  # about as many as the server holds anyway
