"""`partnergraph serve` as users start it: demo mode answers the README's example."""

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.servers import running

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
        (["--redis-url", "127.0.0.1:6379"], {}, "must be a redis://, rediss:// or unix:// URL"),
    ],
)
def test_bad_settings_exit_with_a_message(
    options: list[str], environment: dict[str, str], message: str
) -> None:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "partnergraph", "serve", "--port", "0", *options],
        env={**environment, "PATH": ""},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
