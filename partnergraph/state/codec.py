"""How values become bytes in shared state: JSON (orjson), never pickle."""

from typing import Any, Protocol, TypeVar

import orjson

__all__ = ["JSON", "Codec", "JsonCodec"]

V = TypeVar("V")

JSON = Any
"""A value orjson encodes: dicts, lists, strings, numbers, booleans and None."""


class Codec(Protocol[V]):
    """Turns one kind of value into bytes and back."""

    def encode(self, value: V) -> bytes:
        """The bytes of value."""
        ...

    def decode(self, raw: bytes) -> V:
        """The value of bytes encode() made; ValueError when they are not such bytes."""
        ...


class JsonCodec:
    """Any JSON value, as orjson writes it."""

    def encode(self, value: JSON) -> bytes:
        """The JSON text of value."""
        return orjson.dumps(value)

    def decode(self, raw: bytes) -> JSON:
        """The JSON value of raw."""
        return orjson.loads(raw)
