"""Documents built to cost work faster than their size: each is answered at once with a coded
error (or correctly), while /healthz keeps answering, by a real server in demo mode."""

import pytest

from partnergraph.resolvers.echo import SHOWN
from partnergraph.schema.complexity import MAX_ALIASES, MAX_DEPTH, MAX_ROOT_MUTATIONS
from partnergraph.schema.documents import MAX_TOKENS
from partnergraph.schema.errors import MAX_MESSAGE
from tests.limits.conftest import Server

CHAIN = 40
"""Fragments in a chain, each spreading the next twice: 2**40 spreads, expanded."""


def _chain(leaf: str, links: int = CHAIN) -> str:
    """A brand's selection through fragments F0..Fn, each spreading the next twice."""
    fragments = " ".join(
        f"fragment F{i} on Brand {{ ...F{i + 1} ...F{i + 1} }}" for i in range(links)
    )
    return f"query($b: ID!) {{ brand(igId: $b) {{ ...F0 }} }} {fragments} " + (
        f"fragment F{links} on Brand {{ {leaf} }}"
    )


async def test_a_refused_value_nested_deep_costs_an_answer_linear_in_the_request(
    server: Server,
) -> None:
    # graphql-core prints a refused value in its message, indented: depth n, n² characters.
    sizes = []
    for depth in (60, 120):
        nested = "{a:" * depth + "1" + "}" * depth
        defaults = " ".join(f"$v{i}: Int = {nested}" for i in range(4))
        served = await server.hostile({"query": f"query({defaults}) {{ __typename }}"})
        assert set(served.codes) == {"BAD_USER_INPUT"}
        assert all(len(error["message"]) <= MAX_MESSAGE for error in served.body["errors"])
        sizes.append(len(served.response.content))
    assert sizes[1] <= 2.1 * sizes[0]


async def test_a_fragment_chain_is_measured_once_per_fragment(server: Server) -> None:
    brand = server.demo.big_brand
    await server.reset_stats()
    served = await server.hostile({"query": _chain("igId"), "variables": {"b": brand}})
    assert served.body == {"data": {"brand": {"igId": brand}}}  # the executor spreads each once

    costly = _chain("permissions(first: 1) { nodes { id } }")
    served = await server.hostile({"query": costly, "variables": {"b": brand}})
    assert served.codes == ["QUERY_TOO_COMPLEX"]
    # refused before validation on its nodes (one per read here), measured without expanding
    assert f"may return {2**CHAIN} nodes" in served.body["errors"][0]["message"]

    aliased = await server.hostile({"query": _chain("a: igId"), "variables": {"b": brand}})
    assert aliased.codes == ["QUERY_TOO_COMPLEX"]
    assert f"{2**CHAIN} aliases" in aliased.body["errors"][0]["message"]
    assert await server.upstream_calls() == 0


async def test_thousands_of_failing_fields_cost_linear_time(server: Server) -> None:
    # graphql-core finds an error's line by scanning the text before it, for every error:
    # 140 errors after 60,000 line breaks took two seconds, the server frozen meanwhile.
    padding = 60_000  # 120 KB of JSON, within the body limit
    fields = "\n".join(f'f{i}: node(id: "x{i}") {{ id }}' for i in range(140))
    served = await server.hostile({"query": "{" + "\n" * padding + fields + "}"})
    errors = served.body["errors"]
    assert served.codes == ["BAD_USER_INPUT"] * 140
    assert [error["path"] for error in errors] == [[f"f{i}"] for i in range(140)]
    assert [error["locations"] for error in errors] == [
        [{"line": padding + 1 + i, "column": 1}] for i in range(140)
    ]


async def test_fields_that_overlap_by_name_are_refused_before_they_cost(server: Server) -> None:
    # graphql-core compares every pair of fields with one response name (quadratic); within
    # the token limit it still spent a second on this one, now it gives up early.
    document = "{ " + " ".join(["rateLimit { appCallCount }"] * 399) + " }"
    served = await server.hostile({"query": document})
    assert served.codes == ["QUERY_TOO_COMPLEX"]
    assert "data" not in served.body  # refused before it ran


async def test_a_document_over_the_token_limit_is_not_parsed_further(server: Server) -> None:
    within = "{ __typename " + "#\n" * (MAX_TOKENS - 3) + "}"  # comments are tokens too
    assert (await server.hostile({"query": within})).body == {"data": {"__typename": "Query"}}
    served = await server.hostile({"query": "{ " + " ".join(["__typename"] * 10_000) + " }"})
    assert served.codes == ["QUERY_TOO_COMPLEX"]
    assert f"more than {MAX_TOKENS} tokens" in served.body["errors"][0]["message"]
    comments = "{ __typename " + "#\n" * (MAX_TOKENS - 2) + "}"
    assert (await server.hostile({"query": comments})).codes == ["QUERY_TOO_COMPLEX"]


