"""Reads a Graph call as clients send it: version prefix, query, form or JSON body, token, flags."""

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request

from partnergraph.emulator.errors import invalid_parameter, nonexisting_field
from partnergraph.emulator.stats import BATCH, ME, NODE

_VERSION = re.compile(r"v\d+\.\d+")
_NESTED = re.compile(r"\{[^{}]*\}")
_NESTED_FIELD = re.compile(r"(\w+)\s*\{([^{}]*)\}")
_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})
MAX_LIMIT = 100
DEFAULT_LIMIT = 10


@dataclass(frozen=True, slots=True)
class Call:
    """One Graph call, from an HTTP request or a batch entry."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    params: Mapping[str, str]
    token: str | None
    base_url: str

    @property
    def segments(self) -> list[str]:
        """The path's components after any `/vN.N/` prefix."""
        return route(self.path)


def route(path: str) -> list[str]:
    """The components of a Graph path after any version prefix."""
    segments = [segment for segment in path.split("/") if segment]
    if segments and _VERSION.fullmatch(segments[0]):
        return segments[1:]
    return segments


async def call_from_request(request: Request, path: str) -> Call:
    """The call an HTTP request makes; body parameters win over query ones."""
    query = tuple(request.query_params.multi_items())
    params = dict(query)
    if request.method != "GET":
        params.update(await _body(request))
    bearer = request.headers.get("authorization", "")
    token = params.get("access_token") or (bearer[7:] if bearer[:7].lower() == "bearer " else None)
    return Call(request.method, path, query, params, token or None, _base_url(request))


def _base_url(request: Request) -> str:
    """The emulator's own root URL, under whatever path it is mounted at."""
    root = request.scope.get("root_path", "").rstrip("/") + "/"
    return str(request.url.replace(path=root, query="", fragment=""))


def call_from_entry(
    method: str, relative_url: str, body: str, token: str | None, base: str
) -> Call:
    """The call a batch entry makes, with the batch's token unless the entry names its own."""
    path, _, query_string = relative_url.partition("?")
    query = tuple(parse_qsl(query_string, keep_blank_values=True))
    params = dict(query)
    params.update(parse_qsl(body, keep_blank_values=True))
    own = params.get("access_token")
    return Call(method.upper(), path, query, params, own or token, base)


async def _body(request: Request) -> dict[str, str]:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        raw = await request.body()
        if not raw.strip():
            return {}
        try:
            document = json.loads(raw)
        except ValueError:
            raise invalid_parameter("The request body is not valid JSON") from None
        if not isinstance(document, dict):
            raise invalid_parameter("The request body must be a JSON object")
        return {name: _as_text(value) for name, value in document.items()}
    form = await request.form()
    return {name: value for name, value in form.multi_items() if isinstance(value, str)}


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value)


def flag(params: Mapping[str, str], name: str) -> bool | None:
    """A boolean parameter sent as true/false (or 1/0); None when absent."""
    value = params.get(name)
    if value is None:
        return None
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise invalid_parameter(f"Param {name} must be a boolean")


def listed(params: Mapping[str, str], name: str) -> tuple[str, ...] | None:
    """A list parameter: a JSON array of strings (as Meta's SDK sends it), the same with single
    quotes (as Meta's docs show it), or comma-separated; None when absent."""
    value = params.get(name)
    if value is None:
        return None
    text = value.strip()
    if text.startswith("[") and text.endswith("]"):
        try:
            items = json.loads(text)
        except (ValueError, RecursionError):  # not JSON, or nested past the parser's depth
            items = [item.strip().strip("'\"") for item in text[1:-1].split(",")]
        if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
            raise invalid_parameter(f"Param {name} must be an array of strings")
    elif text.startswith(("[", "{")):
        raise invalid_parameter(f"Param {name} must be an array of strings")
    else:
        items = text.split(",")
    return tuple(item.strip() for item in items if item.strip())


def required(params: Mapping[str, str], name: str) -> str:
    """A parameter that must be present and non-empty."""
    value = params.get(name, "")
    if not value:
        raise invalid_parameter(f"The parameter {name} is required")
    return value


def page_size(params: Mapping[str, str]) -> int:
    """`limit`: default 10, above 100 clamped to 100, anything but a positive integer refused."""
    value = params.get("limit")
    if value is None:
        return DEFAULT_LIMIT
    if not value.isdigit() or int(value) < 1:
        raise invalid_parameter("Param limit must be a positive integer")
    return min(int(value), MAX_LIMIT)


def selected_fields(
    params: Mapping[str, str], known: tuple[str, ...], default: tuple[str, ...], node_type: str
) -> tuple[str, ...]:
    """The fields `fields=` asks for (nested selections such as `brand_ig_user{id}` left out)."""
    return _names(_NESTED.sub("", params.get("fields", "")), known, node_type) or default


def nested_fields(
    params: Mapping[str, str],
    parent: str,
    known: tuple[str, ...],
    default: tuple[str, ...],
    node_type: str,
) -> tuple[str, ...]:
    """The fields `fields=` asks for inside `parent{...}`; default when it names none."""
    for match in _NESTED_FIELD.finditer(params.get("fields", "")):
        if match.group(1) == parent:
            return _names(match.group(2), known, node_type) or default
    return default


def _names(text: str, known: tuple[str, ...], node_type: str) -> tuple[str, ...]:
    """The comma-separated field names of text, each one the node type has."""
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    for name in names:
        if name not in known:
            raise nonexisting_field(name, node_type)
    return names


def edge_of(path: str, method: str) -> str:
    """The edge a request is about, for stats: `batch`, `me`, `node` (`/{id}`) or the edge."""
    segments = route(path)
    if not segments and method == "POST":
        return BATCH
    if segments == [ME]:
        return ME
    if len(segments) == 1:
        return NODE
    return segments[-1] if len(segments) == 2 else ""
