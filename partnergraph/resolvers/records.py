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


@dataclass(frozen=True, slots=True)
class InstagramAccountRecord:
    """An Instagram account linked to a Facebook Page the token's user manages."""

    ig_id: str
    username: str | None
    facebook_page_id: str
    facebook_page_name: str | None


@dataclass(frozen=True, slots=True)
class ViewerRecord:
    """The Facebook user a token belongs to."""

    user_id: str
    name: str | None


PERMISSION_FIELDS = "id,creator_id,creator_username,creator_fb_page,brand_ig_user,permission_status"


def permission_from_graph(brand_ig_id: str, item: dict[str, Any]) -> PermissionRecord | None:
    """A permission from one Graph list item, or None when it lacks an ID."""
    graph_id = text_value(item.get("id"))
    if graph_id is None:
        return None
    creator_id = text_value(item.get("creator_id")) or text_value(item.get("creator_ig_id")) or ""
    brand = item.get("brand_ig_user")
    brand_id = text_value(brand.get("id")) if isinstance(brand, dict) else None
    page = item.get("creator_fb_page")
    page_id = text_value(page.get("id")) if isinstance(page, dict) else text_value(page)
    raw_status = text_value(item.get("permission_status")) or text_value(item.get("status")) or ""
    return PermissionRecord(
        graph_id=graph_id,
        brand_ig_id=brand_id or brand_ig_id,
        creator=CreatorRecord(creator_id, text_value(item.get("creator_username")), page_id),
        raw_status=raw_status,
    )


def invite_from_graph(invitee_ig_id: str, item: dict[str, Any]) -> InviteRecord | None:
    """An invite from one Graph list item, or None when it lacks a media ID."""
    media_id = text_value(item.get("media_id"))
    if media_id is None:
        return None
    return InviteRecord(
        media_id=media_id,
        invitee_ig_id=invitee_ig_id,
        media_owner_username=text_value(item.get("media_owner_username")) or "",
        caption=text_value(item.get("caption")),
        media_url=text_value(item.get("media_url")),
    )


ACCOUNT_FIELDS = "id,name,instagram_business_account{id,username}"
VIEWER_FIELDS = "id,name"


def account_from_graph(owner: str, item: dict[str, Any]) -> InstagramAccountRecord | None:
    """The Instagram account of one Page of a user's list; None for a Page without one."""
    page_id = text_value(item.get("id"))
    linked = item.get("instagram_business_account")
    ig_id = text_value(linked.get("id")) if isinstance(linked, dict) else None
    if page_id is None or ig_id is None or not isinstance(linked, dict):
        return None
    return InstagramAccountRecord(
        ig_id=ig_id,
        username=text_value(linked.get("username")),
        facebook_page_id=page_id,
        facebook_page_name=text_value(item.get("name")),
    )


def viewer_from_graph(body: dict[str, Any]) -> ViewerRecord | None:
    """The user a `GET /me` answer describes; None when it names no user."""
    user_id = text_value(body.get("id"))
    if user_id is None:
        return None
    return ViewerRecord(user_id, text_value(body.get("name")))


def text_value(value: object) -> str | None:
    """A Graph string or number as non-empty text; None for anything else."""
    if isinstance(value, str) and value:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None
