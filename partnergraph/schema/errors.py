"""Gives every GraphQL error a code and the request id; masks and logs unexpected ones."""

import logging

from graphql import GraphQLError
from graphql.validation.validate import ValidationAbortedError

from partnergraph import telemetry
from partnergraph.errors import PartnergraphError, QueryTooComplex

logger = logging.getLogger("partnergraph.errors")

INTERNAL_MESSAGE = "An unexpected error happened; it has been logged."


def coded(error: GraphQLError) -> GraphQLError:
    """The error as a client sees it: with a code, and masked when it was not expected."""
    original = error.original_error
    if isinstance(original, PartnergraphError):
        return _with(error, original.message, original.extensions)
    if original is None or _refused_variable(error):
        extensions = dict(error.extensions or {})
        # graphql-core gives up on a document whose validation costs more than its budget
        too_complex = isinstance(error, ValidationAbortedError)
        extensions.setdefault("code", QueryTooComplex.code if too_complex else "BAD_USER_INPUT")
        return _with(error, error.message, extensions)
    return _with(error, INTERNAL_MESSAGE, {"code": "INTERNAL_SERVER_ERROR"})


def log(error: GraphQLError) -> None:
    """Log an unexpected error, where it happened and its traceback: on the server only."""
    original = error.original_error
    if original is None or isinstance(original, PartnergraphError) or _refused_variable(error):
        return
    path = ".".join(str(part) for part in error.path or ())
    logger.error(
        "unexpected %s at %s",
        type(original).__name__,
        path or "<document>",
        exc_info=original,
    )


def _refused_variable(error: GraphQLError) -> bool:
    """Whether a variable's value was refused before execution (graphql-core wraps that)."""
    return isinstance(error.original_error, GraphQLError) and not error.path


def _with(error: GraphQLError, message: str, extensions: dict[str, object]) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=telemetry.error_extensions(extensions),
    )
