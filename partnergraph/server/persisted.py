"""Persisted documents: Apollo's automatic persisted queries, and a manifest of trusted documents.

Automatic persisted queries (APQ): a client sends `extensions.persistedQuery.
sha256Hash` alone; an unknown hash answers PERSISTED_QUERY_NOT_FOUND, and the
client sends the hash with its query, which registers the query for a day
(in the bounded `Services.documents` store): its compact text, without comments,
and only for a request with a token, within a number of registrations per token
and minute shared by every instance. With a trusted-documents manifest
(`{"sha256:<hex>": "<document>"}` as GraphQL Code Generator writes it, or bare
hashes), only the manifest's documents run: named by `documentId` or by
persisted-query hash, or sent as text in any layout (compared by their
layout-free digests, the manifest's computed once). Without one, the documents
of the manifest the project ships are known by hash without registering them.

`PersistedDocuments.document` decides for HTTP and WebSocket alike.
"""

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from graphql import GraphQLError, parse

from partnergraph.errors import (
    BadUserInput,
    PersistedQueryNotAllowed,
    PersistedQueryNotFound,
    RateLimited,
    SettingsError,
)
from partnergraph.graph.client import Credentials
from partnergraph.schema.build import documents
from partnergraph.schema.canonical import compact_text, layout_free_digest
from partnergraph.server.request import Params
from partnergraph.state.clock import Clock, wall_clock
from partnergraph.state.store import Store
from partnergraph.state.windows import Windows

__all__ = [
    "REGISTRATION_TTL",
    "REGISTRATION_WINDOW",
    "Document",
    "PersistedDocuments",
    "document_hash",
    "read_manifest",
]

REGISTRATION_TTL = 24 * 3600.0
"""Seconds an automatically persisted query stays registered after it last registered."""
REGISTRATION_WINDOW = 60.0
"""Seconds over which a token's registrations are counted."""
_REGISTRATIONS_KEY = "persisted-registrations:"

_HASH = re.compile(r"[0-9a-f]{64}")
_DOCUMENT_ID_PREFIX = "sha256:"


@dataclass(frozen=True, slots=True)
class Document:
    """The document a request names: its SHA-256 and, unless it must be looked up, its text."""

    hash: str
    text: str | None
    registrant: str | None = None
    """The token scope registering its text under its hash (APQ's second request), if any."""


def document_hash(text: str) -> str:
    """The SHA-256 of a document's text, in lowercase hex: its persisted-document ID."""
    return hashlib.sha256(text.encode()).hexdigest()


def read_manifest(path: str) -> dict[str, str]:
    """The trusted documents of a manifest file; SettingsError when it cannot be used."""
    setting = "PARTNERGRAPH_TRUSTED_DOCUMENTS"
    try:
        manifest = orjson.loads(Path(path).read_bytes())
    except OSError as error:
        raise SettingsError(f"{setting}: cannot read {path!r} ({error.strerror})") from None
    except orjson.JSONDecodeError:
        raise SettingsError(f"{setting}: {path!r} is not JSON") from None
    if not isinstance(manifest, dict) or not all(
        isinstance(text, str) for text in manifest.values()
    ):
        raise SettingsError(
            f'{setting}: {path!r} must be an object of {{"sha256:<hex>": "<document>"}}'
        )
    trusted = {_bare(key): text for key, text in manifest.items()}
    for key, text in trusted.items():
        if document_hash(text) != key:
            raise SettingsError(f"{setting}: in {path!r}, {key!r} is not the SHA-256 of its text")
        try:
            parse(text)
        except GraphQLError as error:
            raise SettingsError(
                f"{setting}: in {path!r}, the document {key!r} does not parse: {error.message}"
            ) from None
    return trusted


