"""Global IDs: opaque, type-tagged and round-tripping, or a bare Instagram user ID where allowed."""

import base64
import binascii
from dataclasses import dataclass

from partnergraph.errors import BadUserInput
from partnergraph.resolvers.echo import echo

_SEPARATOR = ":"
MAX_ID = 256
"""The longest ID input read at all, spaces included: this API's global IDs are about 100."""


@dataclass(frozen=True, slots=True)
class GlobalId:
    """A decoded global ID: the type it names and the parts that identify the object."""

    type_name: str
    parts: tuple[str, ...]


def encode(type_name: str, *parts: str) -> str:
    """The global ID of an object of type_name identified by parts."""
    raw = _SEPARATOR.join((type_name, *parts))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(value: str) -> GlobalId:
    """The type and parts of a global ID; BadUserInput when value is not one."""
    _short(value)
    try:
        padded = value + "=" * (-len(value) % 4)
        raw = base64.urlsafe_b64decode(padded.encode()).decode()
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadUserInput(f"{echo(value)} is not an ID of this API.") from None
    type_name, *parts = raw.split(_SEPARATOR)
    if not type_name or not parts or not all(parts) or not type_name.isalpha():
        raise BadUserInput(f"{echo(value)} is not an ID of this API.")
    return GlobalId(type_name, tuple(parts))


def expect(value: str, type_name: str, size: int) -> tuple[str, ...]:
    """The parts of a global ID that must name a type_name; BadUserInput otherwise."""
    decoded = decode(value)
    if decoded.type_name != type_name or len(decoded.parts) != size:
        named = decoded.type_name
        raise BadUserInput(f"{echo(value)} is the ID of a {named}, not of a {type_name}.")
    return decoded.parts


def ig_user_id(value: str, type_name: str) -> str:
    """The Instagram user ID in a global ID of type_name, or a bare Instagram user ID."""
    value = _short(value).strip()
    return bare(value if digits(value) else expect(value, type_name, 1)[0])


def bare(value: str) -> str:
    """A bare Instagram user ID, checked; BadUserInput if it cannot be one."""
    value = _short(value).strip()
    if not digits(value) or len(value) > 32:
        raise BadUserInput(f"{echo(value)} is not an Instagram user ID.")
    return value


def digits(value: str) -> bool:
    """Whether value is a non-empty run of ASCII digits, as Graph IDs are (not `²` or `١٢٣`)."""
    return value.isascii() and value.isdigit()


def _short(value: str) -> str:
    """value, if it is no longer than MAX_ID; BadUserInput otherwise, before any work on it."""
    if len(value) > MAX_ID:
        raise BadUserInput(f"{echo(value)} is not an ID: IDs have at most {MAX_ID} characters.")
    return value
