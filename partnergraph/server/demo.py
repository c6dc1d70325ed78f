"""Demo mode: the embedded emulator as upstream, and its tokens announced to whoever runs it."""

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.applications import Starlette

from partnergraph.emulator.app import create_emulator_app
from partnergraph.server.graphiql import Tab
from partnergraph.server.logs import BANNER

_banner = logging.getLogger(BANNER)

_SHOWN = 8
"""Characters of each demo token the banner shows."""


@dataclass(frozen=True, slots=True)
class Showcase:
    """What GraphiQL opens with in demo mode: tokens, and variables that run as they are.

    The agency's token and its brand with the most permissions; a creator with pending
    invites and their token; creators that brand has never asked (the first by ID too).
    """

    authorization: str
    brand_id: str
    creator_authorization: str
    creator_id: str
    unasked_id: str
    unasked_usernames: tuple[str, ...]

    def tabs(self, documents: Mapping[str, str]) -> list[Tab]:
        """A tab for each document, those with demo variables first, each with its token."""
        brand = {"Authorization": self.authorization}
        creator = {"Authorization": self.creator_authorization}
        ask = {"brandId": self.brand_id, "creatorUsername": self.unasked_usernames[0]}
        creators = [{"username": username} for username in self.unasked_usernames]
        revoke = {"brandId": self.brand_id, "creatorIgId": self.unasked_id}
        respond = {"creatorId": self.creator_id, "mediaId": ""}  # a mediaId from CreatorInvites
        presets: dict[str, tuple[dict[str, object], dict[str, str]]] = {
            "BrandPermissions": ({"brandId": self.brand_id, "first": 10}, brand),
            "RequestPermission": ({"input": ask}, brand),
            "RequestPermissions": (
                {"input": {"brandId": self.brand_id, "creators": creators}},
                brand,
            ),
            "RevokePermission": ({"input": revoke}, brand),
            "RevokePermissions": (
                {"input": {"brandId": self.brand_id, "creators": creators}},
                brand,
            ),
            "PermissionChanged": ({"brandId": self.brand_id}, brand),
            "CreatorInvites": ({"creatorId": self.creator_id, "first": 10}, creator),
            "AcceptInvite": ({"input": respond}, creator),
            "DeclineInvite": ({"input": respond}, creator),
        }
        names = [name for name in presets if name in documents]
        names += [name for name in documents if name not in presets]
        return [Tab(documents[name], *presets.get(name, ({}, brand))) for name in names]


@dataclass(frozen=True, slots=True)
class DemoToken:
    """One of the emulator's seeded access tokens."""

    token: str
    role: str
    user_id: str
    brand_ids: tuple[str, ...]


def emulator_app() -> Starlette:
    """A fresh emulator with its seeded demo data."""
    return create_emulator_app()


class EmulatorTransport(httpx.AsyncBaseTransport):
    """httpx's ASGITransport to the embedded emulator, with the client's read timeout kept.

    ASGITransport runs the app in the caller's task and ignores timeouts, so a slow
    emulator would be waited for however long it takes; over a socket, httpx raises
    ReadTimeout. Raising it here too gives a slow upstream the same answer in both modes.
    """

    def __init__(self, app: Starlette) -> None:
        self._asgi = httpx.ASGITransport(app=app)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """The emulator's response, or ReadTimeout once the request's read timeout passes."""
        timeouts = request.extensions.get("timeout", {})
        try:
            async with asyncio.timeout(timeouts.get("read")):
                return await self._asgi.handle_async_request(request)
        except TimeoutError:
            message = "The emulator did not answer in time."
            raise httpx.ReadTimeout(message, request=request) from None

    async def aclose(self) -> None:
        """Close the ASGI transport."""
        await self._asgi.aclose()


async def showcase(http: httpx.AsyncClient, base_url: str, public_url: str) -> Showcase | None:
    """Announce the emulator's tokens and pick what GraphiQL opens with.

    `public_url` is where clients reach the server, for the emulator state's URL.
    """
    response = await http.get(f"{base_url}/admin/state")
    response.raise_for_status()
    state = response.json()
    tokens = _tokens(state)
    manager = announce(tokens, f"{public_url}/emulator/admin/state")
    brands = [b for b in state["brands"] if manager and b["id"] in set(manager.brand_ids)]
    best = max(brands, key=lambda brand: brand["permissionCount"], default=None)
    invited = {c["id"] for c in state["creators"] if c["pendingInviteCount"]}
    creator = next((t for t in tokens if t.role == "creator" and t.user_id in invited), None)
    if manager is None or best is None or creator is None or not state["creators"]:
        return None
    # The seed leaves the brand with the most permissions unasked of its last creators.
    unasked = state["creators"][:-4:-1]
    return Showcase(
        authorization=f"Bearer {manager.token}",
        brand_id=best["id"],
        creator_authorization=f"Bearer {creator.token}",
        creator_id=creator.user_id,
        unasked_id=unasked[0]["id"],
        unasked_usernames=tuple(creator["username"] for creator in unasked),
    )


def _tokens(state: dict[str, Any]) -> list[DemoToken]:
    return [
        DemoToken(
            token=entry["token"],
            role=entry["role"],
            user_id=str(entry.get("userId", "")),
            brand_ids=tuple(entry.get("brandIds") or ()),
        )
        for entry in state["tokens"]
    ]


def announce(demo_tokens: list[DemoToken], state_url: str) -> DemoToken | None:
    """Announce the demo tokens, shortened, and where to read them in full.

    Returns the brand manager's token with the most brands.
    """
    headline = "Demo mode: the embedded Graph API emulator is the upstream."
    lines = [
        f"{headline} Its state, tokens in full:",
        f"  {state_url}",
        "Demo tokens (shortened), to send as `Authorization: Bearer <token>`:",
    ]
    tokens: list[dict[str, object]] = []
    for entry in demo_tokens:
        extra = f", {len(entry.brand_ids)} brands" if entry.brand_ids else ""
        shown = entry.token[:_SHOWN] + "…"
        lines.append(f"  {entry.role:<14} {shown}  (user {entry.user_id}{extra})")
        user, brands = entry.user_id, len(entry.brand_ids)
        tokens.append({"role": entry.role, "token": shown, "userId": user, "brands": brands})
    fields = {"state": state_url, "tokens": tokens}
    _banner.info(headline, extra={"text": "\n".join(lines), "fields": fields})
    managers = [entry for entry in demo_tokens if entry.role == "brand_manager"]
    return max(managers, key=lambda entry: len(entry.brand_ids), default=None)
