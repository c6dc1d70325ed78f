"""Plain records of what the Graph API returns, read tolerantly from its JSON."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class PermissionStatus(StrEnum):
    """A partnership-ad permission's state; UNKNOWN keeps whatever else the Graph API says."""

    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    REVOKED = "REVOKED"
    UNKNOWN = "UNKNOWN"

    @classmethod
    def of(cls, raw: str) -> "PermissionStatus":
        """The status a raw Graph value stands for, matched case-insensitively."""
        try:
            status = cls(raw.strip().upper())
        except ValueError:
            return cls.UNKNOWN
        return status


@dataclass(frozen=True, slots=True)
class CreatorRecord:
    """An Instagram creator as far as a Graph answer describes it."""

    ig_id: str
    username: str | None = None
    facebook_page_id: str | None = None


@dataclass(frozen=True, slots=True)
class PermissionRecord:
    """One account-level partnership-ad permission of a brand."""

    graph_id: str
    brand_ig_id: str
    creator: CreatorRecord
    raw_status: str

    @property
    def status(self) -> PermissionStatus:
        """The raw status as the schema's enum."""
        return PermissionStatus.of(self.raw_status)


@dataclass(frozen=True, slots=True)
class InviteRecord:
    """A pending collaboration invite of an Instagram user."""

    media_id: str
    invitee_ig_id: str
    media_owner_username: str
    caption: str | None
    media_url: str | None


PERMISSION_FIELDS = "id,creator_id,creator_username,creator_fb_page,brand_ig_user,permission_status"


def permission_from_graph(brand_ig_id: str, item: dict[str, Any]) -> PermissionRecord | None:
    """A permission from one Graph list item, or None when it lacks an ID."""
    graph_id = _text(item.get("id"))
    if graph_id is None:
        return None
    creator_id = _text(item.get("creator_id")) or _text(item.get("creator_ig_id")) or ""
    brand = item.get("brand_ig_user")
    brand_id = _text(brand.get("id")) if isinstance(brand, dict) else None
    page = item.get("creator_fb_page")
    page_id = _text(page.get("id")) if isinstance(page, dict) else _text(page)
    raw_status = _text(item.get("permission_status")) or _text(item.get("status")) or ""
    return PermissionRecord(
        graph_id=graph_id,
        brand_ig_id=brand_id or brand_ig_id,
        creator=CreatorRecord(creator_id, _text(item.get("creator_username")), page_id),
        raw_status=raw_status,
    )


def invite_from_graph(invitee_ig_id: str, item: dict[str, Any]) -> InviteRecord | None:
    """An invite from one Graph list item, or None when it lacks a media ID."""
    media_id = _text(item.get("media_id"))
    if media_id is None:
        return None
    return InviteRecord(
        media_id=media_id,
        invitee_ig_id=invitee_ig_id,
        media_owner_username=_text(item.get("media_owner_username")) or "",
        caption=_text(item.get("caption")),
        media_url=_text(item.get("media_url")),
    )


def _text(value: object) -> str | None:
    if isinstance(value, str) and value:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None
