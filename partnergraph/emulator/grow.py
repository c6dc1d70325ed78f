"""Real sizes: a brand's permissions, or a user's pending invites, grown to a given count."""

import random

from partnergraph.emulator.seed import new_creator, new_invite, random_status
from partnergraph.emulator.store import Store

MAX_SIZE = 100_000
"""The largest list a grow call makes: its cost stays bounded by what it was asked for."""


def grow_permissions(store: Store, brand_id: str, size: int) -> int:
    """Give the brand `size` permissions, new ones last, each from a creator it had none from.

    Creators the brand never asked come first, then new creators; statuses are drawn as in the
    demo data, so every status is there. A brand already that big is left as it is.
    """
    timeline = store.brand_permissions(brand_id)
    missing = size - len(timeline)
    if missing <= 0:
        return len(timeline)
    rng = random.Random(f"permissions:{brand_id}:{len(timeline)}")  # noqa: S311 - demo data
    unasked = (
        c for c in list(store.creators.values()) if not store.permission_between(brand_id, c.id)
    )
    for _ in range(missing):
        creator = next(unasked, None) or new_creator(store, rng)
        store.add_permission(brand_id, creator.id, random_status(rng))
    return len(timeline)


def grow_invites(store: Store, user_id: str, size: int) -> int:
    """Give the user `size` pending invites, new ones first, from the creators held so far."""
    timeline = store.invites_of(user_id)
    missing = size - len(timeline)
    if missing <= 0:
        return len(timeline)
    rng = random.Random(f"invites:{user_id}:{len(timeline)}")  # noqa: S311 - demo data
    owners = list(store.creators.values())
    for _ in range(missing):
        new_invite(store, rng, user_id, owners)
    return len(timeline)
