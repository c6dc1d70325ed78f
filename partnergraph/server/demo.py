"""Demo mode: the embedded emulator as upstream, and its tokens announced to whoever runs it."""

from dataclasses import dataclass

import httpx
from starlette.applications import Starlette

from partnergraph.emulator.app import create_emulator_app


@dataclass(frozen=True, slots=True)
class DemoToken:
    """One of the emulator's seeded access tokens."""

    token: str
    role: str
    user_id: str
    brand_count: int


def emulator_app() -> Starlette:
    """A fresh emulator with its seeded demo data."""
    return create_emulator_app()


async def tokens(http: httpx.AsyncClient, base_url: str) -> list[DemoToken]:
    """The emulator's tokens, read through its admin API."""
    response = await http.get(f"{base_url}/admin/state")
    response.raise_for_status()
    return [
        DemoToken(
            token=entry["token"],
            role=entry["role"],
            user_id=str(entry.get("userId", "")),
            brand_count=len(entry.get("brandIds") or []),
        )
        for entry in response.json()["tokens"]
    ]


def announce(demo_tokens: list[DemoToken]) -> str | None:
    """Print the demo tokens; return the Authorization value GraphiQL opens with."""
    lines = [
        "Demo mode: the embedded Graph API emulator is the upstream (admin at /emulator/admin).",
        "Demo tokens, to send as `Authorization: Bearer <token>`:",
    ]
    for entry in demo_tokens:
        extra = f", {entry.brand_count} brands" if entry.brand_count else ""
        lines.append(f"  {entry.role:<14} {entry.token}  (user {entry.user_id}{extra})")
    print("\n".join(lines), flush=True)
    managers = [entry for entry in demo_tokens if entry.role == "brand_manager"]
    best = max(managers, key=lambda entry: entry.brand_count, default=None)
    return f"Bearer {best.token}" if best else None
