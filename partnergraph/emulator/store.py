"""In-memory Graph data (accounts, users, Pages, tokens, permissions, invites) paged in O(limit)."""

import random
from bisect import bisect_left, bisect_right, insort
from dataclasses import dataclass
from typing import Generic, TypeVar

BRAND_MANAGER = "brand_manager"
CREATOR = "creator"
EXPIRED = "expired"

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
    """Every object the emulator holds, with the indexes the two edges page through."""

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

    def new_id(self, prefix: str, digits: int = 17) -> str:
        """A fresh numeric ID such as Meta's, starting with prefix, deterministic per seed."""
        while True:
            tail = digits - len(prefix)
            candidate = f"{prefix}{self._ids.randrange(10 ** (tail - 1), 10**tail)}"
            if candidate not in self._issued:
                self._issued.add(candidate)
                return candidate

    def _next_key(self) -> int:
        self.last_key += 1
        return self.last_key

    def add_brand(self, brand: Brand) -> None:
        """Hold a brand, with no permissions yet."""
        self.brands[brand.id] = brand
        self._brand_permissions[brand.id] = Timeline()

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
