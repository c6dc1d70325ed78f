"""The generated TypeScript client type-checks under `tsc --strict`, with a frontend's use of it."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TSC = ROOT / "node_modules" / ".bin" / "tsc"


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
