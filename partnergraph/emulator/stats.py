"""The edges the emulator serves, and the admin counts of Graph requests by edge and method."""

from typing import Any

PERMISSIONS = "branded_content_ad_permissions"
INVITES = "collaboration_invites"
MEDIAS = "branded_content_advertisable_medias"
ME = "me"
ACCOUNTS = "accounts"
NODE = "node"
"""`GET /{id}`: an object read by its ID (the emulator serves permissions)."""
BATCH = "batch"
METHODS = {
    PERMISSIONS: ("GET", "POST"),
    INVITES: ("GET", "POST"),
    MEDIAS: ("GET",),
    ACCOUNTS: ("GET",),
    ME: ("GET",),
    NODE: ("GET",),
    BATCH: ("POST",),
}


class Stats:
    """Graph HTTP requests in total, and Graph calls by edge and method (batch entries apart)."""

    def __init__(self) -> None:
        self.total = 0
        self._by_edge = {edge: dict.fromkeys(methods, 0) for edge, methods in METHODS.items()}

    def count(self, edge: str, method: str) -> None:
        """Count one call; calls outside the served edges count in the total only."""
        counts = self._by_edge.get(edge)
        if counts is not None and method in counts:
            counts[method] += 1

    def as_json(self) -> dict[str, Any]:
        """The `GET /admin/stats` answer."""
        return {"total": self.total, "byEdge": {e: dict(c) for e, c in self._by_edge.items()}}
