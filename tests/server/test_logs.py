"""The log of `partnergraph serve` as an operator reads it: JSON lines, request ids, no secrets."""

import asyncio
import io
import json
import logging
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from partnergraph.server import logs
from partnergraph.server.limits import MAX_BODY_BYTES
from tests.demo import Demo
from tests.redis import RedisServer
from tests.servers import announced_url, running

QUERIES = Path(__file__).resolve().parents[2] / "queries"
GENERATED_ID = re.compile(r"[0-9a-f]{32}")
TYPENAME = {"query": "{ __typename }"}
TEXT_LINE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d [A-Z]+ +partnergraph")


class Server:
    """A running server, its log file, and what it wrote there so far."""

    def __init__(self, url: str, log: Path) -> None:
        self.url = url
        self.log = log

    def lines(self) -> list[dict[str, Any]]:
        """Every log line so far, each parsed: the test fails on any line that is not JSON."""
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def of(self, request_id: str) -> list[dict[str, Any]]:
        """The lines of one request."""
        return [line for line in self.lines() if line.get("requestId") == request_id]


@pytest.fixture(scope="module")
def server(emulator_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`partnergraph serve` on the emulator, logging at DEBUG to a file (so JSON by default)."""
    log = tmp_path_factory.mktemp("serve") / "stderr.log"
    env = {"PARTNERGRAPH_GRAPH_URL": emulator_url, "PARTNERGRAPH_LOG_LEVEL": "debug"}
    with running("serve", env=env, stderr=log) as url:
        yield Server(url, log)


async def _post(
    server: Server, body: dict[str, Any], token: str, request_id: str | bytes | None = None
) -> httpx.Response:
    headers = [(b"authorization", f"Bearer {token}".encode())]
    if request_id is not None:
        sent = request_id if isinstance(request_id, bytes) else request_id.encode()
        headers.append((b"x-request-id", sent))
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.post(f"{server.url}/graphql", json=body, headers=headers)


def _access(server: Server, request_id: str) -> dict[str, Any]:
    (line,) = [line for line in server.of(request_id) if line["logger"] == "partnergraph.access"]
    return line


def _upstream(server: Server, request_id: str) -> list[dict[str, Any]]:
    return [line for line in server.of(request_id) if line["logger"] == "partnergraph.upstream"]


async def test_a_request_logs_one_access_line_and_its_upstream_calls(
    server: Server, demo: Demo
) -> None:
    body = {
        "query": (QUERIES / "BrandPermissions.graphql").read_text(),
        "operationName": "BrandPermissions",
        "variables": {"brandId": demo.big_brand, "first": 4},
    }
    response = await _post(server, body, demo.agency, "first-read.1")
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "first-read.1"
    access = _access(server, "first-read.1")
    assert access["level"] == "INFO"
    assert {key: access[key] for key in ("operationName", "operationType", "status")} == {
        "operationName": "BrandPermissions",
        "operationType": "query",
        "status": 200,
    }
    assert (access["cached"], access["upstreamCalls"], access["outcome"]) == (False, 1, "ok")
    assert access["durationMs"] > 0
    (call,) = _upstream(server, "first-read.1")
    assert call["level"] == "DEBUG"
    assert (call["edge"], call["method"], call["status"], call["attempt"]) == (
        "branded_content_ad_permissions",
        "GET",
        "200",
        1,
    )
    assert call["durationMs"] > 0

    assert (await _post(server, body, demo.agency, "repeat.1")).json() == response.json()
    repeat = _access(server, "repeat.1")
    assert (repeat["cached"], repeat["upstreamCalls"]) == (True, 0)
    assert (repeat["operationName"], repeat["operationType"]) == ("BrandPermissions", "query")


async def test_a_refused_operation_is_logged_with_its_name_and_type(
    server: Server, demo: Demo
) -> None:
    async with httpx.AsyncClient() as client:
        by_get = await client.get(
            f"{server.url}/graphql",
            params={"query": "mutation ByGet { __typename }"},
            headers={"X-Request-Id": "mutation-by-get"},
        )
    assert by_get.status_code == 405
    subscription = 'subscription OverHttp { permissionChanged(brandId: "1") { previousStatus } }'
    over_http = await _post(server, {"query": subscription}, demo.agency, "subscription-by-post")
    assert over_http.status_code == 400
    assert over_http.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    logged = [_access(server, "mutation-by-get"), _access(server, "subscription-by-post")]
    assert [(line["operationName"], line["operationType"]) for line in logged] == [
        ("ByGet", "mutation"),
        ("OverHttp", "subscription"),
    ]


async def test_a_long_operation_name_is_logged_shortened(server: Server, demo: Demo) -> None:
    name = "N" * 20_000
    body = {"query": f"query {name} {{ __typename }}", "operationName": name}
    assert (await _post(server, body, demo.agency, "long-name")).status_code == 200
    assert _access(server, "long-name")["operationName"] == name[:200]


async def test_a_client_that_leaves_mid_body_is_logged_as_gone_not_as_a_fault(
    server: Server,
) -> None:
    address = urlsplit(server.url)
    assert address.hostname is not None
    _, writer = await asyncio.open_connection(address.hostname, address.port)
    writer.write(
        b"POST /graphql HTTP/1.1\r\nhost: partnergraph\r\nx-request-id: left-early\r\n"
        b'content-type: application/json\r\ncontent-length: 100\r\n\r\n{"query":'
    )
    await writer.drain()
    writer.close()
    await writer.wait_closed()
    async with asyncio.timeout(10):
        while not server.of("left-early"):  # noqa: ASYNC110 - another process writes it
            await asyncio.sleep(0.01)  # sleep-ok: polls another process
    (line,) = server.of("left-early")
    assert (line["level"], line["status"], line["outcome"]) == ("INFO", 499, "HTTP_499")
    assert [line for line in server.lines() if line["level"] == "ERROR"] == []


async def test_a_retried_call_logs_each_attempt(
    server: Server, demo: Demo, emulator: httpx.AsyncClient
) -> None:
    fault = {"status": 503, "count": 1, "edge": "branded_content_ad_permissions"}
    (await emulator.post("/admin/faults", json=fault)).raise_for_status()
    document = "query($id: ID!) { brand(igId: $id) { permissions(first: 3) { nodes { id } } } }"
    body = {"query": document, "variables": {"id": demo.big_brand}}
    response = await _post(server, body, demo.agency)
    assert "errors" not in response.json()
    request_id = response.headers["x-request-id"]
    attempts = [(line["attempt"], line["status"]) for line in _upstream(server, request_id)]
    assert attempts == [(1, "503"), (2, "200")]
    assert _access(server, request_id)["upstreamCalls"] == 2


@pytest.mark.parametrize("sent", [b"has spaces", b"x" * 129, "caf\u00e9".encode(), b"", b"<b>"])
async def test_an_unusable_client_request_id_is_replaced(
    server: Server, demo: Demo, sent: bytes
) -> None:
    body = {"query": "query Broken { nope }"}
    response = await _post(server, body, demo.agency, sent)
    request_id = response.headers["x-request-id"]
    assert GENERATED_ID.fullmatch(request_id)
    (error,) = response.json()["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "requestId": request_id}
    assert _access(server, request_id)["outcome"] == "BAD_USER_INPUT"


async def test_no_line_holds_a_token_a_next_url_or_a_document(server: Server, demo: Demo) -> None:
    document = (
        "query Paged($id: ID!, $after: String) { brand(igId: $id) "
        "{ permissions(first: 2, after: $after) { pageInfo { endCursor } } } }"
    )
    first = await _post(
        server, {"query": document, "variables": {"id": demo.big_brand}}, demo.agency
    )
    cursor = first.json()["data"]["brand"]["permissions"]["pageInfo"]["endCursor"]
    variables = {"id": demo.big_brand, "after": cursor}
    await _post(server, {"query": document, "variables": variables}, demo.agency)
    await _post(server, {"query": document, "variables": variables}, demo.expired)
    async with httpx.AsyncClient() as client:  # a token pasted into the path
        assert (await client.get(f"{server.url}/graphql/{demo.agency}")).status_code == 404
    text = server.log.read_text()
    tokens = [entry["token"] for entry in demo.state["tokens"]]
    assert [token for token in tokens if token in text] == []
    for secret_or_body in ("access_token", "after=", "paging", "permissions(first", cursor):
        assert secret_or_body not in text
    lines = server.lines()
    assert len(lines) > 10
    # every line of a request says which; the process's own lines are "partnergraph"'s
    assert all("requestId" in line for line in lines if line["logger"] != "partnergraph")


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Log lines configured by logs.configure into a string, the root logger restored after."""
    root, banner = logging.getLogger(), logging.getLogger(logs.BANNER)
    saved = (root.handlers[:], root.level, logging.getLogger("partnergraph").level)
    shown = banner.handlers[:]
    stream = io.StringIO()
    yield stream
    root.handlers[:], root.level = saved[0], saved[1]
    logging.getLogger("partnergraph").setLevel(saved[2])
    banner.handlers[:] = shown


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_tokens_are_cut_from_any_line_and_traceback(captured: io.StringIO, log_format: str) -> None:
    logs.configure("INFO", log_format, captured)
    logger = logging.getLogger("partnergraph.test")
    pasted = "IGAA" + "x9" * 40  # a token pasted where none belongs, in a path
    glued = "Q_EAAB" + "y8" * 40  # and one glued to a name
    try:
        raise ValueError("GET https://graph.example/me?access_token=EAAsecret1&limit=5")
    except ValueError:
        logger.exception(
            "failed with Authorization: Bearer EAAsecret2 on /graphql/%s, as %s",
            pasted,
            glued,
            extra={"fields": {"n": 1, "path": f"/graphql/{pasted}", "requestId": "eaa" + "0" * 29}},
        )
    text = captured.getvalue()
    assert "EAAsecret" not in text
    assert pasted not in text
    assert "EAAB" + "y8" * 40 not in text
    assert text.count("[redacted]") >= 5
    assert "eaa" + "0" * 29 in text  # a generated request id is no token
    assert "Traceback" in text
    if log_format == "json":
        (line,) = text.splitlines()
        assert json.loads(line)["n"] == 1
    else:
        assert "n=1" in text.splitlines()[0]


def test_a_terminal_gets_text_and_a_file_json(captured: io.StringIO) -> None:
    logs.configure("WARNING", None, captured)
    logging.getLogger("partnergraph.test").warning("plain", extra={"fields": {"k": "v"}})
    assert json.loads(captured.getvalue())["k"] == "v"

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    logs.configure("WARNING", None, terminal)
    logging.getLogger("partnergraph.test").warning("plain", extra={"fields": {"k": "v"}})
    assert terminal.getvalue().rstrip().endswith("plain  k=v")


def _serve_until_announced(
    env: dict[str, str], stderr: Path, *args: str
) -> tuple[subprocess.Popen[str], list[str], str]:
    """A `serve` process, the stdout lines up to its announcement, and its URL."""
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "partnergraph", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=stderr.open("w"),
        text=True,
        env={**os.environ, **env},
    )
    assert process.stdout is not None
    shown: list[str] = []
    for line in process.stdout:
        shown.append(line)
        url = announced_url(line)
        if url is not None:
            return process, shown, url
    raise AssertionError(f"serve exited with {process.wait()}: {shown}")


