"""The project as a newcomer and a maintainer meet it: a lean runtime install, declared and
pinned dependencies, a licence and a changelog."""

import ast
import os
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions, version
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
RUNTIME = {_normal(Requirement(line).name): Requirement(line) for line in PROJECT["dependencies"]}
DEVELOPMENT = {_normal(Requirement(line).name) for line in PROJECT["optional-dependencies"]["dev"]}
INTERNALS_USED = ("strawberry-graphql", "graphql-core")
FIRST_PARTY = {"partnergraph", "partnergraph_client", "tests", "bench"}


def _dry_run(target: str) -> str:
    """What `make <target>` would run on a fresh clone (every step, nothing run)."""
    result = subprocess.run(  # noqa: S603
        ["make", "--always-make", "--dry-run", "--no-print-directory", target],  # noqa: S607
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if not k.startswith("MAKE")},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def test_runtime_dependencies_hold_no_development_tool() -> None:
    assert DEVELOPMENT
    assert not DEVELOPMENT & set(RUNTIME)
    for tool in ("pytest", "mypy", "ruff", "playwright", "hypothesis"):
        assert tool in DEVELOPMENT
        assert tool not in RUNTIME


def test_make_serve_installs_the_runtime_only_and_make_test_adds_the_development_tools() -> None:
    serve = _dry_run("serve")
    assert "uv sync --quiet --frozen --inexact\n" in serve
    assert "--extra dev" not in serve
    assert serve.rstrip().endswith("partnergraph serve")
    assert "uv sync --quiet --frozen --inexact --extra dev\n" in _dry_run("test")


def test_every_environment_the_two_commands_build_comes_from_a_lock() -> None:
    for target in ("serve", "test"):
        steps = _dry_run(target).splitlines()
        installs = [step for step in steps if re.search(r"\b(pip|sync|ci)\b", step)]
        assert installs, target
        for step in installs:
            if "uv==" in step:
                assert re.search(r"uv==\d+\.\d+\.\d+$", step)
            elif " sync " in step:
                assert "--frozen" in step or "--require-hashes" in step, step
            else:
                assert step.startswith("npm ci "), step


def test_the_lock_agrees_with_pyproject() -> None:
    check = subprocess.run(  # noqa: S603
        [ROOT / ".uv" / "bin" / "uv", "lock", "--check", "--offline"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stderr
    locked = {
        _normal(package["name"]): Version(package["version"])
        for package in tomllib.loads((ROOT / "uv.lock").read_text())["package"]
        if "version" in package
    }
    for name, requirement in RUNTIME.items():
        assert locked[name] in requirement.specifier, name
        if name in INTERNALS_USED:
            assert Version(version(name)) == locked[name], name


def test_the_codegen_pins_satisfy_what_the_codegen_asks_for() -> None:
    pinned = {
        _normal(match[1]): Version(match[2])
        for match in re.finditer(
            r"^([\w.-]+)==(\S+) \\$", (ROOT / "requirements-codegen.txt").read_text(), re.M
        )
    }
    hashed = re.findall(
        r"--hash=sha256:[0-9a-f]{64}", (ROOT / "requirements-codegen.txt").read_text()
    )
    assert len(hashed) >= len(pinned) > 0
    asked = [
        Requirement(line)
        for line in (ROOT / "requirements-codegen.in").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert {_normal(requirement.name) for requirement in asked} == {
        "ariadne-codegen",
        "graphql-core",
    }
    for requirement in asked:
        assert pinned[_normal(requirement.name)] in requirement.specifier, requirement


def _third_party_imports(*folders: str) -> set[str]:
    """The top-level modules that the Python files under folders import from outside."""
    imported = set()
    for folder in folders:
        for source in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(source.read_text())):
                if isinstance(node, ast.Import):
                    imported |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    imported.add(node.module.split(".")[0])
    return imported - set(sys.stdlib_module_names) - FIRST_PARTY


def _undeclared(modules: set[str], declared: set[str]) -> list[str]:
    distributions = packages_distributions()
    return [
        module
        for module in sorted(modules)
        if not {_normal(name) for name in distributions.get(module, [])} & declared
    ]


def test_every_imported_package_is_declared() -> None:
    runtime = _third_party_imports("partnergraph")
    assert {"strawberry", "graphql", "tenacity"} <= runtime
    assert _undeclared(runtime, set(RUNTIME)) == []
    development = _third_party_imports("tests", "bench", "clients/python")
    assert {"pytest", "packaging", "pydantic"} <= development
    assert _undeclared(development, set(RUNTIME) | DEVELOPMENT) == []


def test_the_python_client_is_a_package_that_declares_what_it_imports() -> None:
    client = tomllib.loads((ROOT / "clients" / "python" / "pyproject.toml").read_text())["project"]
    declared = {_normal(Requirement(line).name) for line in client["dependencies"]}
    imported = _third_party_imports("clients/python")
    assert {"httpx", "pydantic", "pydantic_core", "websockets"} <= imported
    assert _undeclared(imported, declared) == []
    assert "pydantic" in declared


def test_libraries_whose_internals_are_used_are_pinned_to_the_tested_minor() -> None:
    for name in INTERNALS_USED:
        installed = Version(version(name))
        next_minor = Version(f"{installed.major}.{installed.minor + 1}")
        specifier = RUNTIME[name].specifier
        assert installed in specifier, name
        assert next_minor not in specifier, name


def test_the_licence_and_the_changelog() -> None:
    assert PROJECT["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert "keepachangelog.com" in changelog
    assert re.search(r"^## \[Unreleased\]$", changelog, re.M)
    assert re.search(
        rf"^## \[{re.escape(PROJECT['version'])}\] - \d{{4}}-\d\d-\d\d$", changelog, re.M
    )
