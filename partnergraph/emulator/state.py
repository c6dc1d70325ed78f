"""Everything one emulator holds: data, usage, stats, faults; made with the app, resettable."""

import base64
import hashlib
import itertools
import time
from collections.abc import Callable

from partnergraph.emulator.faults import Faults
from partnergraph.emulator.seed import seeded_store
from partnergraph.emulator.stats import Stats
from partnergraph.emulator.store import Store
from partnergraph.emulator.usage import Usage


class Emulator:
    """The state behind one emulator app."""

    store: Store
    usage: Usage
    stats: Stats
    faults: Faults

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self.reset()

    def reset(self) -> None:
        """Back to the seeded demo data, with no usage, stats or faults."""
        self.store = seeded_store()
        self.usage = Usage(self._clock)
        self.stats = Stats()
        self.faults = Faults()
        self._traces = itertools.count(1)

    def trace_id(self) -> str:
        """A fresh fbtrace_id: random-looking, deterministic since the last reset."""
        digest = hashlib.sha256(f"fbtrace-{next(self._traces)}".encode()).digest()
        return base64.b64encode(digest, altchars=b"Aa").decode()[:23]
