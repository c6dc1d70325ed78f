"""Input values quoted in messages: shortened, so that an answer never outgrows its request."""

SHOWN = 40
"""The characters of an input value a message quotes; longer ones end in "…"."""


def echo(value: str) -> str:
    """The repr of value's first SHOWN characters, then "…" if it has more."""
    return repr(value[:SHOWN]) + ("…" if len(value) > SHOWN else "")
