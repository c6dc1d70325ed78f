"""A real server in demo mode, and a way to send it a hostile request while /healthz is polled."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.demo import Demo, demo_of
from tests.servers import running

HEALTH_TIMEOUT = 5.0
"""Seconds /healthz may take while a hostile request is in flight: it answers in milliseconds."""


@dataclass
class Served:
    """A hostile request's answer, and how many /healthz answers came while it was in flight."""

    response: httpx.Response
    health_answers: int

    @property
    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = self.response.json()
        return body

    @property
    def codes(self) -> list[str]:
        return [error["extensions"]["code"] for error in self.body.get("errors", [])]


@dataclass
class Server:
    """A client of the running demo server, its emulator and its demo data."""

    http: httpx.AsyncClient
    demo: Demo

    async def hostile(self, body: Any, **request: Any) -> Served:
        """POST a hostile request; /healthz must keep answering until its answer comes."""
        headers = {"Authorization": f"Bearer {self.demo.agency}", **request.pop("headers", {})}
        sent = {"json": body} if body is not None else {}
        answer = asyncio.ensure_future(
            self.http.post("/graphql", headers=headers, **sent, **request)
        )
        health_answers = 0
        while True:
            health = await self.http.get("/healthz", timeout=HEALTH_TIMEOUT)
            assert health.json() == {"status": "ok"}
            health_answers += 1
            if answer.done():
                return Served(await answer, health_answers)

    async def upstream_calls(self) -> int:
        """The Graph calls the mounted emulator received since its stats were reset."""
        total: int = (await self.http.get("/emulator/admin/stats")).json()["total"]
        return total

    async def reset_stats(self) -> None:
        (await self.http.post("/emulator/admin/stats/reset")).raise_for_status()


@pytest.fixture(scope="module")
def demo_url() -> Iterator[str]:
    """`partnergraph serve` in demo mode: uvicorn, the app and its mounted emulator."""
    with running("serve", env={"PARTNERGRAPH_GRAPH_URL": ""}) as url:
        yield url


@pytest.fixture
async def server(demo_url: str) -> AsyncIterator[Server]:
    """A client of the demo server, its emulator reset to the seeded data."""
    async with httpx.AsyncClient(base_url=demo_url, timeout=60) as http:
        (await http.post("/emulator/admin/reset")).raise_for_status()
        state = (await http.get("/emulator/admin/state")).json()
        yield Server(http, demo_of(state))
