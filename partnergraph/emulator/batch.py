"""The batch endpoint: up to 50 Graph calls in one request, each answered on its own."""

import json
from typing import Any
from urllib.parse import urlencode

from partnergraph.emulator.errors import GraphError, invalid_parameter
from partnergraph.emulator.graph import Answer, answer, failure
from partnergraph.emulator.state import Emulator
from partnergraph.emulator.wire import Call, call_from_entry, edge_of

MAX_ENTRIES = 50


def run(emulator: Emulator, call: Call) -> Answer:
    """Answer every entry of a batch; one entry's failure fails only that entry."""
    try:
        entries = [_entry(call, raw) for raw in _entries(call)]
    except GraphError as error:
        return failure(emulator, error)
    results = []
    for entry in entries:
        emulator.stats.count(edge_of(entry.path, entry.method), entry.method)
        results.append(_result(answer(emulator, entry)))
    return Answer(200, results, emulator.usage.headers(None))


def _entries(call: Call) -> list[Any]:
    raw = call.params.get("batch")
    if not raw:
        raise invalid_parameter("The parameter batch is required")
    try:
        entries = json.loads(raw)
    except ValueError:
        raise invalid_parameter("The parameter batch must be a JSON array") from None
    if not isinstance(entries, list) or not entries:
        raise invalid_parameter("The parameter batch must be a non-empty JSON array")
    if len(entries) > MAX_ENTRIES:
        raise invalid_parameter(
            f"Too many requests in batch message. Maximum batch size is {MAX_ENTRIES}"
        )
    return entries


def _entry(call: Call, raw: Any) -> Call:
    if not isinstance(raw, dict):
        raise invalid_parameter("Each batch entry must be a JSON object")
    method, relative_url, body = raw.get("method"), raw.get("relative_url"), raw.get("body", "")
    if not isinstance(method, str) or not isinstance(relative_url, str):
        raise invalid_parameter("Each batch entry needs a method and a relative_url")
    if isinstance(body, dict):
        body = urlencode({name: str(value) for name, value in body.items()})
    if not isinstance(body, str):
        raise invalid_parameter("A batch entry's body must be a URL-encoded string")
    return call_from_entry(method, relative_url, body, call.token, call.base_url)


def _result(entry: Answer) -> dict[str, Any]:
    headers = {"Content-Type": "application/json; charset=UTF-8", **entry.headers}
    return {
        "code": entry.status,
        "headers": [{"name": name, "value": value} for name, value in headers.items()],
        "body": json.dumps(entry.payload, separators=(",", ":")),
    }
