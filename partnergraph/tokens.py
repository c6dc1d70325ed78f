"""What a Meta access token looks like, and text with every such token cut out of it."""

import re

__all__ = ["REDACTED", "TOKEN_PREFIXES", "TOKEN_SHAPE", "redact"]

TOKEN_PREFIXES = ("EAA", "IGAA", "IGQV")
"""How access tokens start: Facebook Login ones with EAA, Instagram Login ones with IGAA or IGQV."""
TOKEN_SHAPE = rf"(?:{'|'.join(TOKEN_PREFIXES)})[A-Za-z0-9_-]{{20,}}"
"""An access token: its prefix, in capitals, then 20 or more token characters, wherever it is,
even glued to other text (`Q_EAAB…`). Case-sensitive: compile it without IGNORECASE."""
REDACTED = "[redacted]"

_TOKENS = re.compile(TOKEN_SHAPE + r"(?:\.\.\.[A-Za-z0-9_-]+)?")
"""A token, and the tail graphql-core prints after `...` when it shortens a long value."""


def redact(text: str) -> str:
    """text with every token-shaped run replaced by REDACTED."""
    if not any(prefix in text for prefix in TOKEN_PREFIXES):
        return text  # the common case, a few times faster than the expression
    return _TOKENS.sub(REDACTED, text)
