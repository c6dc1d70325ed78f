"""The token's user: `GET /me`, and `/me/accounts`, the Facebook Pages it manages with their IG."""

from typing import Any

from partnergraph.emulator.paging import list_answer
from partnergraph.emulator.state import Emulator
from partnergraph.emulator.stats import ACCOUNTS, ME
from partnergraph.emulator.store import Page, Store, Token
from partnergraph.emulator.wire import Call, nested_fields, selected_fields

USER_FIELDS = ("id", "name")
PAGE_FIELDS = ("id", "name", "instagram_business_account")
PAGE_DEFAULT_FIELDS = ("id", "name")
INSTAGRAM = "instagram_business_account"
INSTAGRAM_FIELDS = ("id", "username")


def me(emulator: Emulator, token: Token, user_id: str, call: Call) -> dict[str, Any]:
    """The token's user: its ID and name."""
    emulator.usage.spend(user_id, ME, "GET")
    fields = selected_fields(call.params, USER_FIELDS, USER_FIELDS, "User")
    user = emulator.store.users[user_id]
    values = {"id": user.id, "name": user.name}
    return {name: values[name] for name in fields}


def read(emulator: Emulator, token: Token, user_id: str, call: Call) -> dict[str, Any]:
    """A page of the Pages the token's user manages, in the order they were made."""
    emulator.usage.spend(user_id, ACCOUNTS, "GET")
    fields = selected_fields(call.params, PAGE_FIELDS, PAGE_DEFAULT_FIELDS, "Page")
    linked = nested_fields(call.params, INSTAGRAM, INSTAGRAM_FIELDS, ("id",), "IGUser")
    store = emulator.store
    return list_answer(
        call,
        store.pages_of(user_id),
        f"{ACCOUNTS}:{user_id}",
        store.last_key,
        lambda page: _render(store, page, fields, linked),
    )


def _render(
    store: Store, page: Page, fields: tuple[str, ...], linked: tuple[str, ...]
) -> dict[str, Any]:
    values: dict[str, Any] = {"id": page.id, "name": page.name, INSTAGRAM: None}
    account = page.instagram_account_id
    if account is not None:
        known = {"id": account, "username": store.username_of(account)}
        values[INSTAGRAM] = {name: known[name] for name in linked}
    return {name: values[name] for name in fields if values[name] is not None}
