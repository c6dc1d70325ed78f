"""The committed clients and manifest are what `make codegen` writes from schema and queries/."""

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

from graphql import OperationDefinitionNode, parse

ROOT = Path(__file__).resolve().parents[2]
QUERIES = sorted((ROOT / "queries").glob("*.graphql"))
GENERATED = ("clients/typescript", "clients/python/partnergraph_client")
INPUTS = ("schema.graphql", "queries", "codegen.ts", "ariadne-codegen.toml")
MAKE = shutil.which("make") or "make"
MANIFEST = ROOT / "clients" / "typescript" / "persisted-documents.json"


def _files(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` by its relative path, bytecode caches aside."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def _differences(expected: Path, actual: Path) -> list[str]:
    """The files that differ between what codegen writes and what is committed."""
    written, committed = _files(expected), _files(actual)
    return sorted(
        f"{name}: "
        + (
            "missing"
            if name not in committed
            else "not generated"
            if name not in written
            else "stale"
        )
        for name in written.keys() | committed.keys()
        if written.get(name) != committed.get(name)
    )


def test_committed_clients_are_what_codegen_writes(tmp_path: Path) -> None:
    for name in INPUTS:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name)
        else:
            shutil.copy2(source, tmp_path / name)
    (tmp_path / "node_modules").symlink_to(ROOT / "node_modules")
    generated = subprocess.run(  # noqa: S603
        [MAKE, "--no-print-directory", "-s", "-f", str(ROOT / "Makefile"), "generate-clients"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    for folder in GENERATED:
        differences = _differences(tmp_path / folder, ROOT / folder)
        assert differences == [], f"{folder} is stale: run `make codegen` and commit"


def test_manifest_holds_every_operation_under_the_sha256_of_its_text() -> None:
    manifest: dict[str, str] = json.loads(MANIFEST.read_text())
    for key, document in manifest.items():
        assert key == "sha256:" + hashlib.sha256(document.encode()).hexdigest()
    names = set()
    for document in manifest.values():
        (operation,) = parse(document).definitions
        assert isinstance(operation, OperationDefinitionNode)
        assert operation.name is not None
        names.add(operation.name.value)
    assert names == {path.stem for path in QUERIES}
