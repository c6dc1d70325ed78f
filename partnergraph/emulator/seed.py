"""Deterministic demo data: an agency over 130 brands, a big brand, creators, tokens, Pages, and
creators' medias that tag brands."""

import itertools
import random
import re
import string
from collections.abc import Sequence

from partnergraph.emulator.store import (
    BRAND_MANAGER,
    CREATOR,
    EXPIRED,
    Brand,
    Creator,
    Invite,
    Page,
    Permission,
    Store,
    Token,
    User,
)

SEED = 20240611
BRAND_COUNT = 130
AGENCY_SCOPE = 125
CREATOR_COUNT = 360
BIG_BRAND_PERMISSIONS = 300
INVITED_CREATORS = 4
BIG_BRAND_USERNAME = "northwind.outfitters"
ODD_BRAND_USERNAME = "oddstatus.lab"
ODD_STATUSES = ("Approved", "EXPIRED", "pending")
STATUSES = ("PENDING", "APPROVED", "REJECTED", "REVOKED")
STATUS_WEIGHTS = (25, 40, 15, 20)
APPROVED = "APPROVED"
BIG_BRAND_TAGGERS = 40
"""The big brand's first permissions whose creators tag it (the four statuses among them)."""
OBJECTIVES = (
    "OUTCOME_AWARENESS",
    "OUTCOME_ENGAGEMENT",
    "OUTCOME_TRAFFIC",
    "OUTCOME_LEADS",
    "OUTCOME_SALES",
)
_OBJECTIVE_SETS = [
    combination for size in (1, 2, 3) for combination in itertools.combinations(OBJECTIVES, size)
]

_FIRST = (
    "ada", "bea", "cleo", "dara", "eli", "fay", "gus", "hana", "ines", "jon", "kai", "lena",
    "milo", "nora", "omar", "pia", "quin", "rosa", "sam", "tara", "uma", "vic", "wren", "yara",
)  # fmt: skip
_TOPIC = (
    "eats", "fits", "travels", "lifts", "paints", "bakes", "runs", "reads", "films", "skates",
    "glows", "grows", "surfs", "climbs", "sews", "plays",
)  # fmt: skip
_BRAND_WORDS = (
    "alpine", "brisk", "cedar", "dune", "ember", "fable", "granite", "harbor", "iris", "juniper",
    "kestrel", "lumen", "meadow", "nimbus", "orchid",
)  # fmt: skip
_BRAND_KINDS = ("goods", "studio", "co", "supply", "labs", "wear", "kitchen", "beauty", "sport")
_CAPTIONS = (
    "Making memories all over the map",
    "Good vibes happen on the tides",
    "Less perfection, more authenticity",
    "New drop, who's in?",
    "Sunday reset with friends",
    "Behind the scenes of our shoot",
)
_TOKEN_ALPHABET = string.ascii_letters + string.digits
MANAGER_NAMES = ("Avery Quinn", "Jordan Park")
"""The users behind the agency's and the in-house team's tokens."""
PAGES_WITHOUT_INSTAGRAM = {
    0: "Northwind Careers",
    4: "Northwind Foundation",
    127: "Northwind Outlet Events",
}
"""Pages of the in-house team with no Instagram account, made before the brand at each index."""


def seeded_store() -> Store:
    """The demo data, identical on every call."""
    store = seeded_accounts()
    add_medias(store)
    return store


def seeded_accounts() -> Store:
    """The demo data without medias: brands, creators, permissions, invites, tokens, Pages."""
    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
    store = Store(SEED)
    brands = _brands(store, rng)
    creators = _creators(store, rng)
    _permissions(store, rng, brands, creators)
    _invites(store, rng, creators)
    in_house = _tokens(store, rng, brands, creators)
    _pages(store, brands, creators, in_house)
    return store


def _brands(store: Store, rng: random.Random) -> list[Brand]:
    names = [BIG_BRAND_USERNAME, ODD_BRAND_USERNAME]
    while len(names) < BRAND_COUNT:
        name = f"{rng.choice(_BRAND_WORDS)}.{rng.choice(_BRAND_KINDS)}{rng.randrange(1, 99)}"
        if name not in names:
            names.append(name)
    brands = [Brand(store.new_id("178414"), name) for name in names]
    for brand in brands:
        store.add_brand(brand)
    return brands


def _creators(store: Store, rng: random.Random) -> list[Creator]:
    return [new_creator(store, rng) for _ in range(CREATOR_COUNT)]


def new_creator(store: Store, rng: random.Random) -> Creator:
    """A creator with a username no one has, about half of them with a Facebook page."""
    while True:
        name = f"{rng.choice(_FIRST)}.{rng.choice(_TOPIC)}{rng.randrange(1, 999)}"
        if store.creator_named(name) is None:
            break
    page = store.new_id("1", 15) if rng.random() < 0.5 else None
    creator = Creator(store.new_id("178414"), name, page)
    store.add_creator(creator)
    return creator


def _permissions(
    store: Store, rng: random.Random, brands: list[Brand], creators: list[Creator]
) -> None:
    big, odd, *others = brands
    for index, creator in enumerate(creators[:BIG_BRAND_PERMISSIONS]):
        status = STATUSES[index % 4] if index < 4 else random_status(rng)
        store.add_permission(big.id, creator.id, status)
    for index, creator in enumerate(creators[:8]):
        status = ODD_STATUSES[index] if index < len(ODD_STATUSES) else random_status(rng)
        store.add_permission(odd.id, creator.id, status)
    for brand in others:
        for creator in rng.sample(creators, rng.randrange(0, 13)):
            store.add_permission(brand.id, creator.id, random_status(rng))


