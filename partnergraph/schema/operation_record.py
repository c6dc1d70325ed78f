"""Notes the name and type of the operation a request runs in the request's record."""

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from partnergraph import telemetry


class OperationRecord(SchemaExtension):
    """After parsing, before validation: the operation is known, even if it turns out invalid."""

    def on_validate(self) -> Iterator[None]:
        record = telemetry.current()
        if record is not None:
            context = self.execution_context
            record.operation_name = context.operation_name
            record.operation_type = context.operation_type.value
        yield
