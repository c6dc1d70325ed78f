"""GraphiQL served from the package itself, so it works with no internet access."""

import html
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

__all__ = ["STATIC_PATH", "Tab", "graphiql_assets", "operation_documents", "render_graphiql"]

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


@dataclass(frozen=True, slots=True)
class Tab:
    """A GraphiQL tab: a document, and the variables and headers it opens with."""

    query: str
    variables: Mapping[str, object] | None = None
    headers: Mapping[str, str] | None = None


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


def operation_documents(folder: Path) -> dict[str, str]:
    """The operations of `folder` (one per .graphql file, named after it) by name, sorted.

    A missing folder (an installed package without the repository's queries/) has none.
    """
    return {path.stem: path.read_text() for path in sorted(folder.glob("*.graphql"))}


def render_graphiql(
    *, endpoint: str, tabs: Sequence[Tab], root_path: str = "", schema: str | None = None
) -> str:
    """The GraphiQL page for `endpoint`, with `tabs` open and the first one active.

    Each tab's headers (e.g. a demo token's `Authorization`) fill GraphiQL's headers
    editor while it is active, and its variables the variables editor; the first tab's
    headers also fill tabs the user opens. Asset URLs start with `root_path`. With `schema`
    (its SDL), GraphiQL takes the schema from the page instead of an introspection query,
    which a server running only trusted documents refuses.
    """
    config: dict[str, object] = {"endpoint": endpoint, "tabs": [_tab_config(tab) for tab in tabs]}
    if schema is not None:
        config["schema"] = schema
    values = {
        "static": html.escape(root_path.rstrip("/") + STATIC_PATH, quote=True),
        "config": _script_json(config),
    }
    # One pass: a substituted value is never scanned for placeholders again.
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], _template())


def _tab_config(tab: Tab) -> dict[str, str]:
    """A tab as GraphiQL takes it: each editor's text."""
    return {
        "query": tab.query,
        "variables": json.dumps(dict(tab.variables), indent=2) if tab.variables else "",
        "headers": json.dumps(dict(tab.headers), indent=2) if tab.headers else "",
    }
