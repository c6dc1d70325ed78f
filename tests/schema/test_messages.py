"""What an error message shows: values it quotes cut, tokens redacted, prose left alone."""

import pytest

from partnergraph.resolvers.echo import SHOWN
from partnergraph.schema.errors import MAX_MESSAGE, shown

TOKEN = "EAAB" + "q7Zx" * 45
LONG = "y" * (SHOWN + 20)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            f"Cannot query field '{LONG}' on type 'Query'.",
            f"Cannot query field '{LONG[:SHOWN]}'… on type 'Query'.",
        ),
        (f'Unknown operation named "{LONG}".', f'Unknown operation named "{LONG[:SHOWN]}"….'),
        (f"Expected '{LONG}", f"Expected '{LONG[:SHOWN]}'…"),  # a message cut inside a value
        (f"Int cannot represent: '{TOKEN}'", "Int cannot represent: '[redacted]'"),
        (f"glued Q_{TOKEN}.", "glued Q_[redacted]."),
        (
            f"graphql-core's cut: '{TOKEN[:118]}...{TOKEN[-118:]}'",
            "graphql-core's cut: '[redacted]'",
        ),
        (f"'it\\'s {LONG}' here", f"'it\\'s {LONG[: SHOWN - 6]}'… here"),
    ],
)
def test_a_quoted_value_is_cut_and_a_token_redacted(message: str, expected: str) -> None:
    assert shown(message) == expected


@pytest.mark.parametrize(
    "message",
    [
        f"The creator's brand doesn't exist, so nothing was asked of the creators' {LONG}.",
        "The Graph API refused this token's call on 1784: it's not allowed.",
        "Send a Graph API user access token as `Authorization: Bearer <token>`.",
    ],
)
def test_prose_is_left_as_it_is(message: str) -> None:
    assert shown(message) == message


def test_a_message_is_at_most_max_message_characters() -> None:
    assert len(shown("z" * 10 * MAX_MESSAGE)) == MAX_MESSAGE