def _stopped(process: subprocess.Popen[str]) -> list[str]:
    """The rest of a process's stdout once it stopped as an orchestrator stops it."""
    process.terminate()
    assert process.stdout is not None
    rest = process.stdout.read().splitlines(keepends=True)
    # uvicorn shuts down, then raises the signal again: an exit by SIGTERM after a clean stop
    assert process.wait(timeout=20) in (0, -signal.SIGTERM)
    return rest


def test_json_mode_writes_only_json_with_one_start_up_and_one_shutdown_line(
    tmp_path: Path,
) -> None:
    log = tmp_path / "stderr.log"
    env = {"PARTNERGRAPH_GRAPH_URL": "", "PARTNERGRAPH_LOG_FORMAT": "json"}
    process, shown, url = _serve_until_announced(env, log)
    try:
        assert httpx.get(f"{url}/healthz").status_code == 200
    finally:
        shown += _stopped(process)
    written = [line for line in shown + log.read_text().splitlines() if line.strip()]
    parsed = [json.loads(line) for line in written]  # fails on any line that is not JSON
    banner = [line for line in parsed if line["logger"] == logs.BANNER]
    assert [line["message"] for line in banner] == [
        f"partnergraph listening on {url}",
        "Demo mode: the embedded Graph API emulator is the upstream.",
    ]
    assert banner[0]["endpoints"]["metrics"] == f"{url}/metrics"
    assert all(entry["token"].endswith("…") for entry in banner[1]["tokens"])
    (started,) = [line for line in parsed if line["message"] == "partnergraph started"]
    assert {key: started[key] for key in ("mode", "workers", "upstream", "redis")} == {
        "mode": "demo",
        "workers": 1,
        "upstream": "embedded emulator",
        "redis": "off",
    }
    assert started["version"] == version("partnergraph")
    assert started["limits"]["bodyBytes"] == MAX_BODY_BYTES
    assert started["limits"]["pollInterval"] == 2  # demo mode
    (stopped,) = [line for line in parsed if line["message"] == "partnergraph stopped"]
    assert stopped["pid"] == started["pid"] == process.pid


