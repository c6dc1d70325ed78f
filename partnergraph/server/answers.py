"""The key a request's answer is cached under: its document's hash, variables and token scope.

The document is named by its SHA-256, so a query and the persisted hash of the
same query share their answers. Whether an answer may be cached at all is
decided by partnergraph.schema.caching.
"""

import hashlib
from typing import Any

import orjson


def answer_key(
    scope: str,
    document_hash: str,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    extensions: dict[str, Any] | None,
) -> str:
    """The cache key of a GraphQL request of a token scope. The request's extensions may ask
    for more in the answer (`extensions.cost`), except the persisted query, named by its hash."""
    asks = {name: value for name, value in (extensions or {}).items() if name != "persistedQuery"}
    question = [scope, document_hash, operation_name, variables, asks]
    raw = orjson.dumps(question, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(raw).hexdigest()
