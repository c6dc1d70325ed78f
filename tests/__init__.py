"""The test suite: real servers on loopback, driven over HTTP."""
