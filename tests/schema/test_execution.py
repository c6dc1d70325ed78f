"""The direct path for plain fields answers exactly what graphql-core's own path answers."""

import asyncio
import enum
from dataclasses import dataclass
from typing import Any, NewType

import pytest
import strawberry
from strawberry.schema.config import StrawberryConfig

from partnergraph.schema.execution import ExecutionContext

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


_DOCUMENT = """
{ items { name nickname count colour even must later shout alias: name __typename } }
"""


def _answer(**schema_options: Any) -> dict[str, Any]:
    schema = strawberry.Schema(query=Query, config=_CONFIG, **schema_options)
    result = asyncio.run(schema.execute(_DOCUMENT))
    errors = sorted((e.message, tuple(e.path or ())) for e in result.errors or [])
    return {"data": result.data, "errors": errors}


def test_same_data_and_errors_as_graphql_core() -> None:
    plain = _answer()
    direct = _answer(execution_context_class=ExecutionContext)
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
    direct = _answer(execution_context_class=ExecutionContext)
    assert ("items", item, field) in {path for _message, path in direct["errors"]}


class _CountingInfos(ExecutionContext):
    built = 0

    def build_resolve_info(self, *args: Any, **kwargs: Any) -> Any:
        type(self).built += 1
        return super().build_resolve_info(*args, **kwargs)


def test_plain_fields_skip_resolve_infos() -> None:
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
