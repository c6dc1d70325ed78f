"""Persisted documents: Apollo's automatic persisted queries, and a manifest of trusted documents.

Automatic persisted queries (APQ): a client sends `extensions.persistedQuery.
sha256Hash` alone; an unknown hash answers PERSISTED_QUERY_NOT_FOUND, and the
client sends the hash with its query, which registers the query for a day
(in the bounded `Services.documents` store). With a trusted-documents manifest
(`{"sha256:<hex>": "<document>"}` as GraphQL Code Generator writes it, or bare
hashes), only the manifest's documents run, named by `documentId` or by
persisted-query hash.
"""

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from partnergraph.errors import (
    BadUserInput,
    PersistedQueryNotAllowed,
    PersistedQueryNotFound,
    SettingsError,
)
from partnergraph.resolvers.state.store import Store
from partnergraph.server.request import Params

__all__ = ["REGISTRATION_TTL", "Document", "PersistedDocuments", "document_hash", "read_manifest"]

REGISTRATION_TTL = 24 * 3600.0
"""Seconds an automatically persisted query stays registered after it last registered."""

_HASH = re.compile(r"[0-9a-f]{64}")
_DOCUMENT_ID_PREFIX = "sha256:"


@dataclass(frozen=True, slots=True)
class Document:
    """The document a request names: its SHA-256 and, unless it must be looked up, its text."""

    hash: str
    text: str | None
    registers: bool = False
    """Whether the request registers its text under its hash (APQ's second request)."""


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
    return trusted


class PersistedDocuments:
    """Finds the document of a request: in it, among registered queries, or in the manifest."""

    def __init__(self, trusted: Mapping[str, str] | None = None) -> None:
        self._trusted = trusted

    def document(self, params: Params) -> Document:
        """The document params name. Raises BadUserInput when they name none or a hash does not
        match its query, PersistedQueryNotAllowed for a document outside the manifest."""
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
            return Document(named, params.query, registers)
        text = self._trusted.get(named)
        if text is None:
            raise PersistedQueryNotAllowed(
                "This server runs only its trusted documents; this is not one of them."
            )
        return Document(named, text)

    async def text(self, document: Document, store: Store[str]) -> str:
        """The document's text, looked up among registered queries when the request sent none."""
        if document.text is not None:
            return document.text
        text = await store.get(document.hash)
        if text is None:
            raise PersistedQueryNotFound("PersistedQueryNotFound")
        return text

    async def register(self, document: Document, store: Store[str]) -> None:
        """Register the document's text under its hash, if the request asked to."""
        if document.registers and document.text is not None:
            await store.set(document.hash, document.text, REGISTRATION_TTL)


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
