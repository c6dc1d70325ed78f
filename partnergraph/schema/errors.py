"""Gives every GraphQL error a code and the request id, and shows its message cut and without
tokens; masks and logs unexpected ones."""

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from graphql.validation.validate import ValidationAbortedError
from strawberry.extensions import SchemaExtension
from strawberry.schema.exceptions import CannotGetOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.execution import StreamExecutionResult

from partnergraph import telemetry
from partnergraph.errors import BadUserInput, PartnergraphError, QueryTooComplex
from partnergraph.resolvers.echo import quotes_cut
from partnergraph.tokens import redact

logger = logging.getLogger("partnergraph.errors")

INTERNAL_MESSAGE = "An unexpected error happened; it has been logged."
MAX_MESSAGE = 500
"""The most characters of an error message an answer holds: graphql-core's messages print
the value they refuse, and a value nested n deep prints in n² characters."""
_READ = 4 * MAX_MESSAGE
"""The characters of a message read to show it: its values quoted past MAX_MESSAGE are cut
off anyway, and the reading costs no more than its answer."""

_EXPECTED = (PartnergraphError, CannotGetOperationTypeError)
"""Errors that are the client's, not a bug: ours, and Strawberry's for an operation name
the document does not hold (over WebSocket, which closes the socket on it)."""


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


def coded_refusal(error: PartnergraphError) -> GraphQLError:
    """One of our errors met outside execution (a request, an operation or an answer refused),
    coded as every error an answer holds is."""
    return coded(GraphQLError(error.message, original_error=error))


class StreamedErrorCodes(SchemaExtension):
    """Codes the errors of each result streamed over WebSocket, as the view codes those it
    answers over HTTP."""

    def on_stream_result(self, result: StreamExecutionResult) -> Iterator[None]:
        if isinstance(result, ExecutionResult):
            result.errors = _streamed(result.errors)
        yield


def _streamed(errors: list[GraphQLError] | None) -> list[GraphQLError] | None:
    """The errors coded, but for an operation the document does not hold: Strawberry's
    graphql-transport-ws handler closes the socket on it, with its message as the reason
    (coded, it would be sent in a message), so it is only noted in the record."""
    if not errors:
        return errors
    if isinstance(errors[0].original_error, CannotGetOperationTypeError):
        telemetry.note_error(BadUserInput.code)
        return errors
    return [coded(error) for error in errors]


def log(error: GraphQLError) -> None:
    """Log an unexpected error, where it happened and its traceback: on the server only."""
    original = error.original_error
    if original is None or isinstance(original, _EXPECTED) or _refused_variable(error):
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
        shown(message),
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=telemetry.error_extensions(extensions),
    )


def shown(message: str) -> str:
    """message as a client may see it: every token redacted, every value it quotes cut to its
    first characters, and at most MAX_MESSAGE characters in all."""
    message = quotes_cut(redact(message[:_READ]))
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 1] + "…"
