"""The seeded demo data as tests see it through the emulator's `/admin/state`."""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Demo:
    """The parts of the seeded data the tests use, found through `/admin/state`."""

    state: dict[str, Any]
    agency: str
    in_house: str
    expired: str
    big_brand: str
    odd_brand: str
    out_of_scope_brand: str
    creator_token: str
    creator_id: str
    other_creator_token: str

    def brand(self, brand_id: str) -> dict[str, Any]:
        """The state entry of a brand."""
        return next(brand for brand in self.state["brands"] if brand["id"] == brand_id)

    def creator(self, creator_id: str) -> dict[str, Any]:
        """The state entry of a creator."""
        return next(c for c in self.state["creators"] if c["id"] == creator_id)

    def creator_without_big_brand_permission(self) -> dict[str, Any]:
        """A creator the big brand has never asked (the seed leaves the last 60 alone)."""
        last: dict[str, Any] = self.state["creators"][-1]
        return last


def demo_of(state: dict[str, Any]) -> Demo:
    """The demo facts of an emulator state."""
    managers = [t for t in state["tokens"] if t["role"] == "brand_manager"]
    agency = max(managers, key=lambda token: len(token["brandIds"]))
    in_house = min(managers, key=lambda token: len(token["brandIds"]))
    invited = {c["id"] for c in state["creators"] if c["pendingInviteCount"]}
    creators = [t for t in state["tokens"] if t["role"] == "creator" and t["userId"] in invited]
    big = max(state["brands"], key=lambda brand: brand["permissionCount"])
    odd = next(brand for brand in state["brands"] if brand["username"] == "oddstatus.lab")
    outside = next(b for b in state["brands"] if b["id"] not in agency["brandIds"])
    return Demo(
        state=state,
        agency=agency["token"],
        in_house=in_house["token"],
        expired=next(t["token"] for t in state["tokens"] if t["role"] == "expired"),
        big_brand=big["id"],
        odd_brand=odd["id"],
        out_of_scope_brand=outside["id"],
        creator_token=creators[0]["token"],
        creator_id=creators[0]["userId"],
        other_creator_token=creators[1]["token"],
    )
