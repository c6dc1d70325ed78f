"""The supervisor of `serve --workers N`: uvicorn's, with the workers counting their metrics
in one fresh directory per run, and each worker that exits marked dead there."""

import os
import socket
import tempfile

import uvicorn
from prometheus_client.multiprocess import mark_process_dead
from uvicorn.supervisors import Multiprocess

from partnergraph.server.metrics import MULTIPROCESS_DIR

__all__ = ["supervise"]


def supervise(config: uvicorn.Config, sock: socket.socket) -> None:
    """Run config's workers on sock until interrupted; their metrics directory goes with them."""
    with tempfile.TemporaryDirectory(prefix="partnergraph-metrics-") as directory:
        os.environ[MULTIPROCESS_DIR] = directory  # the workers, spawned from here, inherit it
        try:
            _Supervisor(config, [sock], directory).run()
        finally:
            del os.environ[MULTIPROCESS_DIR]


class _Supervisor(Multiprocess):
    """uvicorn's supervisor, telling prometheus-client of each worker gone (replaced or not)."""

    def __init__(
        self, config: uvicorn.Config, sockets: list[socket.socket], directory: str
    ) -> None:
        super().__init__(config, sockets)
        self._directory = directory
        self._pids: set[int] = set()

    def keep_subprocess_alive(self) -> None:
        """Replace dead workers as uvicorn does, then mark those no longer running dead."""
        super().keep_subprocess_alive()
        pids = {process.pid for process in self.processes if process.pid is not None}
        for pid in self._pids - pids:
            mark_process_dead(pid, self._directory)  # type: ignore[no-untyped-call]
        self._pids = pids
