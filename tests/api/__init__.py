"""Tests of the GraphQL API, run in-process under its lifespan against the standalone emulator."""
