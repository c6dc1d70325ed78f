"""GraphiQL from the package: the page itself, its assets, and the page in headless Chromium."""

import asyncio
import json
import os
import re
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import uvicorn
from playwright.async_api import WebSocket, expect
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from partnergraph.schema.build import schema
from partnergraph.server.graphiql import (
    STATIC_PATH,
    Tab,
    graphiql_assets,
    operation_documents,
    render_graphiql,
)
from tests.browser import PageVisit, open_page
from tests.servers import running

DEMO_HEADERS = {"Authorization": "Bearer demo-brand-token"}
# Everything that could end the <script> holding it, or the page's JavaScript.
HOSTILE_QUERY = (
    '# </script><script>window.broken = true</script> <!-- & \u2028 \u2029 "\n{ __typename }\n'
)
QUERIES = Path(__file__).resolve().parents[2] / "queries"
OPERATIONS = sorted(path.stem for path in QUERIES.glob("*.graphql"))
EXAMPLE_QUERY = (QUERIES / "BrandPermissions.graphql").read_text()
POLL_INTERVAL = 0.3

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "graphiql.png"
STATIC_DIR = Path(__file__).resolve().parents[2] / "partnergraph" / "server" / "static" / "graphiql"


async def graphql(request: Request) -> Response:
    """The real schema on POST, with no upstream: enough for `{ __typename }`."""
    body = await request.json()
    result = await schema.execute(body["query"])
    return JSONResponse({"data": result.data})


async def hostile(request: Request) -> Response:
    return HTMLResponse(render_graphiql(endpoint="/graphql", tabs=[Tab(HOSTILE_QUERY)]))


app = Starlette(
    routes=[
        Route("/graphql", graphql, methods=["POST"]),
        Route("/hostile", hostile),
        graphiql_assets(),
    ]
)


class _Server(uvicorn.Server):
    """A uvicorn server that says when it is listening."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.listening = asyncio.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.listening.set()


@pytest.fixture(scope="module")
async def base_url() -> AsyncIterator[str]:
    """The test app under uvicorn on a free loopback port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = _Server(uvicorn.Config(app, lifespan="off", log_level="warning"))
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    listening = asyncio.create_task(server.listening.wait())
    await asyncio.wait({serving, listening}, return_when=asyncio.FIRST_COMPLETED)
    if not server.listening.is_set():
        listening.cancel()
        sock.close()
        raise RuntimeError(f"uvicorn did not start: {serving.exception()!r}")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await serving
        sock.close()


def _config(page: str) -> dict[str, Any]:
    match = re.search(
        r'<script type="application/json" id="graphiql-config">(.*?)</script>', page, re.S
    )
    assert match is not None
    config: dict[str, Any] = json.loads(match.group(1))
    return config


# The page as HTML.


def test_page_embeds_tabs_and_endpoint() -> None:
    tabs = [
        Tab(EXAMPLE_QUERY, {"brandId": "1"}, DEMO_HEADERS),
        Tab("{ rateLimit { appCallCount } }"),
    ]
    config = _config(render_graphiql(endpoint="/api/graphql", tabs=tabs))
    assert config["endpoint"] == "/api/graphql"
    first, second = config["tabs"]
    assert first["query"] == EXAMPLE_QUERY
    assert json.loads(first["variables"]) == {"brandId": "1"}
    assert json.loads(first["headers"]) == DEMO_HEADERS
    # No headers or variables leave those editors empty.
    assert second == {"query": "{ rateLimit { appCallCount } }", "variables": "", "headers": ""}


def test_operation_documents_are_the_query_files_by_name(tmp_path: Path) -> None:
    assert list(operation_documents(QUERIES)) == OPERATIONS
    assert operation_documents(QUERIES)["BrandPermissions"] == EXAMPLE_QUERY
    assert operation_documents(tmp_path / "missing") == {}


