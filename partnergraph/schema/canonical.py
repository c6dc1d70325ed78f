"""A document's forms without its layout: a digest equal for the same document however written,
and its text without comments, descriptions or ignored characters.

Both take time linear in the document: the digest hashes each node once from its children's
digests (a Merkle hash), sorting where order means nothing; the text joins the source's tokens.
"""

from hashlib import blake2b

from graphql import DocumentNode, Node, OperationDefinitionNode, OperationType, Token, TokenKind

__all__ = ["compact_text", "layout_free_digest"]

_UNORDERED = frozenset({"definitions", "selections", "arguments", "variable_definitions", "fields"})
"""Lists whose order changes nothing the document does: definitions, selections (but those a
mutation runs one after the other), arguments, variable definitions, input object fields."""
_IGNORED = frozenset({"loc", "description", "block"})
"""What is layout: positions, descriptions, and whether a string was written as a block."""
_UNPRINTED = frozenset({TokenKind.SOF, TokenKind.EOF, TokenKind.COMMENT})
_DIGEST_BYTES = 16


def layout_free_digest(document: DocumentNode) -> bytes:
    """A digest equal for two documents that differ only in layout: ignored characters
    (whitespace, commas), comments, descriptions, block strings, and the order of definitions,
    selections, arguments, variable definitions and input fields; mutation fields keep theirs.

    RecursionError for a document nested deeper than the interpreter allows.
    """
    return _digest(document, serial=False)


def compact_text(document: DocumentNode) -> str:
    """The document's text with its tokens alone, one space apart: no comments, descriptions or
    ignored characters; every token as written, so the text is the same document."""
    if document.loc is None:
        raise ValueError("the document was parsed without its locations")
    body = document.loc.source.body
    described = {
        description.loc.start
        for node in _described(document)
        if (description := getattr(node, "description", None)) is not None
        and description.loc is not None
    }
    tokens = []
    token: Token | None = document.loc.start_token
    while token is not None:
        if token.kind not in _UNPRINTED and token.start not in described:
            tokens.append(body[token.start : token.end])
        token = token.next
    return " ".join(tokens)


def _described(document: DocumentNode) -> list[Node]:
    """The nodes of an executable document that may carry a description."""
    described: list[Node] = []
    for definition in document.definitions:
        described.append(definition)
        described.extend(getattr(definition, "variable_definitions", None) or ())
    return described


def _digest(node: Node, *, serial: bool) -> bytes:
    """The digest of a node from its kind, its values and its children's digests; with
    serial, its selections keep their order (a mutation's root fields)."""
    hashed = blake2b(node.kind.encode(), digest_size=_DIGEST_BYTES)
    for key in node.keys:
        if key in _IGNORED:
            continue
        value = getattr(node, key, None)
        hashed.update(_framed(key))
        if isinstance(value, Node):
            serial_child = (
                key == "selection_set"
                and isinstance(node, OperationDefinitionNode)
                and node.operation is OperationType.MUTATION
            )
            hashed.update(_digest(value, serial=serial_child))
        elif isinstance(value, list | tuple):
            parts = [
                _digest(item, serial=False) if isinstance(item, Node) else _framed(item)
                for item in value
            ]
            if key in _UNORDERED and not (serial and key == "selections"):
                parts.sort()
            hashed.update(len(parts).to_bytes(4, "big"))
            hashed.update(b"".join(_framed(part) for part in parts))
        else:
            hashed.update(_framed(value))
    return hashed.digest()


def _framed(value: object) -> bytes:
    """A value's bytes behind their length, so that no two sequences of values run together."""
    raw = value if isinstance(value, bytes) else repr(value).encode()
    return len(raw).to_bytes(4, "big") + raw
