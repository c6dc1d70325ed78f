"""The packages depend one way, server -> schema -> resolvers -> graph -> state, and the emulator on
none of them: read from every module's imports, lazy and type-only ones included."""

import ast
from collections.abc import Iterable, Iterator
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("server", "schema", "resolvers", "graph", "state")
"""Each package may import only those after it (and the plain modules beside them: errors, ...)."""
EMULATOR = "emulator"
EMULATOR_USERS = frozenset({"partnergraph.server.demo", "partnergraph.server.cli"})
"""Demo mode embeds the emulator and `partnergraph emulator` runs it; nothing else reaches it."""


class Import(NamedTuple):
    importer: str
    imported: str


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, importer: str) -> Iterator[Import]:
    package = importer if path.name == "__init__.py" else importer.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (Import(importer, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module) if part)
            yield Import(importer, module)
            yield from (Import(importer, f"{module}.{alias.name}") for alias in node.names)


def _project_imports() -> list[Import]:
    return [
        found
        for path in sorted((ROOT / "partnergraph").rglob("*.py"))
        for found in _imports(path, _module_name(path))
        if found.imported.startswith("partnergraph.")
    ]


def _package(module: str) -> str:
    """`partnergraph.graph.client` -> `graph`; a plain module, `partnergraph.errors` -> `errors`."""
    return module.split(".")[1]


def _rank(package: str) -> int:
    return LAYERS.index(package) if package in LAYERS else len(LAYERS)


def _is_allowed(found: Import) -> bool:
    source, target = _package(found.importer), _package(found.imported)
    if source in {target, "__main__"}:
        return True
    if source == EMULATOR:
        return False
    if target == EMULATOR:
        return found.importer in EMULATOR_USERS
    return _rank(source) < _rank(target)


def _upward(imports: Iterable[Import]) -> list[str]:
    return [
        f"{found.importer} imports {found.imported}" for found in imports if not _is_allowed(found)
    ]


def _package_cycle(imports: Iterable[Import]) -> list[str]:
    graph: dict[str, set[str]] = {}
    for found in imports:
        source, target = _package(found.importer), _package(found.imported)
        if source != target:
            graph.setdefault(source, set()).add(target)
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as error:
        return list(error.args[1])
    return []


def test_no_module_imports_upward_or_into_the_emulator() -> None:
    assert _upward(_project_imports()) == []


def test_the_packages_import_each_other_in_no_cycle() -> None:
    assert _package_cycle(_project_imports()) == []


def test_every_layer_is_read() -> None:
    read = {_package(found.importer) for found in _project_imports()}
    assert read >= {*LAYERS, EMULATOR}


def test_an_upward_or_emulator_import_and_a_cycle_are_caught() -> None:
    upward = Import("partnergraph.graph.client", "partnergraph.resolvers.context")
    into_emulator = Import("partnergraph.resolvers.viewer", "partnergraph.emulator.app")
    from_emulator = Import("partnergraph.emulator.app", "partnergraph.errors")
    downward = Import("partnergraph.resolvers.context", "partnergraph.graph.client")
    assert _upward([upward, into_emulator, from_emulator, downward]) == [
        "partnergraph.graph.client imports partnergraph.resolvers.context",
        "partnergraph.resolvers.viewer imports partnergraph.emulator.app",
        "partnergraph.emulator.app imports partnergraph.errors",
    ]
    assert set(_package_cycle([upward, downward])) == {"graph", "resolvers"}
    assert _package_cycle([downward]) == []


def test_relative_imports_resolve_to_the_module_they_name(tmp_path: Path) -> None:
    module = tmp_path / "client.py"
    module.write_text("from . import usage\nfrom ..resolvers.context import Context\n")
    assert set(_imports(module, "partnergraph.graph.client")) == {
        Import("partnergraph.graph.client", "partnergraph.graph"),
        Import("partnergraph.graph.client", "partnergraph.graph.usage"),
        Import("partnergraph.graph.client", "partnergraph.resolvers.context"),
        Import("partnergraph.graph.client", "partnergraph.resolvers.context.Context"),
    }
