"""Demo mode: the embedded emulator as upstream, and its tokens announced to whoever runs it."""

from dataclasses import dataclass
from typing import Any

import httpx
from starlette.applications import Starlette

from partnergraph.emulator.app import create_emulator_app

_SHOWN = 8
"""Characters of each demo token the banner shows."""


@dataclass(frozen=True, slots=True)
class Showcase:
    """What GraphiQL opens with in demo mode: a token and the brand with the most permissions."""

    authorization: str
    brand_id: str


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


async def showcase(http: httpx.AsyncClient, base_url: str, public_url: str) -> Showcase | None:
    """Announce the emulator's tokens and pick what GraphiQL opens with.

    `public_url` is where clients reach the server, for the emulator state's URL.
    """
    response = await http.get(f"{base_url}/admin/state")
    response.raise_for_status()
    state = response.json()
    manager = announce(_tokens(state), f"{public_url}/emulator/admin/state")
    if manager is None:
        return None
    brands = [b for b in state["brands"] if b["id"] in set(manager.brand_ids)]
    best = max(brands, key=lambda brand: brand["permissionCount"], default=None)
    return Showcase(f"Bearer {manager.token}", best["id"]) if best else None


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
    """Print the demo tokens, shortened, and where to read them in full.

    Returns the brand manager's token with the most brands.
    """
    lines = [
        "Demo mode: the embedded Graph API emulator is the upstream. Its state, tokens in full:",
        f"  {state_url}",
        "Demo tokens (shortened), to send as `Authorization: Bearer <token>`:",
    ]
    for entry in demo_tokens:
        extra = f", {len(entry.brand_ids)} brands" if entry.brand_ids else ""
        shown = entry.token[:_SHOWN] + "…"
        lines.append(f"  {entry.role:<14} {shown}  (user {entry.user_id}{extra})")
    print("\n".join(lines), flush=True)
    managers = [entry for entry in demo_tokens if entry.role == "brand_manager"]
    return max(managers, key=lambda entry: len(entry.brand_ids), default=None)
