"""`viewer`: the token's user and its Instagram accounts, against the emulator's `/me` listings."""

from typing import Any

import pytest

from tests.api.conftest import Api, Demo, nodes

ACCOUNTS = """
query Accounts($first: Int, $after: String, $last: Int, $before: String) {
  viewer {
    instagramAccounts(first: $first, after: $after, last: $last, before: $before) {
      totalCount
      edges {
        cursor
        node {
          id igId username facebookPageId facebookPageName
          brand { id igId username }
          creator { id igId username facebookPageId }
        }
      }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}
"""
DASHBOARD = """
query Dashboard {
  viewer {
    instagramAccounts(first: 50) {
      nodes {
        id
        brand { id igId username permissions(first: 5) { totalCount nodes { id status } } }
      }
    }
  }
}
"""


async def pages_of(api: Api, token: str) -> list[dict[str, Any]]:
    """The emulator's own `/me/accounts` of a token, every Page with its Instagram account."""
    response = await api.emulator.get(
        "/v23.0/me/accounts",
        params={
            "access_token": token,
            "limit": 100,
            "fields": "id,name,instagram_business_account{id,username}",
        },
    )
    pages: list[dict[str, Any]] = []
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        pages += body["data"]
        if "next" not in body.get("paging", {}):
            return pages
        response = await api.emulator.get(body["paging"]["next"])


