"""What a mutation reports: the expected failures as coded user errors beside what it touched."""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, TypeVar

from partnergraph.errors import BadUserInput

T = TypeVar("T")


class UserErrorCode(StrEnum):
    """Why a mutation did not do what it was asked, when that is an expected outcome."""

    INVALID_INPUT = "INVALID_INPUT"
    CREATOR_NOT_FOUND = "CREATOR_NOT_FOUND"
    NOTHING_TO_REVOKE = "NOTHING_TO_REVOKE"
    INVITE_NOT_PENDING = "INVITE_NOT_PENDING"


@dataclass(frozen=True, slots=True)
class UserErrorRecord:
    """One expected failure of a mutation, naming the input field it concerns."""

    message: str
    code: UserErrorCode
    field: tuple[str, ...] | None = None


@dataclass(slots=True)
class Outcome(Generic[T]):
    """A mutation's result: what it touched, or why it could not."""

    result: T | None = None
    user_errors: list[UserErrorRecord] = field(default_factory=list)


def rejected_by_graph(error: BadUserInput) -> bool:
    """Whether the Graph API refused a write's parameters (code 100), an expected outcome."""
    return error.graph is not None and error.graph.code == 100
