"""GraphiQL served from the package itself, so it works with no internet access."""

import html
import json
import re
from collections.abc import Mapping
from functools import cache
from importlib.resources import files

from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

__all__ = ["STATIC_PATH", "graphiql_assets", "render_graphiql"]

STATIC_PATH = "/graphiql/static"
"""Where `graphiql_assets()` serves the vendored React and GraphiQL files."""

_TEMPLATE = files("partnergraph.server") / "templates" / "graphiql.html"
_PLACEHOLDER = re.compile(r"\{\{(static|config)\}\}")

# Every asset sits in a folder named after its npm package and version: a new
# version is a new URL, so browsers may keep a file for as long as they like.
_CACHE_CONTROL = "public, max-age=31536000, immutable"

# JSON has no other way to end a <script> element or an HTML comment, and
# U+2028/U+2029 end a line in older JavaScript parsers.
_SCRIPT_SAFE = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


class _ImmutableStaticFiles(StaticFiles):
    """StaticFiles whose answers may be cached for a year."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            response.headers["Cache-Control"] = _CACHE_CONTROL
        return response


def graphiql_assets() -> Mount:
    """A route serving GraphiQL's vendored assets at `STATIC_PATH`."""
    return Mount(
        STATIC_PATH,
        app=_ImmutableStaticFiles(packages=[("partnergraph.server", "static/graphiql")]),
        name="graphiql-static",
    )


@cache
def _template() -> str:
    return _TEMPLATE.read_text(encoding="utf-8")


def _script_json(value: object) -> str:
    """`value` as JSON that can sit inside a <script> element unchanged."""
    return json.dumps(value, ensure_ascii=False).translate(_SCRIPT_SAFE)


def render_graphiql(
    *,
    endpoint: str,
    query: str,
    headers: Mapping[str, str],
    variables: Mapping[str, object] | None = None,
    root_path: str = "",
) -> str:
    """The GraphiQL page for `endpoint`, opened on `query` with `headers` pre-filled.

    `headers` (e.g. a demo token's `Authorization`) fill GraphiQL's headers
    editor; an empty mapping leaves it empty. `variables` fill the variables
    editor. Asset URLs start with `root_path`.
    """
    config = {
        "endpoint": endpoint,
        "query": query,
        "headers": json.dumps(dict(headers), indent=2) if headers else "",
        "variables": json.dumps(dict(variables), indent=2) if variables else "",
    }
    values = {
        "static": html.escape(root_path.rstrip("/") + STATIC_PATH, quote=True),
        "config": _script_json(config),
    }
    # One pass: a substituted value is never scanned for placeholders again.
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], _template())
