"""The floor under cold_latency: Starlette on uvicorn forwarding GETs through one httpx client.

`python -m bench.forwarder <upstream> --host H --port P` forwards every GET to
the same path and query on upstream and answers with upstream's body: what
any service on this stack pays for one extra HTTP hop, with no GraphQL at all.
"""

import argparse
import contextlib
from collections.abc import AsyncIterator

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from partnergraph.server.listen import bind, serve


def forwarder(upstream: str) -> Starlette:
    """An app answering each GET with what upstream answers to the same path and query."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with httpx.AsyncClient() as client:
            app.state.upstream = client
            yield

    async def forward(request: Request) -> Response:
        client: httpx.AsyncClient = request.app.state.upstream
        authorization = request.headers.get("authorization")
        answer = await client.get(
            f"{upstream}{request.url.path}",
            params=request.query_params,
            headers={"Authorization": authorization} if authorization else None,
        )
        return Response(answer.content, answer.status_code, media_type="application/json")

    return Starlette(routes=[Route("/{path:path}", forward)], lifespan=lifespan)


def main() -> None:
    """Serve the forwarder until interrupted, announcing its URL like partnergraph does."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("upstream")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    serve(forwarder(args.upstream.rstrip("/")), bind(args.host, args.port), name="forwarder")


if __name__ == "__main__":
    main()
