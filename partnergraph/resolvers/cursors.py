"""Opaque edge cursors: an upstream position (a Graph cursor and an offset from it) per edge.

A cursor also names its item (the Graph item's ID), so that a page between two
cursors can stop where the other one's item comes.
"""

import base64
import re
from dataclasses import dataclass
from enum import StrEnum

import orjson

from partnergraph.errors import BadUserInput
from partnergraph.resolvers.echo import echo
from partnergraph.resolvers.ids import digits


class Anchor(StrEnum):
    """How an edge's item relates to the Graph cursor it is stored with."""

    AT = "="  # the Graph cursor points at the item itself
    AFTER = "a"  # the item is the (offset + 1)-th after the Graph cursor (None: the list start)
    BEFORE = "b"  # the item is the (offset + 1)-th before the Graph cursor


@dataclass(frozen=True, slots=True)
class Position:
    """Where one item stands in an upstream list, as Graph cursors can reach it again."""

    anchor: Anchor
    graph_cursor: str | None
    offset: int = 0
    item: str | None = None
    """The ID of the item itself, when the Graph API gave one."""


@dataclass(frozen=True, slots=True)
class ListKey:
    """Which upstream list a cursor belongs to: the edge and its owner's Instagram ID."""

    edge: str
    owner: str


_VERSION = 2
_MAX_GRAPH_CURSOR = 512
"""The longest Graph cursor a cursor carries: the Graph API's are about a hundred characters."""
_MAX_ITEM = 64
"""The most digits of the item ID a cursor carries: Graph IDs have about twenty."""
_MAX_CURSOR = 1024
"""The longest cursor read at all: one with the longest Graph cursor and item ID is shorter."""
_CURSOR = re.compile(r"[A-Za-z0-9_-]+")
_ANCHORS = frozenset(anchor.value for anchor in Anchor)


def encode(key: ListKey, position: Position) -> str:
    """The opaque cursor of an edge at position in the list key names."""
    raw = [
        _VERSION,
        key.edge,
        key.owner,
        position.anchor.value,
        position.graph_cursor,
        position.offset,
        position.item,
    ]
    packed = orjson.dumps(raw)  # json.dumps(raw, separators=(",", ":")), 25 times faster
    return base64.urlsafe_b64encode(packed).decode().rstrip("=")


def decode(key: ListKey, cursor: str) -> Position:
    """The position a cursor of this list stands for; BadUserInput if it is not one.

    Everything is checked before the position is used: its length before it is decoded, then
    each field's type and content, so that nothing but a Graph cursor of this server's goes
    upstream.
    """
    if len(cursor) > _MAX_CURSOR or not _CURSOR.fullmatch(cursor):
        raise _not_a_cursor(cursor)
    try:
        raw = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:  # binascii.Error and orjson.JSONDecodeError (nesting too) are ValueErrors
        raise _not_a_cursor(cursor) from None
    if not isinstance(raw, list) or len(raw) != 7:
        raise _not_a_cursor(cursor)
    version, edge, owner, anchor, graph_cursor, offset, item = raw
    valid = (
        type(version) is int
        and version == _VERSION
        and isinstance(edge, str)
        and isinstance(owner, str)
        and isinstance(anchor, str)
        and anchor in _ANCHORS
        and (graph_cursor is None or _is_graph_cursor(graph_cursor))
        and (graph_cursor is not None or anchor == Anchor.AFTER.value)
        and type(offset) is int
        and 0 <= offset < 100
        and (item is None or item_id(item) is not None)
    )
    if not valid:
        raise _not_a_cursor(cursor)
    if edge != key.edge or owner != key.owner:
        raise BadUserInput("The cursor belongs to another list; use a cursor of this connection.")
    return Position(Anchor(anchor), graph_cursor, offset, item)


def item_id(value: object) -> str | None:
    """value, if a cursor can carry it as its item's ID (ASCII digits, as Graph IDs are)."""
    if isinstance(value, str) and len(value) <= _MAX_ITEM and digits(value):
        return value
    return None


def _is_graph_cursor(value: object) -> bool:
    """Whether value can be a Graph cursor: printable ASCII, not empty, not too long."""
    return (
        isinstance(value, str)
        and 0 < len(value) <= _MAX_GRAPH_CURSOR
        and value.isascii()
        and value.isprintable()
    )


def _not_a_cursor(cursor: str) -> BadUserInput:
    return BadUserInput(f"The cursor {echo(cursor)} is not a cursor of this API.")
