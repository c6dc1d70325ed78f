"""The generated TypeScript client type-checks under `tsc --strict`, with a frontend's use of it,
and that use runs against a server running only the generated manifest's documents."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import httpx

from tests.demo import Demo
from tests.servers import running

ROOT = Path(__file__).resolve().parents[2]
TSC = ROOT / "node_modules" / ".bin" / "tsc"
NODE = shutil.which("node") or "node"
USAGE = Path(__file__).with_name("usage.ts")
RUNNER = Path(__file__).with_name("run_usage.cjs")
MANIFEST = ROOT / "clients" / "typescript" / "persisted-documents.json"
COMMONJS = ("--module", "commonjs", "--target", "ES2022", "--lib", "ES2022,DOM", "--types", "")
"""tsc options that compile usage.ts and the client to CommonJS node runs as they are."""


def test_generated_client_and_its_use_type_check_strictly() -> None:
    assert TSC.exists(), "node_modules/ is missing: `make test` installs it (npm ci)"
    checked = subprocess.run(  # noqa: S603
        [str(TSC), "--strict", "--project", str(ROOT / "tests" / "codegen" / "tsconfig.json")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_typescript_client_runs_on_a_trusted_documents_server(
    emulator_url: str, demo: Demo, tmp_path: Path
) -> None:
    """usage.ts sends `print(document)`: graphql-js's layout of the generated documents, not
    the manifest's text; a server running only the manifest's documents runs them."""
    compiled = tmp_path / "compiled"
    subprocess.run(  # noqa: S603
        [*(str(TSC), *COMMONJS), "--rootDir", str(ROOT), "--outDir", str(compiled), str(USAGE)],
        cwd=ROOT,
        check=True,
    )
    creator = demo.creator_without_big_brand_permission()["username"]
    env = {"PARTNERGRAPH_GRAPH_URL": emulator_url, "PARTNERGRAPH_TRUSTED_DOCUMENTS": str(MANIFEST)}
    with running("serve", env=env) as url:
        endpoint = f"{url}/graphql"
        headers = {"Authorization": f"Bearer {demo.agency}"}
        first = {"brandId": demo.odd_brand, "first": 1}
        by_id = {"documentId": _id_of("BrandPermissions"), "variables": first}
        page = httpx.post(endpoint, json=by_id, headers=headers)
        permission = page.json()["data"]["brand"]["permissions"]["edges"][0]["node"]
        arguments = [endpoint, demo.agency, demo.big_brand, creator, permission["id"]]
        ran = subprocess.run(  # noqa: S603
            [NODE, str(RUNNER), str(compiled), *arguments],
            env={**os.environ, "NODE_PATH": str(ROOT / "node_modules")},
            capture_output=True,
            text=True,
            check=False,
        )
    assert ran.returncode == 0, ran.stderr
    results = json.loads(ran.stdout)
    assert len(results["creators"]) > 100  # two pages or more, each sent as print(document)
    assert results["requested"] == "PENDING"
    assert results["described"].startswith(f"permission {permission['graphId']} (")


def _id_of(operation: str) -> str:
    manifest: dict[str, str] = json.loads(MANIFEST.read_text())
    return next(key for key, text in manifest.items() if f" {operation}(" in text)
