"""Item cursors and the `{"data", "paging", "summary"}` envelope of a list answer."""

import base64
import binascii
import zlib
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlencode

from partnergraph.emulator.errors import cursor_beyond, invalid_cursor
from partnergraph.emulator.store import Timeline
from partnergraph.emulator.wire import Call, flag, page_size

T = TypeVar("T")


def encode(scope: str, key: int) -> str:
    """The opaque cursor of the item under key in the list named by scope."""
    return base64.b64encode(f"{_tag(scope)}:{key}".encode()).decode()


def _tag(scope: str) -> str:
    return format(zlib.crc32(scope.encode()), "08x")


def decode(scope: str, cursor: str, direction: str, last_key: int) -> int:
    """The key a cursor of this list names; an error for anything else."""
    try:
        text = base64.b64decode(cursor, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise invalid_cursor() from None
    owner, _, key = text.rpartition(":")
    if owner != _tag(scope) or not key.lstrip("-").isdigit():
        raise invalid_cursor()
    if abs(int(key)) > last_key:
        raise cursor_beyond(direction)
    return int(key)


def list_answer(
    call: Call,
    timeline: Timeline[T],
    scope: str,
    last_key: int,
    render: Callable[[T], dict[str, Any]],
) -> dict[str, Any]:
    """A page of the timeline as the call asks for it (`after` wins over `before`)."""
    params = call.params
    limit = page_size(params)
    after = _position(params, "after", scope, last_key)
    before = None if after is not None else _position(params, "before", scope, last_key)
    window = timeline.window(limit, after=after, before=before)
    answer: dict[str, Any] = {"data": [render(item) for _, item in window.items]}
    if window.items:
        first = encode(scope, window.items[0][0])
        last = encode(scope, window.items[-1][0])
        paging: dict[str, Any] = {"cursors": {"before": first, "after": last}}
        if window.has_previous:
            paging["previous"] = _url(call, "before", first)
        if window.has_next:
            paging["next"] = _url(call, "after", last)
        answer["paging"] = paging
    if flag(params, "summary"):
        answer["summary"] = {"total_count": len(timeline)}
    return answer


def _position(params: Mapping[str, str], name: str, scope: str, last_key: int) -> int | None:
    cursor = params.get(name)
    if not cursor:
        return None
    return decode(scope, cursor, name.capitalize(), last_key)


def _url(call: Call, name: str, cursor: str) -> str:
    query = [(key, value) for key, value in call.query if key not in ("after", "before")]
    query.append((name, cursor))
    return f"{call.base_url}{call.path.lstrip('/')}?{urlencode(query)}"
