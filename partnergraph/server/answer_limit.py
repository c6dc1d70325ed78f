"""The bound on an answer's size: past it, the answer is replaced by a coded error, over HTTP
and WebSocket alike, so that no client is sent (or has buffered for it) more than that."""

from graphql import GraphQLFormattedError

from partnergraph.errors import AnswerTooLarge
from partnergraph.schema.errors import coded_refusal

__all__ = ["MAX_ANSWER_BYTES", "too_large"]

MAX_ANSWER_BYTES = 4 * 1024 * 1024
"""Bytes one answer may take by default (PARTNERGRAPH_MAX_ANSWER_BYTES); the largest answer
within the node limit (queries/Viewer.graphql at its largest pages) takes about 2 MB."""


def too_large(size: int, max_bytes: int) -> GraphQLFormattedError:
    """The error that replaces an answer of `size` bytes, over `max_bytes`."""
    message = (
        f"The answer takes {size} bytes; the limit is {max_bytes}. "
        "Ask for smaller pages, fewer aliases or fewer fields."
    )
    return coded_refusal(AnswerTooLarge(message)).formatted