async def test_aliases_are_counted_wherever_a_fragment_is_spread(server: Server) -> None:
    many = "{ " + " ".join(f"a{i}: __typename" for i in range(MAX_ALIASES)) + " }"
    assert "errors" not in (await server.hostile({"query": many})).body
    too_many = "{ " + " ".join(f"a{i}: __typename" for i in range(MAX_ALIASES + 1)) + " }"
    assert (await server.hostile({"query": too_many})).codes == ["QUERY_TOO_COMPLEX"]
    half = " ".join(f"a{i}: igId" for i in range(MAX_ALIASES // 2 + 1))
    spread_twice = (
        'query { x: brand(igId: "1") { ...Half } y: brand(igId: "2") { ...Half } } '
        f"fragment Half on Brand {{ {half} }}"
    )
    served = await server.hostile({"query": spread_twice})
    assert served.codes == ["QUERY_TOO_COMPLEX"]
    assert f"{2 * (MAX_ALIASES // 2 + 1) + 2} aliases" in served.body["errors"][0]["message"]


def _nested(depth: int, brand: str) -> str:
    """A brand, its permissions, their brands and so on: `depth` selection sets deep."""
    cycle = ["permissions(first: 1)", "nodes", "brand"]
    fields = [f'brand(igId: "{brand}")'] + [cycle[i % 3] for i in range(depth - 2)]
    return "{ " + " { ".join(fields) + " { __typename" + " }" * len(fields) + " }"


async def test_depth_is_limited_even_where_cost_is_not(server: Server) -> None:
    await server.reset_stats()
    allowed = await server.hostile({"query": _nested(MAX_DEPTH, server.demo.big_brand)})
    assert "errors" not in allowed.body, allowed.body
    assert await server.upstream_calls() == 1  # the same brand's first permission, read once
    served = await server.hostile({"query": _nested(MAX_DEPTH + 1, server.demo.big_brand)})
    assert served.codes == ["QUERY_TOO_COMPLEX"]
    assert f"deeper than {MAX_DEPTH} levels" in served.body["errors"][0]["message"]
    hostile = "{ " + "rateLimit { " * 600 + "appCallCount" + " }" * 600 + " }"
    assert (await server.hostile({"query": hostile})).codes == ["QUERY_TOO_COMPLEX"]


def _mutations(names: range) -> str:
    """requestPermission fields without a creator: each a userError, no upstream call."""
    return " ".join(
        f'm{i}: requestPermission(input: {{brandId: "BRAND"}}) {{ userErrors {{ code }} }}'
        for i in names
    )


async def test_a_document_runs_a_handful_of_mutations(server: Server) -> None:
    def document(text: str) -> dict[str, str]:
        return {"query": text.replace("BRAND", server.demo.big_brand)}

    await server.reset_stats()
    handful = f"mutation {{ {_mutations(range(MAX_ROOT_MUTATIONS))} }}"
    answered = await server.hostile(document(handful))
    codes = [payload["userErrors"][0]["code"] for payload in answered.body["data"].values()]
    assert codes == ["INVALID_INPUT"] * MAX_ROOT_MUTATIONS
    more = f"mutation {{ {_mutations(range(MAX_ROOT_MUTATIONS + 1))} }}"
    served = await server.hostile(document(more))
    assert served.codes == ["QUERY_TOO_COMPLEX"]
    assert "data" not in served.body  # refused before it ran
    # through fragments: each one counted once, as the executor runs it
    a = f"fragment A on Mutation {{ {_mutations(range(3))} }}"
    b = f"fragment B on Mutation {{ {_mutations(range(3, 6))} }}"
    twice = await server.hostile(document(f"mutation {{ ...A ...A }} {a}"))
    assert sorted(twice.body["data"]) == ["m0", "m1", "m2"]
    six = await server.hostile(document(f"mutation {{ ...A ...A ...B }} {a} {b}"))
    assert six.codes == ["QUERY_TOO_COMPLEX"]
    assert await server.upstream_calls() == 0


def _bulk(creators: int, field: str, value: str, brand: str) -> dict[str, object]:
    """requestPermissions of `creators` entries, each naming the creator by the one variable."""
    refs = ", ".join([f"{{{field}: $x}}"] * creators)
    kind = "ID" if field == "igId" else "String"
    query = (
        f"mutation($x: {kind}!) {{ requestPermissions(input: "
        f'{{brandId: "{brand}", creators: [{refs}]}}) {{ userErrors {{ field message code }} }} }}'
    )
    return {"query": query, "variables": {"x": value}}


@pytest.mark.parametrize("token", [True, False], ids=["token", "no-token"])
@pytest.mark.parametrize("field", ["username", "igId"])
async def test_an_invalid_creator_named_many_times_costs_an_answer_linear_in_the_request(
    server: Server, field: str, token: bool
) -> None:
    # Each entry's user error quoted the whole value: 320 entries of one 120,000-character
    # variable (124 KB) made an answer of 192 MB. Each quotes 40 characters now.
    headers = {} if token else {"Authorization": ""}
    await server.reset_stats()
    sizes = []
    for creators, length in [(100, 20_000), (200, 40_000)]:
        request = _bulk(creators, field, "\x7f" * length, server.demo.big_brand)
        served = await server.hostile(request, headers=headers)
        errors = served.body["data"]["requestPermissions"]["userErrors"]
        assert [error["code"] for error in errors] == ["INVALID_INPUT"] * creators
        assert errors[-1]["field"] == ["creators", str(creators - 1), field]
        assert errors[0]["message"].startswith(repr("\x7f" * SHOWN) + "…")
        sizes.append(len(served.response.content))
    assert sizes[1] <= 2.1 * sizes[0]  # twice the request, twice the answer (in bytes)
    assert sizes[1] < 400 * 200  # bytes per entry: a short quote, not the value
    assert await server.upstream_calls() == 0
