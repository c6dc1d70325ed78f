"""Benchmarks of partnergraph, run by `make bench` (`python -m bench`).

Every script starts real servers as subprocesses on loopback (the standalone
emulator, `partnergraph serve` against it, and for comparison a naive
Strawberry app), drives them from this process with httpx, and prints exactly
one line: a ratio measured against a baseline measured in the same run, never
an absolute timing verdict. `python -m bench.<name>` runs one alone.
"""
