"""In-memory Graph data (accounts, users, Pages, tokens, permissions, invites, medias) paged in
O(limit)."""

import base64
import random
import re
from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

BRAND_MANAGER = "brand_manager"
CREATOR = "creator"
EXPIRED = "expired"
_SHORTCODE = re.compile(r"[A-Za-z0-9_-]{1,12}")

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Brand:
    """An Instagram business account that advertises."""

    id: str
    username: str


@dataclass(frozen=True, slots=True)
class Creator:
    """An Instagram creator account, with or without a linked Facebook page."""

    id: str
    username: str
    facebook_page_id: str | None


@dataclass(frozen=True, slots=True)
class Token:
    """A user access token the emulator accepts, and what it may see."""

    token: str
    role: str
    user_id: str
    brand_ids: tuple[str, ...]

    def manages(self, brand_id: str) -> bool:
        """Whether the token has `instagram_branded_content_ads_brand` on the brand."""
        return self.role == BRAND_MANAGER and brand_id in self.brand_ids


@dataclass(frozen=True, slots=True)
class User:
    """The Facebook user behind a token: what `GET /me` answers."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Page:
    """A Facebook Page, with the Instagram account linked to it if there is one."""

    id: str
    name: str
    instagram_account_id: str | None
    key: int


@dataclass(slots=True)
class Permission:
    """A brand's account-level partnership-ad permission from one creator."""

    id: str
    brand_id: str
    creator_id: str
    status: str
    key: int
    permission_type: str = "ACCOUNT_LEVEL"


@dataclass(frozen=True, slots=True)
class Invite:
    """A pending collaboration invite: another user's media tagging this user."""

    media_id: str
    user_id: str
    owner_username: str
    caption: str
    media_url: str
    key: int


@dataclass(slots=True)
class Media:
    """A creator's Instagram post or reel that tags a brand, and what Meta suggests for it."""

    id: str
    owner_id: str
    brand_id: str
    reel: bool
    ad_code: str | None
    recommended_objectives: tuple[str, ...]
    key: int

    @property
    def permalink(self) -> str:
        """Its Instagram URL, which ends with its shortcode."""
        return f"https://www.instagram.com/{'reel' if self.reel else 'p'}/{shortcode_of(self.id)}/"


def shortcode_of(media_id: str) -> str:
    """Instagram's shortcode of a media ID: the ID in base 64, URL-safe alphabet, no leading A."""
    return base64.urlsafe_b64encode(int(media_id).to_bytes(9, "big")).lstrip(b"A").decode()


def media_id_in(permalink: str) -> str | None:
    """The media ID a permalink (`https://www.instagram.com/p/BA8cGxVT_u/`) or a bare shortcode
    names; None when it names none."""
    code = permalink.partition("?")[0].rstrip("/").rpartition("/")[2]
    if not _SHORTCODE.fullmatch(code):
        return None
    return str(int.from_bytes(base64.urlsafe_b64decode(code.rjust(12, "A")), "big"))


@dataclass(frozen=True, slots=True)
class Window(Generic[T]):
    """One page of a timeline: its (key, item) pairs and whether more lie either side."""

    items: list[tuple[int, T]]
    has_previous: bool
    has_next: bool


class Timeline(Generic[T]):
    """Items in ascending key order; a page costs O(log n + limit), removal is allowed."""

    def __init__(self) -> None:
        self._keys: list[int] = []
        self._items: dict[int, T] = {}

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[T]:
        return (self._items[key] for key in self._keys)

    def add(self, key: int, item: T) -> None:
        """Insert an item under a key no other item has."""
        if not self._keys or key > self._keys[-1]:
            self._keys.append(key)
        else:
            insort(self._keys, key)
        self._items[key] = item

    def remove(self, key: int) -> None:
        """Take out the item under key."""
        del self._keys[bisect_left(self._keys, key)]
        del self._items[key]

    def window(self, limit: int, *, after: int | None, before: int | None) -> Window[T]:
        """Up to `limit` items strictly after `after`, else strictly before `before`, else first."""
        size = len(self._keys)
        if after is not None:
            start = bisect_right(self._keys, after)
            end = min(size, start + limit)
        elif before is not None:
            end = bisect_left(self._keys, before)
            start = max(0, end - limit)
        else:
            start, end = 0, min(size, limit)
        pairs = [(key, self._items[key]) for key in self._keys[start:end]]
        return Window(pairs, start > 0, end < size)