def test_values_cannot_leave_the_script_element() -> None:
    tab = Tab(HOSTILE_QUERY, {"x": "</script>"}, {"X-A": "</script>&"})
    page = render_graphiql(endpoint="/graphql?</script>", tabs=[tab])
    # Nothing but the template's own elements opened or closed a script.
    benign = render_graphiql(endpoint="/graphql", tabs=[])
    assert page.count("</script>") == page.count("<script") == benign.count("<script")
    for forbidden in ("<!--", "\u2028", "\u2029", "</"):
        assert forbidden not in page.split('id="graphiql-config">', 1)[1].split("</script>")[0]
    config = _config(page)
    assert config["tabs"][0]["query"] == HOSTILE_QUERY
    assert config["endpoint"] == "/graphql?</script>"


def test_placeholders_in_values_are_not_substituted() -> None:
    page = render_graphiql(endpoint="{{static}}", tabs=[Tab("{{config}}")], root_path="/p")
    assert _config(page) == {
        "endpoint": "{{static}}",
        "tabs": [{"query": "{{config}}", "variables": "", "headers": ""}],
    }


def test_assets_are_local_and_follow_root_path() -> None:
    page = render_graphiql(endpoint="/graphql", tabs=[], root_path="/behind/proxy")
    urls = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert urls, page
    for url in urls:
        if url.startswith("data:"):
            continue
        assert url.startswith("/behind/proxy" + STATIC_PATH + "/"), url
        assert (STATIC_DIR / url.removeprefix("/behind/proxy" + STATIC_PATH + "/")).is_file(), url
    assert not re.search(r"https?://", page)


def test_vendored_assets_name_no_other_host() -> None:
    for path in STATIC_DIR.rglob("*.css"):
        urls = re.findall(r"url\(\s*['\"]?([^'\")]*)", path.read_text(encoding="utf-8"))
        assert all(url.startswith(("data:", "#")) for url in urls), (path, urls)
    for path in STATIC_DIR.rglob("*"):
        if path.suffix in {".js", ".css"}:
            assert "sourceMappingURL" not in path.read_text(encoding="utf-8"), path


async def test_assets_are_served_with_long_cache_headers() -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get(f"{STATIC_PATH}/graphiql-3.8.3/graphiql.min.js")
        assert response.status_code == 200
        assert "javascript" in response.headers["content-type"]
        assert "immutable" in response.headers["cache-control"]
        missing = await client.get(f"{STATIC_PATH}/graphiql-3.8.3/nope.js")
        assert missing.status_code == 404
        assert "cache-control" not in missing.headers


# The page in headless Chromium.


def _assert_stayed_on_loopback(visit: PageVisit) -> None:
    assert visit.requests
    assert {urlsplit(url).scheme for url in visit.requests} <= {"http", "data"}, visit.requests
    hosts = {urlsplit(url).hostname for url in visit.requests if not url.startswith("data:")}
    assert hosts == {"127.0.0.1"}, visit.requests
    assert visit.failed_requests == []
    assert visit.console_errors == []


@pytest.fixture(scope="module")
def demo_server() -> Iterator[str]:
    """`partnergraph serve` in demo mode: the embedded emulator is its upstream."""
    env = {"PARTNERGRAPH_GRAPH_URL": "", "PARTNERGRAPH_POLL_INTERVAL": str(POLL_INTERVAL)}
    with running("serve", env=env) as url:
        yield url


async def test_graphiql_runs_the_example_offline(demo_server: str) -> None:
    async with open_page(f"{demo_server}/graphql") as visit:
        await visit.wait_for(".graphiql-container .graphiql-query-editor")
        assert await visit.editor_text(visit.query_editor()) == EXAMPLE_QUERY
        variables = json.loads(await visit.editor_text(visit.variables_editor()))
        assert variables["first"] == 10
        assert await visit.headers_editor().is_visible()
        headers = json.loads(await visit.editor_text(visit.headers_editor()))
        token = headers["Authorization"].removeprefix("Bearer ")
        assert token.startswith("EAA")
        await visit.run()
        result = await visit.wait_for_result('"hasNextPage"')
        brand = json.loads(result)["data"]["brand"]
        assert brand["igId"] == variables["brandId"]
        assert len(brand["permissions"]["edges"]) == 10
        if os.environ.get("PARTNERGRAPH_SCREENSHOT"):
            await visit.screenshot(SCREENSHOT)

        # The explorer plugin, vendored too, builds its tree from the schema.
        await visit.page.get_by_role("button", name="Show GraphiQL Explorer").click()
        await expect(visit.page.locator(".graphiql-plugin")).to_contain_text("rateLimit")

        # After a reload GraphiQL restores its tab from localStorage, without the
        # headers (never stored): the server's headers must still fill the editor.
        await visit.page.wait_for_function("localStorage.getItem('graphiql:tabState') !== null")
        await visit.page.reload()
        await visit.wait_for(".graphiql-container .graphiql-query-editor")
        assert await visit.editor_text(visit.query_editor()) == EXAMPLE_QUERY
        assert json.loads(await visit.editor_text(visit.headers_editor())) == headers
        stored = await visit.page.evaluate("localStorage.getItem('graphiql:tabState')")
        assert token not in stored
        _assert_stayed_on_loopback(visit)
        assert any(urlsplit(url).path == "/graphql" for url in visit.requests[1:])


