"""The floors under warm_repeat: Starlette on uvicorn answering every POST with one fixed body.

`python -m bench.fixed_answer <body-file> --host H --port P` answers `GET /healthz`
as partnergraph does and `POST /graphql` with the file's bytes after reading the
request body: what any service on this stack pays to answer from memory, with no
GraphQL, cache lookup, access line or metrics. With `--access-line`, partnergraph's
own access-log middleware wraps the app, so each answer also writes the JSON access
line (and counts the request) that every partnergraph answer has, and /healthz does not.
"""

import argparse
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from partnergraph.server import logs
from partnergraph.server.access import AccessLog
from partnergraph.server.health import healthz
from partnergraph.server.listen import bind, serve
from partnergraph.server.metrics import Metrics


def fixed_answer(body: bytes, *, access_line: bool = False) -> Starlette:
    """An app answering each POST /graphql with body, and /healthz."""

    async def answer(request: Request) -> Response:
        await request.body()
        return Response(body, media_type="application/json")

    middleware = [Middleware(AccessLog, metrics=Metrics(redis=False))] if access_line else []
    return Starlette(
        routes=[Route("/healthz", healthz), Route("/graphql", answer, methods=["POST"])],
        middleware=middleware,
    )


def main() -> None:
    """Serve the fixed answer until interrupted, announcing its URL like partnergraph does."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("body", type=Path)
    parser.add_argument("--access-line", action="store_true")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    logs.configure("INFO", "json")
    app = fixed_answer(args.body.read_bytes(), access_line=args.access_line)
    serve(app, bind(args.host, args.port), name="fixed_answer")


if __name__ == "__main__":
    main()
