"""Drives a server with wrk, a load generator in C, and times the server's CPU meanwhile.

A one-process Python client tops out below what one server process answers, so a
rate it measures is its own; wrk (Debian's `wrk`, installed by `make bench`) is not
the bottleneck, so what it measures is the server.
"""

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import harness

__all__ = ["Run", "run"]

_SCRIPT = Path(__file__).with_name("wrk.lua")
_SUMMARY = "wrk-summary "


@dataclass(frozen=True)
class Run:
    """What one wrk run answered and what it cost the server."""

    requests: int
    seconds: float
    cpu_seconds: float
    """User plus system CPU of the server process during the run."""

    @property
    def rate(self) -> float:
        """Requests answered per second."""
        return self.requests / self.seconds

    @property
    def cpu_per_request(self) -> float:
        """Seconds of server CPU per request answered."""
        return self.cpu_seconds / self.requests


def run(
    url: str,
    *,
    pid: int,
    seconds: float,
    connections: int,
    body: dict[str, Any] | None = None,
    token: str = "",
) -> Run:
    """GET url (or POST body as JSON with `Authorization: Bearer token`) for `seconds`
    over `connections` keep-alive connections; fails on any error or non-2xx answer."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed: `make bench` installs it")
    with tempfile.NamedTemporaryFile("w", suffix=".json") as file:
        arguments = []
        if body is not None:
            json.dump(body, file)
            file.flush()
            arguments = ["--", file.name, token]
        command = [wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "-s", str(_SCRIPT), url]
        before = harness.cpu_seconds(pid)
        done = subprocess.run(  # noqa: S603
            [*command, *arguments], capture_output=True, text=True, check=True
        )
        cpu = harness.cpu_seconds(pid) - before
    summary = next((line for line in done.stdout.splitlines() if line.startswith(_SUMMARY)), None)
    if summary is None:
        raise RuntimeError(f"wrk printed no summary: {done.stdout}{done.stderr}")
    requests, microseconds, failed = (int(field) for field in summary.split()[1:])
    if failed or not requests:
        raise RuntimeError(f"{url}: {failed} of {requests} requests failed: {done.stdout}")
    return Run(requests, microseconds / 1e6, cpu)