def accounts_of(pages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The accounts the viewer must list: one per Page with an Instagram account, in order."""
    return [
        {
            "igId": page["instagram_business_account"]["id"],
            "username": page["instagram_business_account"]["username"],
            "facebookPageId": page["id"],
            "facebookPageName": page["name"],
        }
        for page in pages
        if "instagram_business_account" in page
    ]


async def connection(api: Api, token: str, **arguments: Any) -> dict[str, Any]:
    body = await api.run(ACCOUNTS, arguments, token=token)
    assert "errors" not in body, body["errors"]
    found: dict[str, Any] = body["data"]["viewer"]["instagramAccounts"]
    return found


async def walk(api: Api, token: str, n: int) -> list[dict[str, Any]]:
    """Every page of `first: n`, following endCursor."""
    pages = [await connection(api, token, first=n)]
    while pages[-1]["pageInfo"]["hasNextPage"]:
        after = pages[-1]["pageInfo"]["endCursor"]
        pages.append(await connection(api, token, first=n, after=after))
    return pages


def listed(pages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    fields = ("igId", "username", "facebookPageId", "facebookPageName")
    return [{f: node[f] for f in fields} for page in pages for node in nodes(page)]


async def test_viewer_is_the_tokens_user(api: Api, demo: Demo) -> None:
    for token in (demo.agency, demo.in_house, demo.creator_token):
        me = (await api.emulator.get("/me", params={"access_token": token})).json()
        body = await api.run("{ viewer { userId name } }", token=token)
        assert body["data"]["viewer"] == {"userId": me["id"], "name": me["name"]}
    state = next(t for t in demo.state["tokens"] if t["token"] == demo.creator_token)
    body = await api.run("{ viewer { userId } }", token=demo.creator_token)
    assert body["data"]["viewer"]["userId"] == state["userId"]


@pytest.mark.parametrize("n", [1, 7, 50, 100])
async def test_the_agency_lists_exactly_the_accounts_it_manages(
    api: Api, demo: Demo, n: int
) -> None:
    expected = accounts_of(await pages_of(api, demo.agency))
    agency = next(t for t in demo.state["tokens"] if t["token"] == demo.agency)
    assert [a["igId"] for a in expected] == agency["brandIds"]
    pages = await walk(api, demo.agency, n)
    assert listed(pages) == expected
    assert len(pages) == -(-len(expected) // n)
    assert all(len(page["edges"]) == n for page in pages[:-1])
    assert all(page["totalCount"] == len(expected) == 125 for page in pages)
    for account in (node for page in pages for node in nodes(page)):
        username = demo.brand(account["igId"])["username"]
        assert account["username"] == username
        assert account["brand"]["igId"] == account["igId"]
        assert account["brand"]["username"] == username
        assert account["creator"] == {
            "id": account["creator"]["id"],
            "igId": account["igId"],
            "username": username,
            "facebookPageId": account["facebookPageId"],
        }


@pytest.mark.parametrize("n", [1, 2, 3, 10])
async def test_pages_without_instagram_are_skipped_without_breaking_paging(
    api: Api, demo: Demo, n: int
) -> None:
    pages_listed = await pages_of(api, demo.in_house)
    expected = accounts_of(pages_listed)
    assert len(expected) == 7 < len(pages_listed)
    pages = await walk(api, demo.in_house, n)
    assert listed(pages) == expected
    assert all(len(page["edges"]) == n for page in pages[:-1])
    assert not pages[0]["pageInfo"]["hasPreviousPage"]
    # the Graph API counts Pages; the connection says so rather than guess
    assert {page["totalCount"] for page in pages} == {len(pages_listed)}
    # and back from the last edge, to the start
    last = pages[-1]["edges"][-1]["cursor"]
    back = await connection(api, demo.in_house, last=n, before=last)
    assert listed([back]) == expected[-1 - n : -1]


async def test_a_creator_sees_its_own_account_or_none(api: Api, demo: Demo) -> None:
    with_page = [
        t
        for t in demo.state["tokens"]
        if t["role"] == "creator" and demo.creator(t["userId"])["facebookPageId"]
    ]
    without = [
        t
        for t in demo.state["tokens"]
        if t["role"] == "creator" and not demo.creator(t["userId"])["facebookPageId"]
    ]
    for token in with_page:
        creator = demo.creator(token["userId"])
        found = await connection(api, token["token"])
        assert found["totalCount"] == 1
        (account,) = nodes(found)
        assert account["igId"] == creator["id"]
        assert account["creator"]["username"] == creator["username"]
        assert account["creator"]["facebookPageId"] == creator["facebookPageId"]
    for token in without:
        found = await connection(api, token["token"])
        assert found["edges"] == []
        assert found["totalCount"] == 0
        assert found["pageInfo"]["hasNextPage"] is False


async def test_a_dashboard_of_50_brands_costs_one_accounts_call_and_one_batch(
    api: Api, demo: Demo
) -> None:
    await api.reset_stats()
    body = await api.run(DASHBOARD)
    assert "errors" not in body, body["errors"]
    accounts = body["data"]["viewer"]["instagramAccounts"]["nodes"]
    assert len(accounts) == 50
    for account in accounts:
        brand = demo.brand(account["brand"]["igId"])
        assert account["brand"]["username"] == brand["username"]
        assert account["brand"]["permissions"]["totalCount"] == brand["permissionCount"]
        assert len(account["brand"]["permissions"]["nodes"]) == min(5, brand["permissionCount"])
    stats = await api.upstream_calls()
    assert stats["total"] == 2
    assert stats["byEdge"]["accounts"] == {"GET": 1}
    assert stats["byEdge"]["batch"] == {"POST": 1}
    assert stats["byEdge"]["branded_content_ad_permissions"]["GET"] == 50
    assert stats["byEdge"]["me"] == {"GET": 0}


async def test_me_and_accounts_in_one_document_go_as_one_batch(api: Api, demo: Demo) -> None:
    await api.reset_stats()
    body = await api.run("{ viewer { userId name instagramAccounts(first: 2) { totalCount } } }")
    assert body["data"]["viewer"]["instagramAccounts"]["totalCount"] == 125
    stats = await api.upstream_calls()
    assert stats["total"] == 1
    assert stats["byEdge"]["batch"] == {"POST": 1}
    assert stats["byEdge"]["me"] == {"GET": 1}
    assert stats["byEdge"]["accounts"] == {"GET": 1}


async def test_viewer_alone_costs_nothing_and_repeats_are_cached(api: Api, demo: Demo) -> None:
    await api.reset_stats()
    assert (await api.run("{ viewer { __typename } }"))["data"] == {
        "viewer": {"__typename": "Viewer"}
    }
    assert (await api.upstream_calls())["total"] == 0
    first = await connection(api, demo.agency, first=5)
    await api.reset_stats()
    assert await connection(api, demo.agency, first=5) == first
    assert (await api.upstream_calls())["total"] == 0


async def test_node_resolves_an_account_the_token_manages(api: Api, demo: Demo) -> None:
    found = await connection(api, demo.in_house, first=5)
    account = nodes(found)[3]
    node = (await api.data("Node", {"id": account["id"]}, token=demo.in_house))["node"]
    assert node == {
        "__typename": "InstagramAccount",
        "id": account["id"],
        "igId": account["igId"],
        "username": account["username"],
        "facebookPageId": account["facebookPageId"],
        "facebookPageName": account["facebookPageName"],
    }
    # the agency manages the big brand, the in-house team does not: no such account for it
    big = next(n for n in nodes(await connection(api, demo.agency)) if n["igId"] == demo.big_brand)
    body = await api.op("Node", {"id": big["id"]}, token=demo.in_house)
    assert body["data"]["node"] is None
    assert "errors" not in body


@pytest.mark.parametrize(
    ("token", "code"), [(None, "UNAUTHENTICATED"), ("expired", "UNAUTHENTICATED")]
)
async def test_a_viewer_needs_a_valid_token(
    api: Api, demo: Demo, token: str | None, code: str
) -> None:
    value = demo.expired if token == "expired" else None
    for document in ("{ viewer { userId } }", "{ viewer { instagramAccounts { totalCount } } }"):
        body = await api.run(document, token=value)
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == code


async def test_the_complexity_rule_counts_instagram_accounts(api: Api, demo: Demo) -> None:
    one = (
        "instagramAccounts(first: 100) { nodes { brand { permissions(first: 1) { totalCount } } } }"
    )
    allowed = await api.run(f"{{ viewer {{ {one} }} }}")
    assert "errors" not in allowed, allowed["errors"]
    await api.reset_stats()
    refused = await api.run(f"{{ viewer {{ a: {one} b: {one} }} }}")
    assert refused["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert "202" in refused["errors"][0]["message"]
    assert (await api.upstream_calls())["total"] == 0
