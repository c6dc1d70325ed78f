"""The batch endpoint: up to 50 Graph calls in one request, each answered on its own, later ones
waiting for earlier named ones and using their results through JSONPath references."""

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode

from partnergraph.emulator.errors import GraphError, invalid_parameter
from partnergraph.emulator.graph import Answer, answer, failure
from partnergraph.emulator.jsonpath import JsonPath
from partnergraph.emulator.state import Emulator
from partnergraph.emulator.wire import Call, call_from_entry, edge_of

MAX_ENTRIES = 50
_REFERENCE = re.compile(r"\{result=([^:{}]+):([^{}]*)\}")

Pairs = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class _Entry:
    """One batch entry, its references resolved to the indexes of the entries they name."""

    method: str
    path: str
    query: Pairs
    form: Pairs
    name: str | None
    sources: tuple[tuple[str, int], ...]
    omit_response: bool

    @property
    def needs(self) -> frozenset[int]:
        """The indexes of the entries this one waits for."""
        return frozenset(index for _, index in self.sources)


def run(emulator: Emulator, call: Call) -> Answer:
    """Answer every entry in order; one entry's failure fails only it and what depends on it.

    An entry whose dependency failed (or was itself skipped) is not run and answers `null`, and
    so does a named entry that later entries depend on, once it succeeded, unless it says
    `"omit_response_on_success": false`.
    """
    try:
        entries = _entries(call)
    except GraphError as error:
        return failure(emulator, error)
    results: list[dict[str, Any] | None] = []
    bodies: dict[int, Any] = {}
    for entry in entries:
        emulator.stats.count(edge_of(entry.path, entry.method), entry.method)
        if not entry.needs <= bodies.keys():
            results.append(None)
            continue
        entry_call = _call(entry, bodies, call)
        entry_answer = answer(emulator, entry_call)
        if 200 <= entry_answer.status < 300:
            bodies[len(results)] = entry_answer.payload
        results.append(_result(entry_answer))
    used = set().union(*(entry.needs for entry in entries))
    for index in used & bodies.keys():
        if entries[index].omit_response:
            results[index] = None
    return Answer(200, results, emulator.usage.headers(None))


def _entries(call: Call) -> list[_Entry]:
    raw = call.params.get("batch")
    if not raw:
        raise invalid_parameter("The parameter batch is required")
    try:
        listed = json.loads(raw)
    except ValueError:
        raise invalid_parameter("The parameter batch must be a JSON array") from None
    if not isinstance(listed, list) or not listed:
        raise invalid_parameter("The parameter batch must be a non-empty JSON array")
    if len(listed) > MAX_ENTRIES:
        raise invalid_parameter(
            f"Too many requests in batch message. Maximum batch size is {MAX_ENTRIES}"
        )
    names: dict[str, int] = {}
    entries = []
    for index, item in enumerate(listed):
        entry = _entry(item, index, names)
        if entry.name is not None:
            names[entry.name] = index
        entries.append(entry)
    return entries


def _entry(raw: Any, index: int, names: dict[str, int]) -> _Entry:
    if not isinstance(raw, dict):
        raise invalid_parameter("Each batch entry must be a JSON object")
    method, relative_url, body = raw.get("method"), raw.get("relative_url"), raw.get("body", "")
    if not isinstance(method, str) or not isinstance(relative_url, str):
        raise invalid_parameter("Each batch entry needs a method and a relative_url")
    if isinstance(body, dict):
        body = urlencode({name: str(value) for name, value in body.items()})
    if not isinstance(body, str):
        raise invalid_parameter("A batch entry's body must be a URL-encoded string")
    path, _, query_string = relative_url.partition("?")
    if _REFERENCE.search(unquote(path)):
        path = unquote(path)
    query = tuple(parse_qsl(query_string, keep_blank_values=True))
    form = tuple(parse_qsl(body, keep_blank_values=True))
    references = [
        found
        for text in (path, *(value for _, value in query + form))
        for found in _REFERENCE.findall(text)
    ]
    for _, expression in references:
        JsonPath.parse(expression)
    wanted = [name for name, _ in references]
    depends_on = raw.get("depends_on")
    if depends_on is not None:
        if not isinstance(depends_on, str) or not depends_on:
            raise invalid_parameter("A batch entry's depends_on must be the name of an entry")
        wanted.append(depends_on)
    for name in wanted:
        if name not in names:
            raise _unresolved(index, name)
    return _Entry(
        method=method.upper(),
        path=path,
        query=query,
        form=form,
        name=_name(raw.get("name")),
        sources=tuple((name, names[name]) for name in wanted),
        omit_response=_omit_response(raw.get("omit_response_on_success", True)),
    )


def _name(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise invalid_parameter("A batch entry's name must be a non-empty string")
    return value


def _omit_response(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise invalid_parameter("A batch entry's omit_response_on_success must be a boolean")


def _unresolved(index: int, name: str) -> GraphError:
    """The Graph API's own words for a reference to no preceding entry (two double spaces)."""
    return GraphError(
        100,
        f"Request {index} cannot depend on an  unresolved request with  name {name}. "
        "Requests can only depend on preceding requests",
        kind="GraphBatchException",
    )


def _call(entry: _Entry, bodies: dict[int, Any], batch: Call) -> Call:
    """The entry as a Graph call, each `{result=NAME:$.path}` replaced by what it selects."""
    sources = dict(entry.sources)

    def resolve(text: str) -> str:
        return _REFERENCE.sub(
            lambda found: JsonPath.parse(found.group(2)).text(bodies[sources[found.group(1)]]),
            text,
        )

    query = urlencode([(key, resolve(value)) for key, value in entry.query])
    form = urlencode([(key, resolve(value)) for key, value in entry.form])
    relative_url = f"{resolve(entry.path)}?{query}" if query else resolve(entry.path)
    return call_from_entry(entry.method, relative_url, form, batch.token, batch.base_url)


def _result(entry: Answer) -> dict[str, Any]:
    headers = {"Content-Type": "application/json; charset=UTF-8", **entry.headers}
    return {
        "code": entry.status,
        "headers": [{"name": name, "value": value} for name, value in headers.items()],
        "body": json.dumps(entry.payload, separators=(",", ":")),
    }
