"""The `branded_content_ad_permissions` edge of a brand (list, filter, request, revoke), and one
permission read by its ID."""

from typing import Any

from partnergraph.emulator.errors import invalid_parameter, not_permitted, unknown_creator
from partnergraph.emulator.paging import list_answer
from partnergraph.emulator.state import Emulator
from partnergraph.emulator.stats import NODE, PERMISSIONS
from partnergraph.emulator.store import Creator, Permission, Store, Timeline, Token
from partnergraph.emulator.wire import Call, flag, selected_fields

NODE_TYPE = "BrandedContentAdPermission"
FIELDS = (
    "id",
    "creator_id",
    "creator_ig_id",
    "creator_username",
    "creator_fb_page",
    "brand_ig_user",
    "permission_status",
    "status",
    "permission_type",
)
DEFAULT_FIELDS = (
    "id",
    "creator_id",
    "creator_username",
    "creator_fb_page",
    "brand_ig_user",
    "permission_status",
)
NODE_DEFAULT_FIELDS = ("id", "permission_type", "status")
"""What `GET /{permission-id}` answers without `fields=`: the fields Meta's SDK models."""
REVOKED = "REVOKED"
PENDING = "PENDING"


def read(emulator: Emulator, token: Token, brand_id: str, call: Call) -> dict[str, Any]:
    """A page of the brand's permissions, oldest first; `creator_username` keeps that creator's."""
    authorize(token, brand_id)
    emulator.usage.spend(brand_id, PERMISSIONS, "GET")
    fields = selected_fields(call.params, FIELDS, DEFAULT_FIELDS, NODE_TYPE)
    store = emulator.store
    username = call.params.get("creator_username")
    listed = store.brand_permissions(brand_id) if not username else _of(store, brand_id, username)
    return list_answer(
        call,
        listed,
        f"{PERMISSIONS}:{brand_id}",
        store.last_key,
        lambda permission: _render(store, permission, fields),
    )


def node(emulator: Emulator, token: Token, permission: Permission, call: Call) -> dict[str, Any]:
    """`GET /{permission-id}`: one permission, if the token may see its brand's list."""
    authorize(token, permission.brand_id)
    emulator.usage.spend(permission.brand_id, NODE, "GET")
    fields = selected_fields(call.params, FIELDS, NODE_DEFAULT_FIELDS, NODE_TYPE)
    return _render(emulator.store, permission, fields)


def write(emulator: Emulator, token: Token, brand_id: str, call: Call) -> dict[str, Any]:
    """Request a creator's permission (a repeat returns the same ID), or revoke it."""
    authorize(token, brand_id)
    emulator.usage.spend(brand_id, PERMISSIONS, "POST")
    params = call.params
    account = params.get("creator_instagram_account", "")
    username = params.get("creator_instagram_username", "")
    revoke = flag(params, "revoke")
    if bool(account) == bool(username):
        raise invalid_parameter(
            "Exactly one of creator_instagram_account and creator_instagram_username is required"
        )
    if revoke and not account:
        raise invalid_parameter("creator_instagram_account is required to revoke a permission")
    store = emulator.store
    creator = _creator(store, account, username)
    existing = store.permission_between(brand_id, creator.id)
    if revoke:
        if existing is None or existing.status.upper() == REVOKED:
            raise invalid_parameter(
                f"Creator {creator.id} has no permission with this brand that can be revoked"
            )
        existing.status = REVOKED
    elif existing is None:
        existing = store.add_permission(brand_id, creator.id, PENDING)
    elif existing.status.upper() == REVOKED:
        existing.status = PENDING
    return {"id": existing.id}


def authorize(token: Token, brand_id: str) -> None:
    """Code 10 unless the token has `instagram_branded_content_ads_brand` on the brand."""
    if not token.manages(brand_id):
        raise not_permitted()


def _of(store: Store, brand_id: str, username: str) -> Timeline[Permission]:
    """The brand's permission from the creator with that username, as a list of one or none."""
    listed: Timeline[Permission] = Timeline()
    creator = store.creator_named(username)
    permission = None if creator is None else store.permission_between(brand_id, creator.id)
    if permission is not None:
        listed.add(permission.key, permission)
    return listed


def _creator(store: Store, account: str, username: str) -> Creator:
    creator = store.creators.get(account) if account else store.creator_named(username)
    if creator is None:
        raise unknown_creator(account or username)
    return creator


def _render(store: Store, permission: Permission, fields: tuple[str, ...]) -> dict[str, Any]:
    creator = store.creators[permission.creator_id]
    values: dict[str, Any] = {
        "id": permission.id,
        "creator_id": creator.id,
        "creator_ig_id": creator.id,
        "creator_username": creator.username,
        "creator_fb_page": creator.facebook_page_id,
        "brand_ig_user": {"id": permission.brand_id},
        "permission_status": permission.status,
        "status": permission.status,
        "permission_type": permission.permission_type,
    }
    return {name: values[name] for name in fields if values[name] is not None}