def random_status(rng: random.Random) -> str:
    """One of the four statuses, as often as they come in the demo data."""
    return rng.choices(STATUSES, STATUS_WEIGHTS)[0]


def _invites(store: Store, rng: random.Random, creators: list[Creator]) -> None:
    for creator in creators[:INVITED_CREATORS]:
        for _ in range(rng.randrange(30, 61)):
            new_invite(store, rng, creator.id, creators)


def new_invite(store: Store, rng: random.Random, user_id: str, owners: Sequence[Creator]) -> Invite:
    """A pending invite of the user, from one of the owners, first in the user's list."""
    return store.add_invite(
        user_id,
        rng.choice(owners).username,
        rng.choice(_CAPTIONS),
        f"https://scontent.cdninstagram.com/v/t51.2885-15/{store.new_id('4', 12)}_n.jpg",
    )


def _tokens(store: Store, rng: random.Random, brands: list[Brand], creators: list[Creator]) -> str:
    """The tokens and the users behind them; the in-house team's user ID."""
    agency_user = store.new_id("10", 15)
    in_house_user = store.new_id("10", 15)
    store.add_user(User(agency_user, MANAGER_NAMES[0]))
    store.add_user(User(in_house_user, MANAGER_NAMES[1]))
    agency_scope = tuple(brand.id for brand in brands[:AGENCY_SCOPE])
    in_house_scope = tuple(brand.id for brand in (brands[2], brands[3], *brands[AGENCY_SCOPE:]))
    store.add_token(Token(_token(rng), BRAND_MANAGER, agency_user, agency_scope))
    store.add_token(Token(_token(rng), BRAND_MANAGER, in_house_user, in_house_scope))
    for creator in creators[: INVITED_CREATORS + 1]:
        store.add_user(User(creator.id, display_name(creator.username)))
        store.add_token(Token(_token(rng), CREATOR, creator.id, ()))
    store.add_token(Token(_token(rng), EXPIRED, agency_user, agency_scope))
    return in_house_user


def _token(rng: random.Random) -> str:
    return "EAAB" + "".join(rng.choice(_TOKEN_ALPHABET) for _ in range(180))


def _pages(store: Store, brands: list[Brand], creators: list[Creator], in_house: str) -> None:
    """Pages: one per brand in a manager's scope, a creator's own, the in-house team's extras."""
    loose: list[Page] = []
    brand_pages: dict[str, Page] = {}
    for index, brand in enumerate(brands):
        if index in PAGES_WITHOUT_INSTAGRAM:
            name = PAGES_WITHOUT_INSTAGRAM[index]
            loose.append(store.add_page(store.new_id("1", 15), name, None))
        brand_pages[brand.id] = store.add_page(
            store.new_id("1", 15), display_name(brand.username), brand.id
        )
    for creator in creators:
        if creator.facebook_page_id is not None:
            page = store.add_page(
                creator.facebook_page_id, display_name(creator.username), creator.id
            )
            if creator.id in store.users:
                store.let_manage(creator.id, page)
    managers = {token.user_id: token.brand_ids for token in store.tokens.values()}
    for user_id, brand_ids in managers.items():
        for brand_id in brand_ids:
            store.let_manage(user_id, brand_pages[brand_id])
    for page in loose:
        store.let_manage(in_house, page)


def display_name(username: str) -> str:
    """A Page or user name made from an Instagram username: `ada.eats12` is `Ada Eats`."""
    return " ".join(word.capitalize() for word in re.sub(r"\d+", "", username).split(".") if word)


def add_medias(store: Store) -> None:
    """Creators' medias that tag brands, drawn from a generator of their own so that the rest of
    the seed (IDs issued later included) stays as it was.

    The big brand is tagged by the creators of its first permissions and the odd brand by all of
    its creators, every status among them; every other brand by the creator of its first APPROVED
    permission, if it has one. Each brand is also tagged by a creator it holds no permission from.
    """
    rng = random.Random(f"medias:{SEED}")  # noqa: S311 - demo data, not secrets
    creators = list(store.creators.values())
    first_approved: dict[str, Permission] = {}
    for permission in store.permissions.values():
        if permission.status == APPROVED:
            first_approved.setdefault(permission.brand_id, permission)
    for brand in store.brands.values():
        if brand.username in (BIG_BRAND_USERNAME, ODD_BRAND_USERNAME):
            size = BIG_BRAND_TAGGERS if brand.username == BIG_BRAND_USERNAME else None
            taggers = list(itertools.islice(store.brand_permissions(brand.id), size))
        else:
            taggers = [first_approved[brand.id]] if brand.id in first_approved else []
        for permission in taggers:
            if rng.random() < 0.5:
                store.allowlist(brand.id, permission.creator_id)
            for _ in range(rng.randrange(1, 3)):
                _new_media(store, rng, permission.creator_id, brand.id)
        stranger = rng.choice(creators)
        while store.permission_between(brand.id, stranger.id) is not None:
            stranger = rng.choice(creators)
        _new_media(store, rng, stranger.id, brand.id)


def _new_media(store: Store, rng: random.Random, owner_id: str, brand_id: str) -> None:
    """A media of the owner tagging the brand: a post or a reel, a quarter of them with an ad
    code, a quarter recommended for some campaign objectives."""
    draw = rng.getrandbits(6)
    store.add_media(
        store.new_id("18", rng=rng),
        owner_id,
        brand_id,
        reel=draw & 3 == 0,
        ad_code=f"AC{rng.getrandbits(48):012X}" if (draw >> 2) & 3 == 0 else None,
        objectives=rng.choice(_OBJECTIVE_SETS) if draw >> 4 == 0 else (),
    )
