"""The `branded_content_advertisable_medias` edge of a brand: the creators' medias that tag it,
each eligible for a partnership ad while the brand holds an APPROVED permission from its owner."""

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from partnergraph.emulator.errors import invalid_parameter, unknown_creator
from partnergraph.emulator.paging import list_answer
from partnergraph.emulator.permissions import authorize
from partnergraph.emulator.state import Emulator
from partnergraph.emulator.stats import MEDIAS
from partnergraph.emulator.store import Media, Store, Timeline, Token
from partnergraph.emulator.wire import Call, flag, listed, selected_fields

NODE_TYPE = "BrandedContentShadowIGMediaID"
FIELDS = (
    "id",
    "eligibility_errors",
    "has_permission_for_partnership_ad",
    "is_creator_allowlisted",
    "linked_products",
    "owner_id",
    "permalink",
    "product_suggestions",
    "recommended_campaign_objectives",
)
DEFAULT_FIELDS = (
    "id",
    "eligibility_errors",
    "has_permission_for_partnership_ad",
    "owner_id",
    "permalink",
)
"""Without `fields=`: what Meta's guide says a successful call answers."""
IS_TAGGED = "IS_TAGGED"
OWNED = "OWNED"
RELATIONSHIPS = (IS_TAGGED, OWNED)
APPROVED = "APPROVED"


def read(emulator: Emulator, token: Token, brand_id: str, call: Call) -> dict[str, Any]:
    """A page of the medias that tag the brand, newest first, narrowed as the parameters ask.

    A `media_relationship` without IS_TAGGED lists nothing (brands own no medias here), and once
    it is given `permalinks` and `ad_code` are ignored, as Meta's guide says.
    """
    authorize(token, brand_id)
    emulator.usage.spend(brand_id, MEDIAS, "GET")
    params = call.params
    fields = selected_fields(params, FIELDS, DEFAULT_FIELDS, NODE_TYPE)
    store = emulator.store
    relationships = _relationships(params)
    medias: Timeline[Media] = Timeline()
    if relationships is None or IS_TAGGED in relationships:
        medias = _tagging(store, brand_id, params, narrow=relationships is None)
    return list_answer(
        call,
        medias,
        f"{MEDIAS}:{brand_id}",
        store.last_media_key,
        lambda media: _render(store, media, fields),
    )


def _relationships(params: Mapping[str, str]) -> frozenset[str] | None:
    """`media_relationship`, each value IS_TAGGED or OWNED; None when absent."""
    values = listed(params, "media_relationship")
    if values is None:
        return None
    for index, value in enumerate(values):
        if value not in RELATIONSHIPS:
            raise invalid_parameter(
                f"Param media_relationship[{index}] must be one of {{IS_TAGGED, OWNED}} - "
                f'got "{value}"'
            )
    return frozenset(values)


def _tagging(
    store: Store, brand_id: str, params: Mapping[str, str], *, narrow: bool
) -> Timeline[Media]:
    """The medias tagging the brand that the filters keep (`narrow`: `permalinks` and `ad_code`
    too). Unfiltered it is the stored list; filtered, it costs a lookup per permalink or ad code,
    or one pass over the brand's medias (a few dozen)."""
    medias = store.medias_tagging(brand_id)
    creator_id = _creator_id(store, params.get("creator_username"))
    picked = _picked(store, params) if narrow else None
    keeps: list[Callable[[Media], bool]] = []
    if picked is not None:
        keeps.append(lambda media: media.brand_id == brand_id)
    if creator_id is not None:
        keeps.append(lambda media: media.owner_id == creator_id)
    if flag(params, "only_fetch_allowlisted"):
        keeps.append(lambda media: store.is_allowlisted(brand_id, media.owner_id))
    if flag(params, "only_fetch_recommended_content"):
        keeps.append(lambda media: bool(media.recommended_objectives))
    if not keeps:
        return medias
    candidates: Iterable[Media] = medias if picked is None else picked
    return _timeline(media for media in candidates if all(keep(media) for keep in keeps))


def _creator_id(store: Store, username: str | None) -> str | None:
    """The ID of the creator `creator_username` names; code 100 when none has that username."""
    if not username:
        return None
    creator = store.creator_named(username)
    if creator is None:
        raise unknown_creator(username)
    return creator.id


def _picked(store: Store, params: Mapping[str, str]) -> list[Media] | None:
    """The medias `permalinks` and `ad_code` name (both given: those named by both); None when
    neither is given."""
    permalinks = listed(params, "permalinks")
    picked = None
    if permalinks is not None:
        found = (store.media_at(permalink) for permalink in permalinks)
        picked = [media for media in found if media is not None]
    ad_code = params.get("ad_code")
    if ad_code:
        coded = store.media_with_ad_code(ad_code)
        candidates = [coded] if picked is None else picked
        picked = [media for media in candidates if media is not None and media is coded]
    return picked


def _timeline(medias: Iterable[Media]) -> Timeline[Media]:
    timeline: Timeline[Media] = Timeline()
    for key, media in {media.key: media for media in medias}.items():
        timeline.add(key, media)
    return timeline


def _render(store: Store, media: Media, fields: tuple[str, ...]) -> dict[str, Any]:
    permission = store.permission_between(media.brand_id, media.owner_id)
    status = None if permission is None else permission.status
    eligible = status is not None and status.upper() == APPROVED
    values: dict[str, Any] = {
        "id": media.id,
        "eligibility_errors": [] if eligible else [_ineligible(status)],
        "has_permission_for_partnership_ad": eligible,
        "is_creator_allowlisted": store.is_allowlisted(media.brand_id, media.owner_id),
        "linked_products": [],
        "owner_id": media.owner_id,
        "permalink": media.permalink,
        "product_suggestions": [],
        "recommended_campaign_objectives": list(media.recommended_objectives),
    }
    return {name: values[name] for name in fields}


def _ineligible(status: str | None) -> str:
    """Why the brand cannot boost a media, given its permission's status from the owner."""
    if status is None:
        return (
            "The brand has no partnership ad permission from the creator of this media. "
            "Request one to boost it."
        )
    return (
        f"The brand's partnership ad permission from the creator of this media is {status}, "
        "not APPROVED. The brand can boost it once the creator approves."
    )
