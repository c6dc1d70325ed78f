"""Errors of the server's own configuration."""


class SettingsError(ValueError):
    """A setting has a value the server cannot run with."""
