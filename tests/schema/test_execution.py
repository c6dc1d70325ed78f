"""The direct path for plain fields answers exactly what graphql-core's own path answers."""

import asyncio
import enum
import gc
import weakref
from dataclasses import dataclass
from typing import Any, ClassVar, NewType

import pytest
import strawberry
from strawberry.extensions import FieldExtension
from strawberry.permission import BasePermission
from strawberry.schema.config import StrawberryConfig

from partnergraph.schema.execution import (
    DirectExecutionContext,
    Plans,
    execution_context_class,
)

Even = NewType("Even", int)
_CONFIG = StrawberryConfig(
    scalar_map={
        Even: strawberry.scalar(
            name="Even", serialize=lambda value: value if value % 2 == 0 else None, parse_value=int
        )
    }
)


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


async def _later() -> str:
    return "awaited"


@strawberry.type
class Item:
    name: str
    nickname: str | None
    count: int
    colour: Colour
    even: Even | None
    must: str
    later: str

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()


@dataclass
class _Record:
    """Not an Item: only has what the resolvers read, so missing attributes are possible."""

    name: str


class _Deny(BasePermission):
    message = "denied"

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        return False


class _Upper(FieldExtension):
    def resolve(self, next_: Any, source: Any, info: strawberry.Info, **kwargs: Any) -> Any:
        return str(next_(source, info, **kwargs)).upper()


@strawberry.type
class Guarded:
    """Fields without resolvers that still must not take the direct path, or fail on it."""

    name: str
    secret: str | None = strawberry.field(permission_classes=[_Deny])
    loud: str = strawberry.field(extensions=[_Upper()])
    flaky: str | None
    failure: str | None


class _GuardedSource:
    name = "n"
    secret = "s"
    loud = "quiet"
    failure = RuntimeError("an exception value")

    @property
    def flaky(self) -> str:
        raise ValueError("a raising property")


def _item(name: str, **overrides: Any) -> Item:
    fields: dict[str, Any] = {
        "nickname": name,
        "count": 1,
        "colour": Colour.RED,
        "even": 2,
        "must": "x",
        "later": "l",
    }
    return Item(name=name, **{**fields, **overrides})


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item | None]:
        record: Any = _Record(name="f")
        return [
            _item("a", nickname=None),
            _item("b", even=3),
            _item("c", even=None, must=None),
            _item("d", count="x"),
            _item("e", later=_later()),
            record,
            _item("g", colour="green"),
        ]

    @strawberry.field
    def good(self) -> Item:
        return _item("z")

    @strawberry.field
    def guarded(self) -> Guarded:
        source: Any = _GuardedSource()
        return source  # type: ignore[no-any-return]


_DOCUMENT = """
{ items { name nickname count colour even must later shout alias: name __typename } }
"""


def _answer(document: str = _DOCUMENT, **schema_options: Any) -> dict[str, Any]:
    schema = strawberry.Schema(query=Query, config=_CONFIG, **schema_options)
    result = asyncio.run(schema.execute(document))
    errors = sorted((e.message, tuple(e.path or ())) for e in result.errors or [])
    return {"data": result.data, "errors": errors}


def test_same_data_and_errors_as_graphql_core() -> None:
    plain = _answer()
    direct = _answer(execution_context_class=execution_context_class())
    assert direct == plain
    items = direct["data"]["items"]
    assert items[0] == {
        "name": "a",
        "nickname": None,
        "count": 1,
        "colour": "RED",
        "even": 2,
        "must": "x",
        "later": "l",
        "shout": "A",
        "alias": "a",
        "__typename": "Item",
    }
    assert items[1]["even"] is None  # a scalar that refuses a value is an error, not a guess
    assert [items[i] for i in (2, 3, 5, 6)] == [None] * 4  # non-null failures null the item
    assert items[4]["later"] == "awaited"
    assert len(direct["errors"]) == 6


@pytest.mark.parametrize(
    ("item", "field"), [(1, "even"), (2, "must"), (3, "count"), (5, "nickname"), (6, "colour")]
)
def test_every_failure_is_located_at_its_field(item: int, field: str) -> None:
    direct = _answer(execution_context_class=execution_context_class())
    assert ("items", item, field) in {path for _message, path in direct["errors"]}


class _CountingInfos(DirectExecutionContext):
    built = 0
    plans: ClassVar[Plans] = {}

    def build_resolve_info(self, *args: Any, **kwargs: Any) -> Any:
        type(self).built += 1
        return super().build_resolve_info(*args, **kwargs)


def test_plain_fields_skip_resolve_infos() -> None:
    _CountingInfos.built = 0
    schema = strawberry.Schema(query=Query, config=_CONFIG, execution_context_class=_CountingInfos)
    result = asyncio.run(schema.execute("{ good { name nickname count colour even must shout } }"))
    assert result.errors is None
    assert result.data == {
        "good": {
            "name": "z",
            "nickname": "z",
            "count": 1,
            "colour": "RED",
            "even": 2,
            "must": "x",
            "shout": "Z",
        }
    }
    assert _CountingInfos.built == 2  # `good` and `shout` have resolvers; the six others do not


def test_permissions_extensions_and_raising_reads_keep_graphql_cores_answer() -> None:
    document = "{ guarded { name secret loud flaky failure } }"
    plain = _answer(document)
    direct = _answer(document, execution_context_class=execution_context_class())
    assert direct == plain
    assert direct["data"] == {
        "guarded": {"name": "n", "secret": None, "loud": "QUIET", "flaky": None, "failure": None}
    }
    assert [(message, path[-1]) for message, path in direct["errors"]] == [
        ("a raising property", "flaky"),
        ("an exception value", "failure"),
        ("denied", "secret"),
    ]


def test_a_dropped_schema_takes_its_plans_with_it() -> None:
    schema = strawberry.Schema(
        query=Query, config=_CONFIG, execution_context_class=execution_context_class()
    )
    assert asyncio.run(schema.execute("{ good { name } }")).data == {"good": {"name": "z"}}
    dropped = weakref.ref(schema._schema)
    del schema
    gc.collect()
    assert dropped() is None
