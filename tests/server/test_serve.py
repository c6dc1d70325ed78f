"""`partnergraph serve` as users start it: demo mode answers the README's example."""

import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from importlib.metadata import version
from pathlib import Path

import httpx
import pytest

from tests.servers import announced_url, running

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture(scope="module")
def demo_url() -> Iterator[str]:
    """The server in demo mode, as `make serve` starts it."""
    with running("serve", env={"PARTNERGRAPH_GRAPH_URL": ""}) as url:
        yield url


def _readme_example() -> dict[str, object]:
    match = re.search(r"-d '(\{\"query\".*?\})'", README.read_text(), re.S)
    assert match is not None, "the README's curl example moved"
    example: dict[str, object] = json.loads(match.group(1))
    return example


def _serve_alone(
    args: Sequence[str], environment: Mapping[str, str]
) -> subprocess.CompletedProcess[str]:
    """`partnergraph serve args` run to its exit with only environment set, its output kept."""
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "partnergraph", "serve", *args],
        env={"PATH": "", **environment},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_demo_mode_answers_the_readme_example(demo_url: str) -> None:
    state = httpx.get(f"{demo_url}/emulator/admin/state").json()
    token = next(t["token"] for t in state["tokens"] if t["role"] == "brand_manager")
    response = httpx.post(
        f"{demo_url}/graphql",
        json=_readme_example(),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    permissions = response.json()["data"]["brand"]["permissions"]
    assert len(permissions["nodes"]) == 3
    assert permissions["pageInfo"]["hasNextPage"] is True
    assert httpx.get(f"{demo_url}/healthz").json() == {"status": "ok"}


def test_demo_mode_mounts_the_emulator_for_other_clients(demo_url: str) -> None:
    state = httpx.get(f"{demo_url}/emulator/admin/state").json()
    brand = max(state["brands"], key=lambda b: b["permissionCount"])
    token = next(t["token"] for t in state["tokens"] if brand["id"] in t["brandIds"])
    answer = httpx.get(
        f"{demo_url}/emulator/v23.0/{brand['id']}/branded_content_ad_permissions",
        params={"access_token": token, "limit": 2},
    ).json()
    assert len(answer["data"]) == 2
    assert answer["paging"]["next"].startswith(f"{demo_url}/emulator/")


@pytest.mark.parametrize(
    ("options", "environment", "message"),
    [
        ([], {"PARTNERGRAPH_CACHE_TTL": "soon"}, "PARTNERGRAPH_CACHE_TTL must be a number"),
        (
            ["--workers", "2"],
            {"PARTNERGRAPH_GRAPH_URL": "http://127.0.0.1:9"},
            "a cache in each worker",
        ),
        (["--workers", "2"], {}, "each worker would embed its own emulator"),
        ([], {"PARTNERGRAPH_WORKERS": "2"}, "each worker would embed its own emulator"),
        ([], {"PARTNERGRAPH_WORKERS": "0"}, "PARTNERGRAPH_WORKERS must be at least 1"),
        (["--redis-url", "127.0.0.1:6379"], {}, "must be a redis://, rediss:// or unix:// URL"),
        ([], {"PARTNERGRAPH_CACHE_TTL": "nan"}, "PARTNERGRAPH_CACHE_TTL must be a finite number"),
        (
            ["--upstream-timeout", "inf"],
            {},
            "PARTNERGRAPH_UPSTREAM_TIMEOUT must be a finite number",
        ),
        ([], {"PARTNERGRAPH_LOG_FORMAT": "xml"}, "PARTNERGRAPH_LOG_FORMAT must be json or text"),
        ([], {"PARTNERGRAPH_LOG_LEVEL": "loud"}, "PARTNERGRAPH_LOG_LEVEL must be one of"),
        (
            ["--cors-origins", "https://app.example.com,https://admin.example.com/"],
            {},
            "PARTNERGRAPH_CORS_ORIGINS: 'https://admin.example.com/' is not an origin",
        ),
        (["--cors-origins", "app.example.com"], {}, "'app.example.com' is not an origin"),
        (
            [],
            {"PARTNERGRAPH_TRUSTED_DOCUMENTS": "/nonexistent/manifest.json"},
            "PARTNERGRAPH_TRUSTED_DOCUMENTS: cannot read '/nonexistent/manifest.json'",
        ),
    ],
)
def test_bad_settings_exit_with_a_message(
    options: list[str], environment: dict[str, str], message: str
) -> None:
    result = _serve_alone(["--port", "0", *options], environment)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("options", "environment", "setting", "found"),
    [
        ([], {"PARTNERGRAPH_APP_SECRET": "<your app secret>"}, "APP_SECRET", "text in angle"),
        (["--app-secret", "your-app-secret"], {}, "APP_SECRET", "'your-'"),
        ([], {"PARTNERGRAPH_APP_SECRET": "ChangeMe"}, "APP_SECRET", "'ChangeMe'"),
        ([], {"PARTNERGRAPH_GRAPH_URL": "https://…"}, "GRAPH_URL", "'…'"),
        (["--graph-url", "https://graph.example.com/..."], {}, "GRAPH_URL", "'...'"),
        (
            [],
            {"PARTNERGRAPH_REDIS_URL": "redis://:<password>@127.0.0.1:6379/0"},
            "REDIS_URL",
            "text in angle",
        ),
        ([], {"PARTNERGRAPH_REDIS_URL": "redis://YOUR_HOST:6379"}, "REDIS_URL", "'YOUR_'"),
        (["--cors-origins", "https://<your frontend>"], {}, "CORS_ORIGINS", "text in angle"),
    ],
)
def test_a_placeholder_secret_or_url_is_refused_in_one_line(
    options: list[str], environment: dict[str, str], setting: str, found: str
) -> None:
    result = _serve_alone(["--port", "0", *options], environment)
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    option = "--" + setting.lower().replace("_", "-")
    assert line.startswith(f"partnergraph: PARTNERGRAPH_{setting} ({option}) holds a placeholder (")
    assert found in line
    assert line.endswith("not a real value: set the real one, or leave it unset")