async def test_every_operation_is_a_tab_that_runs_with_its_token(demo_server: str) -> None:
    async with open_page(f"{demo_server}/graphql") as visit:
        await visit.wait_for(".graphiql-tab-button")
        titles = await visit.tab_titles()
        assert titles[0] == "BrandPermissions"
        assert sorted(titles) == OPERATIONS
        agency = json.loads(await visit.editor_text(visit.headers_editor()))

        # A creator's operation opens with that creator's token and ID.
        await visit.open_tab("CreatorInvites")
        assert (
            await visit.editor_text(visit.query_editor())
            == (QUERIES / "CreatorInvites.graphql").read_text()
        )
        creator = json.loads(await visit.editor_text(visit.headers_editor()))
        assert creator["Authorization"].startswith("Bearer EAA")
        assert creator != agency
        await visit.run()
        invites = json.loads(await visit.wait_for_result('"hasNextPage"'))["data"]["creator"]
        assert (
            invites["igId"]
            == json.loads(await visit.editor_text(visit.variables_editor()))["creatorId"]
        )
        assert len(invites["invites"]["edges"]) == 10

        # A mutation runs as it opens: the agency asks a creator its brand never asked.
        await visit.open_tab("RequestPermission")
        assert json.loads(await visit.editor_text(visit.headers_editor())) == agency
        await visit.run()
        payload = json.loads(await visit.wait_for_result('"userErrors"'))["data"][
            "requestPermission"
        ]
        assert payload["userErrors"] == []
        assert payload["permission"]["status"] == "PENDING"

        # Closed tabs come back on the next visit, and restored tabs get their tokens back.
        await visit.page.locator(".graphiql-tab-active .graphiql-tab-close").click()
        await visit.page.wait_for_function(
            """() => {
                const stored = localStorage.getItem('graphiql:tabState');
                return stored !== null && !stored.includes('"title":"RequestPermission"');
            }"""
        )
        await visit.page.reload()
        await visit.wait_for(".graphiql-tab-button")
        assert sorted(await visit.tab_titles()) == OPERATIONS
        await visit.open_tab("CreatorInvites")
        assert json.loads(await visit.editor_text(visit.headers_editor())) == creator
        stored = await visit.page.evaluate("localStorage.getItem('graphiql:tabState')")
        assert creator["Authorization"].removeprefix("Bearer ") not in stored
        _assert_stayed_on_loopback(visit)


async def _permission_reads(http: httpx.AsyncClient) -> int:
    stats = (await http.get("/emulator/admin/stats")).json()
    reads: int = stats["byEdge"].get("branded_content_ad_permissions", {}).get("GET", 0)
    return reads


