"""Starts the `partnergraph` console script as a real server on a free loopback port."""

import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

_ANNOUNCEMENT = " listening on "


def announced_url(line: str) -> str | None:
    """The URL a server's banner line announces, in text or JSON, or None for another line."""
    if _ANNOUNCEMENT not in line:
        return None
    if line.startswith("{"):
        url: str = json.loads(line)["url"]
        return url
    return line.split(_ANNOUNCEMENT, 1)[1].strip()


@dataclass(frozen=True)
class Server:
    """A running server process and the base URL it announced."""

    url: str
    process: subprocess.Popen[str]


@contextmanager
def started(
    *args: str,
    env: Mapping[str, str] | None = None,
    module: str = "partnergraph",
    stderr: Path | None = None,
) -> Iterator[Server]:
    """Run `python -m <module> <args> --port 0` until the block ends (or a test kills it).

    With `stderr`, the server's standard error (its log) is written to that file.
    """
    with ExitStack() as files:
        errors = files.enter_context(stderr.open("w")) if stderr else None
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", module, *args, "--host", "127.0.0.1", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            env={**os.environ, **(env or {})},
        )
        try:
            assert process.stdout is not None
            for line in process.stdout:
                url = announced_url(line)
                if url is not None:
                    break
            else:
                raise RuntimeError(f"{module} {' '.join(args)} exited with {process.wait()}")
            yield Server(url, process)
        finally:
            process.terminate()
            process.wait(timeout=10)


@contextmanager
def running(
    *args: str,
    env: Mapping[str, str] | None = None,
    module: str = "partnergraph",
    stderr: Path | None = None,
) -> Iterator[str]:
    """Run `python -m <module> <args> --port 0` and yield its base URL until the block ends."""
    with started(*args, env=env, module=module, stderr=stderr) as server:
        yield server.url