def test_the_start_up_line_shows_the_upstream_without_credentials_and_redis_connected(
    emulator_url: str, redis_process: RedisServer, tmp_path: Path
) -> None:
    log = tmp_path / "stderr.log"
    upstream = emulator_url.replace("http://", "http://operator:hunter2@") + "/?access_token=EAAx"
    env = {
        "PARTNERGRAPH_GRAPH_URL": upstream,
        "PARTNERGRAPH_REDIS_URL": redis_process.url,
        "PARTNERGRAPH_LOG_FORMAT": "json",
        "PARTNERGRAPH_MAX_NODES": "5000",
        "PARTNERGRAPH_BODY_TIMEOUT": "12.5",
        "PARTNERGRAPH_MAX_SUBSCRIPTIONS_PER_TOKEN": "7",
    }
    process, _, url = _serve_until_announced(env, log)
    try:
        assert httpx.get(f"{url}/healthz").status_code == 200  # started: its lifespan ran
    finally:
        _stopped(process)
    text = log.read_text()
    assert "hunter2" not in text
    assert "EAAx" not in text
    (started,) = [
        line
        for line in map(json.loads, text.splitlines())
        if line["message"] == "partnergraph started"
    ]
    assert (started["mode"], started["upstream"], started["redis"]) == (
        "graph",
        emulator_url + "/",
        "connected",
    )
    assert started["limits"]["pollInterval"] == 30  # outside demo mode, as before
    limits = started["limits"]
    assert (limits["nodes"], limits["bodyTimeout"], limits["subscriptionsPerToken"]) == (
        5000,
        12.5,
        7,
    )