async def test_a_subscription_runs_over_websocket_with_the_headers(demo_server: str) -> None:
    async with httpx.AsyncClient(base_url=demo_server) as http:
        state = (await http.get("/emulator/admin/state")).json()
        agency = state["tokens"][0]
        brand = next(
            b["id"]
            for b in state["brands"]
            if 0 < b["permissionCount"] <= 100 and b["id"] in agency["brandIds"]
        )
        pending = await http.post(
            "/graphql",
            json={"query": EXAMPLE_QUERY, "variables": {"brandId": brand, "status": "PENDING"}},
            headers={"Authorization": f"Bearer {agency['token']}"},
        )
        permission = pending.json()["data"]["brand"]["permissions"]["edges"][0]["node"]
        async with open_page(f"{demo_server}/graphql") as visit:
            sockets: list[WebSocket] = []
            sent: list[str] = []

            def on_websocket(socket: WebSocket) -> None:
                sockets.append(socket)
                socket.on("framesent", lambda payload: sent.append(str(payload)))

            visit.page.on("websocket", on_websocket)
            await visit.wait_for(".graphiql-tab-button")
            await visit.open_tab("PermissionChanged")
            headers = json.loads(await visit.editor_text(visit.headers_editor()))
            assert headers == {"Authorization": f"Bearer {agency['token']}"}
            await visit.type_into(visit.variables_editor(), json.dumps({"brandId": brand}))
            await http.post("/emulator/admin/stats/reset")
            await visit.run()
            async with asyncio.timeout(10):
                # The subscription's access check reads the list, then the poller; after both, the
                # poller's snapshot predates the approval (the emulator answers a GET as counted).
                while await _permission_reads(http) < 2:  # noqa: ASYNC110 - the emulator has no hook
                    await asyncio.sleep(POLL_INTERVAL / 5)  # sleep-ok: the poller took its snapshot
            approve = {"status": "APPROVED"}
            await http.post(f"/emulator/admin/permissions/{permission['graphId']}", json=approve)
            change = json.loads(await visit.wait_for_result('"APPROVED"'))["data"]
            assert change["permissionChanged"]["previousStatus"] == "PENDING"
            assert change["permissionChanged"]["permission"]["id"] == permission["id"]
            assert [urlsplit(socket.url)[:3] for socket in sockets] == [
                ("ws", urlsplit(demo_server).netloc, "/graphql")
            ]
            init = json.loads(sent[0])
            assert init == {"type": "connection_init", "payload": headers}
            _assert_stayed_on_loopback(visit)


async def test_a_query_with_script_end_tags_renders(base_url: str) -> None:
    async with open_page(f"{base_url}/hostile") as visit:
        await visit.wait_for(".graphiql-container .graphiql-query-editor")
        assert await visit.editor_text(visit.query_editor()) == HOSTILE_QUERY
        assert await visit.editor_text(visit.headers_editor()) == ""
        assert await visit.page.evaluate("window.broken") is None
        await visit.run()
        await visit.wait_for_result('"__typename": "Query"')
        _assert_stayed_on_loopback(visit)


@pytest.fixture(scope="module")
def trusted_demo_server() -> Iterator[str]:
    """`partnergraph serve` in demo mode, running only the generated manifest's documents."""
    manifest = QUERIES.parent / "clients" / "typescript" / "persisted-documents.json"
    env = {"PARTNERGRAPH_GRAPH_URL": "", "PARTNERGRAPH_TRUSTED_DOCUMENTS": str(manifest)}
    with running("serve", env=env) as url:
        yield url


async def test_graphiql_runs_its_tabs_on_a_trusted_documents_server(
    trusted_demo_server: str,
) -> None:
    async with open_page(f"{trusted_demo_server}/graphql") as visit:
        posted: list[str] = []
        visit.page.on(
            "request",
            lambda request: (
                posted.append(request.post_data or "") if request.method == "POST" else None
            ),
        )
        await visit.wait_for(".graphiql-tab-button")
        # The schema came with the page: the explorer shows it, with no introspection query.
        await visit.page.get_by_role("button", name="Show GraphiQL Explorer").click()
        await expect(visit.page.locator(".graphiql-plugin")).to_contain_text("rateLimit")
        assert posted == []
        for title, expected in [
            ("BrandPermissions", '"hasNextPage"'),
            ("RateLimit", '"invitesRead"'),
            ("Viewer", '"instagramAccounts"'),
        ]:
            await visit.open_tab(title)
            await visit.run()
            result = json.loads(await visit.wait_for_result(expected))
            assert "errors" not in result, result
        assert [json.loads(body)["operationName"] for body in posted] == [
            "BrandPermissions",
            "RateLimit",
            "Viewer",
        ]
        assert not any("__schema" in body for body in posted)
        _assert_stayed_on_loopback(visit)
