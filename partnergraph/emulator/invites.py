"""The `collaboration_invites` edge of an Instagram user: list pending invites, answer one."""

from typing import Any

from partnergraph.emulator.errors import invalid_parameter, not_permitted
from partnergraph.emulator.paging import list_answer
from partnergraph.emulator.state import Emulator
from partnergraph.emulator.stats import INVITES
from partnergraph.emulator.store import CREATOR, Invite, Token
from partnergraph.emulator.wire import Call, flag, required, selected_fields

NODE_TYPE = "ShadowIGUserCollaborationInvites"
FIELDS = ("media_id", "media_owner_username", "caption", "media_url")


def read(emulator: Emulator, token: Token, user_id: str, call: Call) -> dict[str, Any]:
    """A page of the user's pending invites, newest first."""
    _authorize(token, user_id)
    emulator.usage.spend(user_id, INVITES, "GET")
    fields = selected_fields(call.params, FIELDS, FIELDS, NODE_TYPE)
    store = emulator.store
    return list_answer(
        call,
        store.invites_of(user_id),
        f"{INVITES}:{user_id}",
        store.last_key,
        lambda invite: _render(invite, fields),
    )


def write(emulator: Emulator, token: Token, user_id: str, call: Call) -> dict[str, Any]:
    """Accept or decline a pending invite, which then leaves the list."""
    _authorize(token, user_id)
    emulator.usage.spend(user_id, INVITES, "POST")
    media_id = required(call.params, "media_id")
    if flag(call.params, "accept") is None:
        raise invalid_parameter("The parameter accept is required")
    if not emulator.store.answer_invite(user_id, media_id):
        raise invalid_parameter(f"Media {media_id} is not a pending collaboration invite")
    return {"success": True}


def _authorize(token: Token, user_id: str) -> None:
    if token.role != CREATOR or token.user_id != user_id:
        raise not_permitted()


def _render(invite: Invite, fields: tuple[str, ...]) -> dict[str, Any]:
    values = {
        "media_id": invite.media_id,
        "media_owner_username": invite.owner_username,
        "caption": invite.caption,
        "media_url": invite.media_url,
    }
    return {name: values[name] for name in fields}
