"""The app under its lifespan, pointed at the standalone emulator, and a client to query it."""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from starlette.applications import Starlette

from partnergraph.server.app import create_app
from partnergraph.server.settings import Settings
from partnergraph.state.clock import Clock, wall_clock
from tests.demo import Demo

QUERIES = Path(__file__).resolve().parents[2] / "queries"

__all__ = ["Api", "ApiFactory", "Demo", "nodes"]


@dataclass
class Api:
    """A client of one app instance, and of the emulator it reads from."""

    http: httpx.AsyncClient
    emulator: httpx.AsyncClient
    token: str | None
    app: Starlette | None = None
    """The app under its lifespan, for what only it can tell (its stores)."""

    async def run(
        self, document: str, variables: dict[str, Any] | None = None, *, token: str | None = ""
    ) -> dict[str, Any]:
        """POST a document; token "" uses the default token, None sends none."""
        token = self.token if token == "" else token
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.http.post(
            "/graphql", json={"query": document, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def op(
        self, name: str, variables: dict[str, Any] | None = None, *, token: str | None = ""
    ) -> dict[str, Any]:
        """Run the named operation of queries/."""
        return await self.run((QUERIES / f"{name}.graphql").read_text(), variables, token=token)

    async def data(
        self, name: str, variables: dict[str, Any] | None = None, *, token: str | None = ""
    ) -> dict[str, Any]:
        """The data of a named operation that must succeed."""
        body = await self.op(name, variables, token=token)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    async def upstream_calls(self) -> dict[str, Any]:
        """The emulator's request counts since the last reset."""
        stats: dict[str, Any] = (await self.emulator.get("/admin/stats")).json()
        return stats

    async def fault(self, **spec: Any) -> None:
        """Inject a fault into the emulator's Graph requests (see its /admin/faults)."""
        (await self.emulator.post("/admin/faults", json=spec)).raise_for_status()

    async def permission_count(self, brand: str) -> int:
        """How many permissions the emulator holds for a brand."""
        state = (await self.emulator.get("/admin/state")).json()
        count: int = next(b["permissionCount"] for b in state["brands"] if b["id"] == brand)
        return count

    async def reset_stats(self) -> None:
        """Zero the emulator's request counts."""
        (await self.emulator.post("/admin/stats/reset")).raise_for_status()


def nodes(connection: dict[str, Any]) -> list[dict[str, Any]]:
    """The nodes of a connection's edges."""
    return [edge["node"] for edge in connection["edges"]]


ApiFactory = Callable[..., AbstractAsyncContextManager[Api]]


@pytest.fixture
def make_api(emulator_url: str, emulator: httpx.AsyncClient, demo: Demo) -> ApiFactory:
    """Builds apps with settings overrides (and the wall clock of their state), each with
    fresh caches, on the reset emulator."""

    @asynccontextmanager
    async def make(state_clock: Clock = wall_clock, **overrides: Any) -> AsyncIterator[Api]:
        app = create_app(
            Settings(**{"graph_url": emulator_url, **overrides}), state_clock=state_clock
        )
        async with (
            LifespanManager(app) as manager,
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=manager.app), base_url="http://partnergraph"
            ) as http,
        ):
            yield Api(http, emulator, demo.agency, app)

    return make


@pytest.fixture
async def api(make_api: ApiFactory) -> AsyncIterator[Api]:
    """An app with default settings on the reset emulator."""
    async with make_api() as api:
        yield api