class PersistedDocuments:
    """Finds the document of a request: in it, among registered queries, or in a manifest."""

    def __init__(
        self,
        trusted: Mapping[str, str] | None = None,
        *,
        shipped: Mapping[str, str] | None = None,
        registrations_per_minute: int = 60,
        clock: Clock = wall_clock,
    ) -> None:
        self._trusted = trusted
        self._trusted_digests = _digests(trusted or {})
        self._known = trusted if trusted is not None else (shipped or {})
        self._registrations_per_minute = registrations_per_minute
        self._clock = clock

    def document(self, params: Params, credentials: Credentials | None) -> Document:
        """The document params name: the one decision of both transports. Raises BadUserInput
        when they name none or a hash does not match its query, PersistedQueryNotAllowed for a
        document outside the manifest in trusted mode."""
        persisted = _persisted_hash(params)
        named = persisted
        if params.query is not None:
            named = document_hash(params.query)
            if persisted not in (None, named):
                raise BadUserInput(
                    "The persisted-query hash is not the SHA-256 of the query sent with it."
                )
        if named is None:
            raise BadUserInput("Send a GraphQL document as `query` (or a persisted one's hash).")
        if self._trusted is None:
            registers = persisted is not None and params.query is not None
            registrant = credentials.scope if registers and credentials is not None else None
            return Document(named, params.query, registrant)
        text = self._trusted.get(named)
        if text is None and params.query is not None and self._is_trusted(params.query):
            text = params.query
        if text is None:
            raise PersistedQueryNotAllowed(
                "This server runs only its trusted documents; this is not one of them."
            )
        return Document(named, text)

    async def text(self, document: Document, store: Store[str], windows: Windows) -> str:
        """The document's text, looked up when the request sent none. Raises
        PersistedQueryNotFound for an unknown hash, and RateLimited when it would register a
        hash not yet known past its token's registrations per minute (sending one already
        registered again, as some clients always do, registers nothing new)."""
        if document.text is not None:
            if document.registrant is not None and await self._stored(document.hash, store) is None:
                await self._admit_registration(document.registrant, windows)
            return document.text
        text = await self._stored(document.hash, store)
        if text is None:
            raise PersistedQueryNotFound("PersistedQueryNotFound")
        return text

    async def _stored(self, hash_: str, store: Store[str]) -> str | None:
        """The text known under a hash: shipped in the manifest, or registered."""
        return self._known.get(hash_) or await store.get(hash_)

    async def register(self, document: Document, store: Store[str]) -> None:
        """Register the document's compact text under its hash, if the request asked to with a
        token (its registration was admitted by `text`) and the text parses."""
        if document.registrant is None or document.text is None:
            return
        try:
            compact = compact_text(documents.parsed(document.text).document)
        except GraphQLError:
            return
        await store.set(document.hash, compact, REGISTRATION_TTL)

    async def _admit_registration(self, scope: str, windows: Windows) -> None:
        limit = self._registrations_per_minute
        admission = await windows.take(_REGISTRATIONS_KEY + scope, limit, REGISTRATION_WINDOW)
        if admission.admitted:
            return
        oldest = admission.use.oldest
        raise RateLimited(
            f"This token registered {limit} persisted queries in the last minute, the most "
            "it may: send the query without its hash, or retry later.",
            retry_after=(
                oldest + REGISTRATION_WINDOW - self._clock()
                if oldest is not None
                else REGISTRATION_WINDOW
            ),
        )

    def _is_trusted(self, query: str) -> bool:
        """Whether a query is a manifest document in another layout."""
        try:
            return documents.layout_free(query) in self._trusted_digests
        except (GraphQLError, RecursionError):
            return False


def _digests(manifest: Mapping[str, str]) -> frozenset[bytes]:
    """The layout-free digests of a manifest's documents (read_manifest checked they parse)."""
    return frozenset(layout_free_digest(parse(text)) for text in manifest.values())


def _persisted_hash(params: Params) -> str | None:
    """The hash a request names by `documentId` or `extensions.persistedQuery`, if any."""
    if params.document_id is not None:
        return _checked(_bare(params.document_id), "documentId")
    persisted: Any = (params.extensions or {}).get("persistedQuery")
    if persisted is None:
        return None
    if not isinstance(persisted, dict) or persisted.get("version", 1) != 1:
        raise BadUserInput("`extensions.persistedQuery` must be {version: 1, sha256Hash}.")
    return _checked(persisted.get("sha256Hash"), "extensions.persistedQuery.sha256Hash")


def _bare(document_id: str) -> str:
    """A document ID without its `sha256:` prefix, in lowercase."""
    return document_id.lower().removeprefix(_DOCUMENT_ID_PREFIX)


def _checked(value: object, name: str) -> str:
    if not isinstance(value, str) or not _HASH.fullmatch(value.lower()):
        raise BadUserInput(f"`{name}` must be a SHA-256 in hex (64 digits).")
    return value.lower()
