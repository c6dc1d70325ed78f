"""Tests of partnergraph.server."""
