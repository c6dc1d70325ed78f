"""The JSONPath a batch entry's `{result=NAME:$.path}` uses: names, indexes and wildcards, as text.

The Graph API allows no filter or script constructs in these expressions, so neither is read.
"""

import json
import re
from dataclasses import dataclass
from typing import Any

from partnergraph.emulator.errors import GraphError

_STEP = re.compile(r"\.(\w+)|\.\*|\[(\d+)\]|\[\*\]|\['([^']*)'\]|\[\"([^\"]*)\"\]")

Step = str | int | None
"""A name, an index, or None for a wildcard."""


@dataclass(frozen=True, slots=True)
class JsonPath:
    """A parsed expression: the steps from the root `$`."""

    steps: tuple[Step, ...]

    @classmethod
    def parse(cls, expression: str) -> "JsonPath":
        """The steps of `$.a.b[0].*`; a batch error for anything else."""
        if not expression.startswith("$"):
            raise _invalid(expression)
        steps: list[Step] = []
        position = 1
        while position < len(expression):
            step = _STEP.match(expression, position)
            if step is None:
                raise _invalid(expression)
            name, index, quoted, double_quoted = step.groups()
            if index is not None:
                steps.append(int(index))
            elif name is not None or quoted is not None or double_quoted is not None:
                steps.append(name or quoted or double_quoted or "")
            else:
                steps.append(None)
            position = step.end()
        return cls(tuple(steps))

    def select(self, document: Any) -> list[Any]:
        """Every value the expression reaches in the document, in document order."""
        found = [document]
        for step in self.steps:
            found = [value for item in found for value in _children(item, step)]
        return found

    def text(self, document: Any) -> str:
        """What the reference puts in a URL or body: the values, a list's joined with commas."""
        return ",".join(_text(value) for value in self.select(document))


def _children(item: Any, step: Step) -> list[Any]:
    if step is None:
        if isinstance(item, dict):
            return list(item.values())
        return list(item) if isinstance(item, list) else []
    if isinstance(step, int):
        return [item[step]] if isinstance(item, list) and step < len(item) else []
    return [item[step]] if isinstance(item, dict) and step in item else []


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(_text(item) for item in value)
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))


def _invalid(expression: str) -> GraphError:
    return GraphError(
        100, f"Invalid JSONPath expression in batch: {expression}", kind="GraphBatchException"
    )
