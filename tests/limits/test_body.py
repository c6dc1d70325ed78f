"""Request bodies over the limit: HTTP 413 with a JSON GraphQL error, declared or streamed."""

import pytest

from partnergraph.server.limits import MAX_BODY_BYTES
from tests.limits.conftest import Server


@pytest.mark.parametrize("declared", [True, False])
async def test_a_body_over_the_limit_is_413_before_it_is_read(
    server: Server, declared: bool
) -> None:
    body = b'{"query": "{ __typename }", "variables": {"x": "' + b"x" * MAX_BODY_BYTES + b'"}}'

    async def streamed() -> object:
        for start in range(0, len(body), 16_384):
            yield body[start : start + 16_384]

    content = body if declared else streamed()
    served = await server.hostile(
        None, content=content, headers={"Content-Type": "application/json"}
    )
    assert served.response.status_code == 413
    assert served.response.headers["content-type"] == "application/json"
    assert served.codes == ["QUERY_TOO_COMPLEX"]
    assert str(MAX_BODY_BYTES) in served.body["errors"][0]["message"]
    request_id = served.response.headers["x-request-id"]
    assert served.body["errors"][0]["extensions"]["requestId"] == request_id
    assert ("content-length" in served.response.request.headers) is declared


async def test_a_body_within_the_limit_is_read(server: Server) -> None:
    filler = "x" * (MAX_BODY_BYTES - 200)
    served = await server.hostile({"query": "{ __typename }", "variables": {"x": filler}})
    assert served.response.status_code == 200
    assert served.body == {"data": {"__typename": "Query"}}