class Store:
    """Every object the emulator holds, with the indexes the edges page through."""

    def __init__(self, seed: int) -> None:
        self._ids = random.Random(seed)  # noqa: S311 - reproducible IDs, not secrets
        self._issued: set[str] = set()
        self.last_key = 0
        self.brands: dict[str, Brand] = {}
        self.creators: dict[str, Creator] = {}
        self.tokens: dict[str, Token] = {}
        self.revoked: set[str] = set()
        self.permissions: dict[str, Permission] = {}
        self.users: dict[str, User] = {}
        self.pages: dict[str, Page] = {}
        self._pages_of: dict[str, Timeline[Page]] = {}
        self._creators_by_name: dict[str, Creator] = {}
        self._brand_permissions: dict[str, Timeline[Permission]] = {}
        self._permission_of_pair: dict[tuple[str, str], Permission] = {}
        self._invites: dict[str, Timeline[Invite]] = {}
        self._pending: dict[str, Invite] = {}
        self.last_media_key = 0
        self.medias: dict[str, Media] = {}
        self._brand_medias: dict[str, Timeline[Media]] = {}
        self._medias_by_ad_code: dict[str, Media] = {}
        self._allowlisted: set[tuple[str, str]] = set()

    def new_id(self, prefix: str, digits: int = 17, rng: random.Random | None = None) -> str:
        """A fresh numeric ID such as Meta's, starting with prefix, deterministic per seed.

        IDs drawn from another generator (rng) stay unique, and leave the store's own stream as
        it was.
        """
        draw = self._ids if rng is None else rng
        while True:
            tail = digits - len(prefix)
            candidate = f"{prefix}{draw.randrange(10 ** (tail - 1), 10**tail)}"
            if candidate not in self._issued:
                self._issued.add(candidate)
                return candidate

    def _next_key(self) -> int:
        self.last_key += 1
        return self.last_key

    def add_brand(self, brand: Brand) -> None:
        """Hold a brand, with no permissions and no medias tagging it yet."""
        self.brands[brand.id] = brand
        self._brand_permissions[brand.id] = Timeline()
        self._brand_medias[brand.id] = Timeline()

    def add_creator(self, creator: Creator) -> None:
        """Hold a creator, with no invites yet."""
        self.creators[creator.id] = creator
        self._creators_by_name[creator.username.lower()] = creator
        self._invites[creator.id] = Timeline()

    def add_token(self, token: Token) -> None:
        """Accept a token from now on."""
        self.tokens[token.token] = token

    def add_user(self, user: User) -> None:
        """Hold a Facebook user, managing no Page yet."""
        self.users[user.id] = user
        self._pages_of[user.id] = Timeline()

    def add_page(self, page_id: str, name: str, instagram_account_id: str | None) -> Page:
        """Hold a Page, after every Page held so far in every user's list."""
        page = Page(page_id, name, instagram_account_id, self._next_key())
        self.pages[page.id] = page
        return page

    def let_manage(self, user_id: str, page: Page) -> None:
        """Let a user manage a Page: it joins the user's list in its place."""
        self._pages_of[user_id].add(page.key, page)

    def pages_of(self, user_id: str) -> Timeline[Page]:
        """The Pages a user manages, in the order they were made."""
        return self._pages_of[user_id]

    def username_of(self, ig_user_id: str) -> str:
        """The username of a brand or creator."""
        found = self.brands.get(ig_user_id) or self.creators[ig_user_id]
        return found.username

    def is_ig_user(self, object_id: str) -> bool:
        """Whether an ID names an Instagram user: a brand or a creator."""
        return object_id in self.brands or object_id in self.creators

    def creator_named(self, username: str) -> Creator | None:
        """The creator with that username, in any case."""
        return self._creators_by_name.get(username.lower())

    def brand_permissions(self, brand_id: str) -> Timeline[Permission]:
        """A brand's permissions, oldest first."""
        return self._brand_permissions[brand_id]

    def permission_between(self, brand_id: str, creator_id: str) -> Permission | None:
        """The brand's permission from that creator, whatever its status."""
        return self._permission_of_pair.get((brand_id, creator_id))

    def add_permission(self, brand_id: str, creator_id: str, status: str) -> Permission:
        """A new permission, last in its brand's list."""
        permission = Permission(self.new_id("17"), brand_id, creator_id, status, self._next_key())
        self.permissions[permission.id] = permission
        self._permission_of_pair[(brand_id, creator_id)] = permission
        self._brand_permissions[brand_id].add(permission.key, permission)
        return permission

    def invites_of(self, user_id: str) -> Timeline[Invite]:
        """A user's pending invites, newest first (keys are negated creation order)."""
        return self._invites.setdefault(user_id, Timeline())

    def add_invite(self, user_id: str, owner_username: str, caption: str, media_url: str) -> Invite:
        """A new pending invite, first in its user's list."""
        media_id = self.new_id("18")
        invite = Invite(media_id, user_id, owner_username, caption, media_url, -self._next_key())
        self._pending[media_id] = invite
        self.invites_of(user_id).add(invite.key, invite)
        return invite

    def answer_invite(self, user_id: str, media_id: str) -> bool:
        """Take a pending invite of the user out of the list; False when there is none."""
        invite = self._pending.get(media_id)
        if invite is None or invite.user_id != user_id:
            return False
        del self._pending[media_id]
        self._invites[user_id].remove(invite.key)
        return True

    def medias_tagging(self, brand_id: str) -> Timeline[Media]:
        """The medias that tag a brand, newest first."""
        return self._brand_medias[brand_id]

    def add_media(
        self,
        media_id: str,
        owner_id: str,
        brand_id: str,
        *,
        reel: bool,
        ad_code: str | None,
        objectives: tuple[str, ...],
    ) -> None:
        """A new media of a creator tagging a brand, first in the brand's list (keys are negated
        creation order, counted apart from the other lists' keys)."""
        self.last_media_key += 1
        media = Media(media_id, owner_id, brand_id, reel, ad_code, objectives, -self.last_media_key)
        self.medias[media_id] = media
        self._brand_medias[brand_id].add(media.key, media)
        if ad_code is not None:
            self._medias_by_ad_code[ad_code] = media

    def media_at(self, permalink: str) -> Media | None:
        """The media a permalink (or its bare shortcode) names."""
        media_id = media_id_in(permalink)
        return None if media_id is None else self.medias.get(media_id)

    def media_with_ad_code(self, ad_code: str) -> Media | None:
        """The media a creator shared under an ad code."""
        return self._medias_by_ad_code.get(ad_code)

    def allowlist(self, brand_id: str, creator_id: str) -> None:
        """Put a creator on a brand's list of creators approved to tag it."""
        self._allowlisted.add((brand_id, creator_id))

    def is_allowlisted(self, brand_id: str, creator_id: str) -> bool:
        """Whether the creator is on the brand's list of creators approved to tag it."""
        return (brand_id, creator_id) in self._allowlisted
