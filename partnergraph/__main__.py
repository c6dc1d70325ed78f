"""Runs the console script as `python -m partnergraph`."""

from partnergraph.server.cli import main

main()
