"""Input values quoted in messages: shortened, so that an answer never outgrows its request, and
with access tokens redacted, so that a token pasted in the wrong place never comes back."""

import re

from partnergraph.tokens import redact

__all__ = ["SHOWN", "echo", "quotes_cut"]

SHOWN = 40
"""The characters of an input value a message quotes; longer ones end in "…"."""
_MORE = "…"
_QUOTED = re.compile(
    r"""(?<![\w\\])(?P<quote>['"])(?P<value>(?:\\.|(?!(?P=quote))[^\\])*)(?:(?P=quote)(?!\w)|$)""",
    re.DOTALL,
)
"""A value a message quotes: in '…' or "…", as graphql-core and Strawberry quote names and
values. A quote after a letter is an apostrophe (`doesn't`), not an opening quote; one that
never closes quotes to the end (the rest of a message cut short)."""


def echo(value: str) -> str:
    """The repr of value's first SHOWN characters, then "…" if it has more; tokens redacted."""
    shown = redact(value)
    return repr(shown[:SHOWN]) + (_MORE if len(shown) > SHOWN else "")


def quotes_cut(message: str) -> str:
    """message with every value it quotes cut as echo cuts one: for messages of libraries,
    which quote the whole value."""
    return _QUOTED.sub(_cut, message)


def _cut(quoted: re.Match[str]) -> str:
    value = quoted["value"]
    if len(value) <= SHOWN:
        return quoted[0]
    quote = quoted["quote"]
    return quote + value[:SHOWN].rstrip("\\") + quote + _MORE
