"""Small requests asking for huge answers: the nodes an answer may hold are counted and refused
over the limit before anything runs, by a real server in demo mode."""

from partnergraph.schema.complexity import MAX_NODES
from tests.limits.conftest import Server

PAGE = 100
FIELDS = "nodes { id status rawStatus creator { id username } }"


def _aliased_pages(brand: str, pages: int) -> str:
    """One brand's first page of 100 permissions, asked for `pages` times under aliases (the
    attack's 150 make a document of 5 KB within the token limit, through a fragment)."""
    aliased = " ".join(f"a{i}: permissions(first: {PAGE}) {{ ...P }}" for i in range(pages))
    return (
        f'{{ brand(igId: "{brand}") {{ {aliased} }} }} '
        f"fragment P on PermissionConnection {{ {FIELDS} }}"
    )


async def test_an_answer_of_more_nodes_than_the_limit_is_refused_before_it_runs(
    server: Server,
) -> None:
    brand = server.demo.big_brand
    await server.reset_stats()
    # The attack: 150 pages of 100 within the cost limit (150 page reads), 2.9 MB answered.
    served = await server.hostile({"query": _aliased_pages(brand, 150)})
    assert served.codes == ["QUERY_TOO_COMPLEX"]
    assert "data" not in served.body
    message = served.body["errors"][0]["message"]
    assert f"may return {150 * PAGE} nodes; the limit is {MAX_NODES}" in message
    assert len(served.response.content) < 1024
    assert await server.upstream_calls() == 0

    most = MAX_NODES // PAGE
    within = await server.hostile({"query": _aliased_pages(brand, most)})
    assert "errors" not in within.body
    assert len(within.body["data"]["brand"]) == most
    over = await server.hostile({"query": _aliased_pages(brand, most + 1)})
    assert over.codes == ["QUERY_TOO_COMPLEX"]


async def test_the_cost_extension_reports_the_nodes_and_their_limit(server: Server) -> None:
    query = (
        f'{{ brand(igId: "{server.demo.big_brand}") {{ permissions(first: 5) {{ {FIELDS} }} }} }}'
    )
    served = await server.hostile({"query": query, "extensions": {"cost": True}})
    assert served.body["extensions"] == {
        "cost": {"pageReads": 1, "limit": 150, "nodes": 5, "nodeLimit": MAX_NODES}
    }


async def test_nodes_are_counted_with_the_variables_of_each_request(server: Server) -> None:
    # A refusal with one request's variables is not kept with the document for the next.
    aliased = " ".join(f"a{i}: permissions(first: $n) {{ ...P }}" for i in range(120))
    query = (
        f"query($b: ID!, $n: Int) {{ brand(igId: $b) {{ {aliased} }} }} "
        f"fragment P on PermissionConnection {{ {FIELDS} }}"
    )
    brand = server.demo.big_brand
    for n, codes in [(5, []), (100, ["QUERY_TOO_COMPLEX"]), (5, [])]:
        served = await server.hostile({"query": query, "variables": {"b": brand, "n": n}})
        assert served.codes == codes
        if not codes:
            assert len(served.body["data"]["brand"]["a119"]["nodes"]) == n
