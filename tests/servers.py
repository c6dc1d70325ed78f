"""Starts the `partnergraph` console script as a real server on a free loopback port."""

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path

_ANNOUNCEMENT = " listening on "


@contextmanager
def running(
    *args: str,
    env: Mapping[str, str] | None = None,
    module: str = "partnergraph",
    stderr: Path | None = None,
) -> Iterator[str]:
    """Run `python -m <module> <args> --port 0` and yield its base URL until the block ends.

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
                if _ANNOUNCEMENT in line:
                    url = line.split(_ANNOUNCEMENT, 1)[1].strip()
                    break
            else:
                raise RuntimeError(f"{module} {' '.join(args)} exited with {process.wait()}")
            yield url
        finally:
            process.terminate()
            process.wait(timeout=10)
