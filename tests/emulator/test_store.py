"""The store's timelines: a page seeks its cursor by bisection, whatever its place in the list."""

import math

import pytest

from partnergraph.emulator.store import Timeline

SIZE = 10_000


class _CountedKey(int):
    """An item key that counts how often a seek compares it."""

    comparisons = 0

    def __lt__(self, other: int) -> bool:
        _CountedKey.comparisons += 1
        return int(self) < int(other)

    def __gt__(self, other: int) -> bool:
        _CountedKey.comparisons += 1
        return int(self) > int(other)


def _timeline() -> Timeline[str]:
    timeline: Timeline[str] = Timeline()
    for key in range(1, SIZE + 1):
        timeline.add(_CountedKey(key), f"item {key}")
    return timeline


def _comparisons(timeline: Timeline[str], *, after: int | None, before: int | None) -> int:
    _CountedKey.comparisons = 0
    window = timeline.window(100, after=after, before=before)
    assert len(window.items) == 100
    return _CountedKey.comparisons


@pytest.mark.parametrize("position", [0, 100, 5_000, 9_800, 9_900])
def test_a_page_costs_the_same_comparisons_at_any_position(position: int) -> None:
    timeline = _timeline()
    bound = 2 * math.ceil(math.log2(SIZE + 1))
    after = _comparisons(timeline, after=position, before=None)
    before = _comparisons(timeline, after=None, before=position + 101)
    assert after <= bound
    assert before <= bound
    window = timeline.window(100, after=position, before=None)
    assert [item for _, item in window.items] == [
        f"item {key}" for key in range(position + 1, position + 101)
    ]