def test_text_lines_carry_date_and_offset_and_leave_out_an_absent_operation_name(
    emulator_url: str, tmp_path: Path
) -> None:
    log = tmp_path / "stderr.log"
    env = {"PARTNERGRAPH_GRAPH_URL": emulator_url, "PARTNERGRAPH_LOG_FORMAT": "text"}
    process, shown, url = _serve_until_announced(env, log)
    try:
        assert shown[0].startswith("partnergraph listening on ")  # the banner, for a person
        answer = httpx.post(f"{url}/graphql", json=TYPENAME)
        assert answer.status_code == 200
    finally:
        _stopped(process)
    lines = log.read_text().splitlines()
    (access,) = [line for line in lines if "partnergraph.access" in line]
    assert TEXT_LINE.match(access), access
    assert "operationName" not in access
    assert "=None" not in access
    assert all(TEXT_LINE.match(line) for line in lines), lines


async def test_access_lines_believe_x_forwarded_for_only_from_trusted_proxies(
    emulator_url: str, tmp_path: Path
) -> None:
    agent = "probe/" + "a" * 400
    headers = {"X-Forwarded-For": "203.0.113.7", "User-Agent": agent, "X-Request-Id": "fwd"}
    clients = []
    for trusted in ("", "192.0.2.1"):  # the default (127.0.0.1, the test), then another proxy
        log = tmp_path / f"stderr-{trusted or 'default'}.log"
        env = {"PARTNERGRAPH_GRAPH_URL": emulator_url, "PARTNERGRAPH_FORWARDED_ALLOW_IPS": trusted}
        with running("serve", env=env, stderr=log) as url:
            async with httpx.AsyncClient(timeout=30) as client:
                answer = await client.post(f"{url}/graphql", json=TYPENAME, headers=headers)
                assert answer.status_code == 200
        (access,) = [
            line
            for line in map(json.loads, log.read_text().splitlines())
            if line.get("requestId") == "fwd"
        ]
        assert access["userAgent"] == agent[:200]
        clients.append(access["client"])
    assert clients == ["203.0.113.7", "127.0.0.1"]
