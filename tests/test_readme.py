"""The README's examples run verbatim against demo mode (`partnergraph serve` with no Graph URL).

A fenced block whose info string says `run` is an example to run (`sh`, `graphql` or `python`,
whose info string names the interpreter the README sets up for it, such as
`python run .venv-client/bin/python`); `sh server` starts a server that the next blocks use.
Only the ports change: 8000 is the demo server's, 8001 that of the last `sh server` block.
"""

import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.servers import announced_url, running

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
_BLOCK = re.compile(r"^```(\w+) (run|server)(?: (\S+))?\n(.*?)^```$", re.MULTILINE | re.DOTALL)
_TIMEOUT = 60


@dataclass(frozen=True)
class Block:
    """A fenced block of README.md marked to run."""

    language: str
    kind: str
    interpreter: str | None
    text: str
    line: int


@dataclass(frozen=True)
class Group:
    """A `sh server` block (or none) and the `run` blocks that follow it."""

    server: Block | None
    examples: list[Block] = field(default_factory=list)


def _blocks() -> list[Block]:
    text = README.read_text()
    return [
        Block(match[1], match[2], match[3], match[4], text.count("\n", 0, match.start()) + 1)
        for match in _BLOCK.finditer(text)
    ]


def _groups() -> list[Group]:
    groups = [Group(None)]
    for block in _blocks():
        if block.kind == "server":
            assert block.language == "sh", f"README.md:{block.line}: a server block is sh"
            groups.append(Group(block))
        else:
            groups[-1].examples.append(block)
    return groups


GROUPS = _groups()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _environment() -> dict[str, str]:
    """A new user's shell: the venv off the PATH, no settings, no PYTHONPATH, no make flags."""
    venv_bin = str(Path(sys.executable).parent)
    path = [entry for entry in os.environ["PATH"].split(os.pathsep) if entry != venv_bin]
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PARTNERGRAPH_", "MAKE")) and key not in {"MFLAGS", "PYTHONPATH"}
    }
    return {**env, "PATH": os.pathsep.join(path)}


def _with_ports(text: str, ports: dict[str, int]) -> str:
    for documented, actual in ports.items():
        text = re.sub(rf"\b{documented}\b", str(actual), text)
    return text


@contextmanager
def _serving(block: Block, port: int) -> Iterator[None]:
    """Run a server block with its port replaced, until it says it listens on that port."""
    process = subprocess.Popen(  # noqa: S603
        ["/bin/bash", "-c", _with_ports(block.text, {"8001": port})],
        cwd=ROOT,
        env=_environment(),
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,  # `make serve` runs partnergraph in its own process
    )
    try:
        assert process.stdout is not None
        announced = next(filter(None, map(announced_url, process.stdout)), "")
        assert announced.endswith(f":{port}"), f"README.md:{block.line}: {announced!r}"
        yield
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=_TIMEOUT)


def _user_errors(value: Any) -> list[Any]:
    """Every userErrors entry anywhere in an answer."""
    if isinstance(value, dict):
        own = list(value.get("userErrors") or [])
        return own + [error for item in value.values() for error in _user_errors(item)]
    if isinstance(value, list):
        return [error for item in value for error in _user_errors(item)]
    return []


def _run(block: Block, ports: dict[str, int], token: str) -> None:
    where = f"README.md:{block.line}"
    text = _with_ports(block.text, ports)
    if block.language == "graphql":
        response = httpx.post(
            f"http://127.0.0.1:{ports['8000']}/graphql",
            json={"query": text},
            headers={"Authorization": f"Bearer {token}"},
            timeout=_TIMEOUT,
        )
        answer = response.json()
        assert "errors" not in answer, (where, answer)
        assert _user_errors(answer["data"]) == [], (where, answer)
        return
    command = {"sh": ["/bin/bash", "-euo", "pipefail", "-c"]}
    if block.interpreter:
        command[block.language] = [str(ROOT / block.interpreter), "-c"]
    assert block.language in command, f"{where}: no way to run {block.language}"
    done = subprocess.run(  # noqa: S603
        [*command[block.language], text],
        cwd=ROOT,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, (where, done.stdout, done.stderr)
    assert done.stdout.strip(), (where, done.stderr)
    assert '"error' not in done.stdout, (where, done.stdout)


@pytest.fixture(scope="module")
def demo_port() -> Iterator[int]:
    """`partnergraph serve` in demo mode, on a free port."""
    with running("serve", env={"PARTNERGRAPH_GRAPH_URL": ""}) as url:
        yield int(url.rsplit(":", 1)[1])


@pytest.mark.parametrize(
    "group", GROUPS, ids=[f"line {g.server.line}" if g.server else "demo" for g in GROUPS]
)
def test_readme_examples_run_verbatim(demo_port: int, group: Group) -> None:
    state = httpx.get(f"http://127.0.0.1:{demo_port}/emulator/admin/state").json()
    token = state["tokens"][0]["token"]
    if group.server is None:
        for block in group.examples:
            _run(block, {"8000": demo_port}, token)
        return
    ports = {"8000": demo_port, "8001": _free_port()}
    with _serving(group.server, ports["8001"]):
        for block in group.examples:
            _run(block, ports, token)


def test_the_readme_has_examples_of_each_kind() -> None:
    kinds = {(block.language, block.kind) for block in _blocks()}
    assert kinds == {("sh", "server"), ("sh", "run"), ("graphql", "run"), ("python", "run")}
    servers = [group.server.text for group in GROUPS if group.server]
    assert any("make serve" in text for text in servers)
    assert any("partnergraph emulator" in text for text in servers)


_SHELL = re.compile(r"^```sh[^\n]*\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def test_every_variable_a_shell_block_uses_is_set_in_that_block() -> None:
    for match in _SHELL.finditer(README.read_text()):
        block = match.group(1)
        used = set(re.findall(r"\$\{?([A-Z][A-Z0-9_]*)", block))
        assigned = set(re.findall(r"(?<![\w$])([A-Z][A-Z0-9_]*)=", block))
        assert used <= assigned, (block, used - assigned)


def test_the_readme_says_at_the_top_that_its_examples_assume_the_default_port() -> None:
    text = README.read_text()
    note = text.index("The examples in this README assume the default port, 8000")
    fenced = re.finditer(r"^```[^\n]*\n(.*?)^```$", text, re.MULTILINE | re.DOTALL)
    first_on_8000 = next(block.start() for block in fenced if ":8000" in block[1])
    assert note < first_on_8000


def test_the_readme_shows_several_instances_on_one_machine_with_the_standalone_emulator() -> None:
    blocks = _SHELL.findall(README.read_text())
    recipe = next(b for b in blocks if "partnergraph emulator" in b and "redis-server" in b)
    assert "PARTNERGRAPH_GRAPH_URL=http://127.0.0.1:8001" in recipe
    assert "PARTNERGRAPH_REDIS_URL=redis://" in recipe
    assert recipe.count("partnergraph serve") == 2
