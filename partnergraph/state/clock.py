"""The clock that state is kept by, injectable so windows and expiries can be tested."""

import time
from collections.abc import Callable

__all__ = ["Clock", "wall_clock"]

Clock = Callable[[], float]
"""Seconds since the epoch: shared state compares times across machines, so wall time."""

wall_clock: Clock = time.time
