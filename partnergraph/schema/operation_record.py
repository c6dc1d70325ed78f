"""Notes the name and type of the operation a request runs in the request's record."""

import contextlib
from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from partnergraph import telemetry


class OperationRecord(SchemaExtension):
    """Once parsed, before the operation's type is checked: the operation is known, even if
    it turns out not allowed (a mutation by GET) or invalid."""

    def on_parse(self) -> Iterator[None]:
        yield
        record = telemetry.current()
        context = self.execution_context
        if record is None or context.graphql_document is None:
            return  # it did not parse
        record.operation_name = context.operation_name
        with contextlib.suppress(RuntimeError):  # no such operation: refused next
            record.operation_type = context.operation_type.value
