"""The admin API under `/admin`: state, stats, acting as creator, media owner or user, faults,
sizes."""

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from partnergraph.emulator.errors import AdminError
from partnergraph.emulator.grow import MAX_SIZE, grow_invites, grow_permissions
from partnergraph.emulator.state import Emulator
from partnergraph.emulator.stats import Stats

Endpoint = Callable[[Request], Awaitable[JSONResponse]]


class AdminApi:
    """The admin endpoints of one emulator."""

    def __init__(self, emulator: Emulator) -> None:
        self._emulator = emulator

    def routes(self) -> list[Route]:
        """The admin routes, relative to the app."""
        return [
            Route("/admin/state", self._guard(self.state), methods=["GET"]),
            Route("/admin/stats", self._guard(self.stats), methods=["GET"]),
            Route("/admin/stats/reset", self._guard(self.reset_stats), methods=["POST"]),
            Route("/admin/permissions/{id}", self._guard(self.set_status), methods=["POST"]),
            Route("/admin/invites", self._guard(self.add_invite), methods=["POST"]),
            Route("/admin/faults", self._guard(self.add_fault), methods=["POST"]),
            Route("/admin/faults", self._guard(self.clear_faults), methods=["DELETE"]),
            Route("/admin/tokens/revoke", self._guard(self.revoke_token), methods=["POST"]),
            Route("/admin/reset", self._guard(self.reset), methods=["POST"]),
            Route("/admin/grow", self._guard(self.grow), methods=["POST"]),
        ]

    def _guard(self, endpoint: Endpoint) -> Endpoint:
        async def guarded(request: Request) -> JSONResponse:
            try:
                return await endpoint(request)
            except AdminError as error:
                payload = error.payload(self._emulator.trace_id())
                return JSONResponse(payload, status_code=error.status)

        return guarded

    async def state(self, request: Request) -> JSONResponse:
        """Tokens, brands and creators, with their counts (a brand's medias: those tagging it)."""
        store = self._emulator.store
        return JSONResponse(
            {
                "tokens": [
                    {
                        "token": token.token,
                        "role": token.role,
                        "userId": token.user_id,
                        "brandIds": list(token.brand_ids),
                    }
                    for token in store.tokens.values()
                ],
                "brands": [
                    {
                        "id": brand.id,
                        "username": brand.username,
                        "permissionCount": len(store.brand_permissions(brand.id)),
                        "advertisableMediaCount": len(store.medias_tagging(brand.id)),
                    }
                    for brand in store.brands.values()
                ],
                "creators": [
                    {
                        "id": creator.id,
                        "username": creator.username,
                        "facebookPageId": creator.facebook_page_id,
                        "pendingInviteCount": len(store.invites_of(creator.id)),
                    }
                    for creator in store.creators.values()
                ],
            }
        )

    async def stats(self, request: Request) -> JSONResponse:
        """Graph requests counted by edge and method."""
        return JSONResponse(self._emulator.stats.as_json())

    async def reset_stats(self, request: Request) -> JSONResponse:
        """Zero the stats."""
        self._emulator.stats = Stats()
        return JSONResponse({"success": True})

    async def set_status(self, request: Request) -> JSONResponse:
        """Act as the creator: set a permission's status to any string, e.g. APPROVED."""
        permission = self._emulator.store.permissions.get(request.path_params["id"])
        if permission is None:
            raise AdminError("no permission with that id", 404)
        permission.status = _text(await _json(request), "status")
        return JSONResponse({"id": permission.id, "status": permission.status})

    async def add_invite(self, request: Request) -> JSONResponse:
        """Act as a media owner: invite an Instagram user to collaborate on new media."""
        body = await _json(request)
        store = self._emulator.store
        user_id = _text(body, "userId")
        if not store.is_ig_user(user_id):
            raise AdminError(f"no Instagram user {user_id}", 404)
        invite = store.add_invite(
            user_id,
            _text(body, "mediaOwnerUsername"),
            str(body.get("caption") or ""),
            str(body.get("mediaUrl") or f"https://scontent.cdninstagram.com/{user_id}.jpg"),
        )
        return JSONResponse({"mediaId": invite.media_id})

    async def add_fault(self, request: Request) -> JSONResponse:
        """Stack a fault on matching Graph requests."""
        fault = self._emulator.faults.add(await _json(request))
        return JSONResponse({"id": fault.id})

    async def clear_faults(self, request: Request) -> JSONResponse:
        """Remove every fault."""
        self._emulator.faults.clear()
        return JSONResponse({"success": True})

    async def revoke_token(self, request: Request) -> JSONResponse:
        """Act as the user revoking the app: the token answers code 190 from now on."""
        token = _text(await _json(request), "token")
        if token not in self._emulator.store.tokens:
            raise AdminError("no such token", 404)
        self._emulator.store.revoked.add(token)
        return JSONResponse({"success": True})

    async def reset(self, request: Request) -> JSONResponse:
        """Back to the seeded demo data."""
        self._emulator.reset()
        return JSONResponse({"success": True})

    async def grow(self, request: Request) -> JSONResponse:
        """Real sizes: a brand's list to N permissions, or a user's to N pending invites."""
        body = await _json(request)
        store = self._emulator.store
        if set(body) == {"brandId", "permissions"}:
            brand_id = _text(body, "brandId")
            if brand_id not in store.brands:
                raise AdminError(f"no brand {brand_id}", 404)
            count = grow_permissions(store, brand_id, _size(body, "permissions"))
            return JSONResponse({"brandId": brand_id, "permissionCount": count})
        if set(body) == {"userId", "invites"}:
            user_id = _text(body, "userId")
            if not store.is_ig_user(user_id):
                raise AdminError(f"no Instagram user {user_id}", 404)
            count = grow_invites(store, user_id, _size(body, "invites"))
            return JSONResponse({"userId": user_id, "pendingInviteCount": count})
        raise AdminError('the body is {"brandId", "permissions"} or {"userId", "invites"}', 400)


async def _json(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        raise AdminError("the body must be JSON", 400) from None
    if not isinstance(body, dict):
        raise AdminError("the body must be a JSON object", 400)
    return body


def _size(body: dict[str, Any], name: str) -> int:
    value = body[name]
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SIZE:
        raise AdminError(f"{name} must be an integer from 0 to {MAX_SIZE}", 400)
    return value


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise AdminError(f"{name} must be a non-empty string", 400)
    return value
