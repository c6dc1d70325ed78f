"""The container image and compose.yaml install from the lock once, at build time, and a
container only serves: nothing is installed when it starts."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INSTALLS = re.compile(r"\b(pip3?|uv)\s+(install|sync|pip)\b")


def _instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions, (KEYWORD, arguments), continuation lines joined."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines()]
    found = [line.split(None, 1) for line in lines if line and not line.startswith("#")]
    return [(keyword.upper(), rest) for keyword, rest in found]


def _uv_version() -> str:
    match = re.search(r"^UV_VERSION := (\S+)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert match is not None
    return match.group(1)


def test_the_image_installs_the_locked_runtime_at_build_time() -> None:
    instructions = _instructions()
    runs = [rest for keyword, rest in instructions if keyword == "RUN"]
    installs = [run for run in runs if INSTALLS.search(run)]
    assert installs == [
        f"pip install --no-cache-dir --disable-pip-version-check uv=={_uv_version()}",
        "uv sync --frozen --no-dev --no-install-project",
        "uv sync --frozen --no-dev",
    ]
    copied = [rest for keyword, rest in instructions if keyword == "COPY"]
    first_sync = instructions.index(("RUN", installs[1]))
    lock_copied = instructions.index(("COPY", next(c for c in copied if "uv.lock" in c)))
    assert lock_copied < first_sync  # the lock is there when uv syncs from it
    for copy in copied:
        for source in copy.split()[:-1]:
            assert (ROOT / source).exists(), source
    (start,) = [rest for keyword, rest in instructions if keyword in ("CMD", "ENTRYPOINT")]
    assert not INSTALLS.search(start)
    assert start.startswith('["partnergraph", "serve"')


def test_compose_builds_the_image_and_installs_nothing_when_a_container_starts() -> None:
    compose = (ROOT / "compose.yaml").read_text()
    assert not INSTALLS.search(compose)
    assert "volumes:" not in compose  # the image's code, not the checkout's
    assert re.search(r"^    build: \.$", compose, re.MULTILINE)
    assert "command:" not in compose.split("api-1:", 1)[1]  # the image's CMD


def test_the_build_context_leaves_local_environments_out() -> None:
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert {".git", ".venv*", "node_modules"} <= set(ignored)