@pytest.mark.parametrize(
    "environment",
    [
        {"PARTNERGRAPH_APP_SECRET": "0123456789abcdef0123456789abcdef"},
        {"PARTNERGRAPH_REDIS_URL": "redis://yourself@127.0.0.1:1/0"},
    ],
)
def test_a_real_secret_or_url_is_no_placeholder(environment: dict[str, str]) -> None:
    with running("serve", env={"PARTNERGRAPH_GRAPH_URL": "", **environment}) as url:
        assert httpx.get(f"{url}/healthz").status_code == 200


def test_every_url_of_the_banner_answers() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "partnergraph", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PARTNERGRAPH_GRAPH_URL": "", "PARTNERGRAPH_LOG_FORMAT": "text"},
    )
    try:
        assert process.stdout is not None
        banner = []
        for line in process.stdout:
            banner.append(line)
            if line.startswith("  expired "):  # the last demo token
                break
        urls = re.findall(r"http://\S+", "".join(banner))
        assert len(urls) == 6, banner
        browser = {"Accept": "text/html"}
        for url in urls:
            answer = httpx.get(url, headers=browser, follow_redirects=True)
            assert answer.status_code == 200, url
        root = httpx.get(urls[0], headers=browser, follow_redirects=True)
        assert root.url.path == "/graphql"
        assert "graphiql" in root.text.lower()
        printed = "".join(banner)
        tokens = [t["token"] for t in httpx.get(urls[-1]).json()["tokens"]]
        assert not [token for token in tokens if token in printed]
        assert [token[:8] + "…" in printed for token in tokens] == [True] * len(tokens)
    finally:
        process.terminate()
        process.wait(timeout=10)


def _serve_refused(*args: str) -> list[str]:
    """The lines `partnergraph serve args` writes to stderr as it exits, refused."""
    result = _serve_alone(args, {**os.environ, "PARTNERGRAPH_GRAPH_URL": ""})
    assert result.returncode != 0
    return result.stderr.splitlines()


def test_a_taken_port_is_one_clean_line(demo_url: str) -> None:
    port = demo_url.rsplit(":", 1)[1]
    assert _serve_refused("--port", port) == [
        f"partnergraph: port {port} on 127.0.0.1 is already in use: choose another with "
        "PARTNERGRAPH_PORT or --port (0 takes a free one)"
    ]


@pytest.mark.parametrize("host", ["203.0.113.7", "no-such-host.invalid"])
def test_a_host_that_is_not_this_machine_is_one_clean_line(host: str) -> None:
    (line,) = _serve_refused("--host", host, "--port", "0")
    assert line.startswith(f"partnergraph: host {host} cannot be listened on (")
    assert line.endswith("): choose another with PARTNERGRAPH_HOST or --host")


def test_version_is_the_package_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "partnergraph", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == f"partnergraph {version('partnergraph')}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_the_emulator_takes_its_host_and_port_from_the_environment() -> None:
    port = _free_port()
    env = {"PARTNERGRAPH_EMULATOR_HOST": "127.0.0.1", "PARTNERGRAPH_EMULATOR_PORT": str(port)}
    process = subprocess.Popen(
        [sys.executable, "-m", "partnergraph", "emulator"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )
    try:
        assert process.stdout is not None
        url = next(filter(None, map(announced_url, process.stdout)))
        assert url == f"http://127.0.0.1:{port}"
        assert httpx.get(f"{url}/admin/state").status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_an_unusable_emulator_port_is_one_clean_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "partnergraph", "emulator"],
        env={**os.environ, "PARTNERGRAPH_EMULATOR_PORT": "eighty"},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "partnergraph: PARTNERGRAPH_EMULATOR_PORT must be a number, not 'eighty'"
    ]
