"""What the console's pages share: rendering in the viewer's language, posted forms turned into
domain data, labels, Brussels times.

Handlers live in `console.py` and `staff_auth.py`; this module holds what they and the templates
share.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp import web
from babel.dates import format_datetime
from multidict import MultiDictProxy

from alerts.cases.consent import DEFAULT_LEVEL
from alerts.cases.fields import TEXT_LIMITS
from alerts.cases.models import Case, CaseKind, Consent
from alerts.i18n import BRUSSELS, LANGUAGES, language, language_name
from alerts.web import keys

# Staff type local times; the hotline works in Belgium.
NUMBER_FIELDS = ("age", "height_cm", "last_seen_lat", "last_seen_lon", "search_radius_km")
CONSENT_FIELDS = (
    "given_by", "relation", "given_at", "valid_until", "level", "photo", "name_mode",
    "place_precision", "forwarding",
)  # fmt: skip
Form = MultiDictProxy[Any]


def N_(message: str) -> str:
    """Mark `message` for extraction; it is translated where it is shown."""
    return message


@dataclass(frozen=True, kw_only=True)
class Problem:
    """What went wrong with one form of a page, translated, to show next to the field."""

    form: str
    message: str
    field: str | None = None


LABELS: Mapping[str, Mapping[str, str]] = {
    "kind": {
        "runaway": N_("Runaway"),
        "parental_abduction": N_("Parental abduction"),
        "third_party_abduction": N_("Abduction by a third party"),
        "lost_injured": N_("Lost or injured"),
        "unaccompanied_minor": N_("Unaccompanied migrant minor"),
    },
    "state": {
        "draft": N_("Draft"),
        "pending_approval": N_("Waiting for approval"),
        "active": N_("Active"),
        "closed": N_("Closed"),
    },
    "sex": {"female": N_("Female"), "male": N_("Male"), "other": N_("Other")},
    "level": {
        "0": N_("0 – Internal: nobody outside the organisation"),
        "1": N_(
            "1 – Discreet: direct messages to opted-in volunteers near the last-seen place; "
            "they cannot be forwarded"
        ),
        "2": N_(
            "2 – Regional: also regional channels, printable posters and the public case page "
            "(not indexed by search engines)"
        ),
        "3": N_("3 – Public: also the press, social media, feeds and partner systems"),
    },
    "name_mode": {
        "full": N_("Full name"),
        "first": N_("First name only"),
        "none": N_("No name"),
    },
    "photo": {"true": N_("The photo may be shown"), "false": N_("No photo")},
    "forwarding": {
        "true": N_("Messages may be forwarded"),
        "false": N_("Messages may not be forwarded"),
    },
    "place_precision": {
        "exact": N_("Exact place"),
        "municipality": N_("Municipality only"),
        "province": N_("Province only"),
    },
    "close_reason": {
        "found_safe": N_("Found safe"),
        "found_other": N_("Found (other outcome)"),
        "consent_withdrawn": N_("Consent withdrawn"),
        "authority_ended": N_("Ended by the police or the prosecutor"),
        "unfounded": N_("Unfounded: the child was not missing"),
    },
    "done": {
        "created": N_("The draft was created."),
        "saved": N_("The changes were saved."),
        "saved_draft": N_(
            "The changes were saved. The case is a draft again: submit it for approval again."
        ),
        "revised": N_("The changes were saved as a new revision."),
        "photo": N_("The photo was added."),
        "consent": N_("The consent was recorded."),
        "submitted": N_("The case was submitted for approval."),
        "returned": N_("The case was sent back to draft."),
        "approved": N_("The case was approved and is now active."),
        "closed": N_("The case was closed. Everything published is being withdrawn."),
        "proposed": N_(
            "The change would show more than is published now: it waits for a second staff "
            "member with an approver role. Nothing published has changed."
        ),
        "proposal_approved": N_("The change was approved and published."),
        "proposal_rejected": N_("The proposed change was rejected."),
        "renewed": N_("The level was renewed."),
    },
    "proposal_kind": {
        "fields": N_("Edit of the case"),
        "consent": N_("New consent"),
        "photo": N_("New photo"),
        "renewal": N_("Renewal of the level"),
    },
    "action": {
        "login": N_("Logged in"),
        "logout": N_("Logged out"),
        "login_failed": N_("Failed login"),
        "reauth_failed": N_("Wrong password when confirming"),
        "case_created": N_("Case created"),
        "case_edited": N_("Draft edited"),
        "case_revised": N_("New revision"),
        "photo_added": N_("Photo added"),
        "consent_recorded": N_("Consent recorded"),
        "case_submitted": N_("Submitted for approval"),
        "case_returned": N_("Sent back to draft"),
        "case_approved": N_("Approved"),
        "case_closed": N_("Closed"),
        "case_purged": N_("Personal data purged"),
        "consent_revoked": N_("Consent revoked"),
        "consent_scope_enforced": N_("Withdrawn what the consent no longer allows"),
        "manual_removal_confirmed": N_("Removal by hand confirmed"),
        "social_post_recorded": N_("Social network post recorded"),
        "partner_webhook_added": N_("Partner webhook added"),
        "partner_webhook_edited": N_("Partner webhook edited"),
        "partner_webhook_deactivated": N_("Partner webhook deactivated"),
        "partner_webhook_reactivated": N_("Partner webhook reactivated"),
        "partner_webhook_secret_rotated": N_("Partner webhook secret replaced"),
        "peer_added": N_("Peer hotline added"),
        "peer_deactivated": N_("Peer hotline deactivated"),
        "peer_reactivated": N_("Peer hotline reactivated"),
        "case_offered_to_peer": N_("Case offered to a peer hotline"),
        "regional_channel_added": N_("Regional channel added"),
        "regional_channel_edited": N_("Regional channel edited"),
        "regional_channel_deactivated": N_("Regional channel deactivated"),
        "regional_channel_reactivated": N_("Regional channel reactivated"),
        "regional_channel_moved": N_("Regional channel moved to its new chat"),
        "sighting_triaged": N_("Sighting triaged"),
        "sightings_exported": N_("Sightings exported"),
        "tipster_contact_read": N_("Tipster's contact read"),
        "search_created": N_("Field search organised"),
        "search_leader_set": N_("Field search: team leader changed"),
        "search_changed": N_("Field search changed"),
        "search_cancelled": N_("Field search cancelled"),
        "search_ended": N_("Field search ended"),
        "poster_round_started": N_("Poster round started"),
        "poster_place_manual": N_("Poster place marked for manual action"),
        "volunteer_contact_revealed": N_("Volunteer's contact revealed"),
        "totp_enabled": N_("TOTP turned on"),
        "totp_disabled": N_("TOTP turned off"),
        "change_proposed": N_("Change proposed"),
        "change_approved": N_("Proposed change approved"),
        "change_rejected": N_("Proposed change rejected"),
        "account_locked": N_("Account locked after failed passwords"),
        "api_token_created": N_("API token made"),
        "api_token_revoked": N_("API token revoked"),
        "level_renewed": N_("Level renewed"),
        "level_expired": N_("Level ended without renewal"),
    },
}


def render_text(request: web.Request, template: str, **context: Any) -> str:
    """The page `template` in the viewer's language, with what every page needs."""
    lang = context.pop("lang", None) or request[keys.LANG]
    session = request.get(keys.SESSION)
    settings = request.app[keys.SETTINGS]
    here = back_here(request)
    page: dict[str, Any] = {
        "lang": lang,
        "when": functools.partial(when, lang=lang),
        "labels": LABELS,
        "staff": request.get(keys.STAFF),
        "csrf_token": session.csrf_token if session else "",
        "organisation": settings.organisation(lang),
        "languages": [(code, language_name(code)) for code in LANGUAGES],
        "here": here,
    }
    with language(lang):
        return request.app[keys.TEMPLATES].get_template(template).render({**page, **context})


def back_here(request: web.Request) -> str:
    """Where a form in the header (the language switch) comes back to: this page, without its
    one-time notice; after a POST, the console's front page (the URL only answers POST)."""
    if request.method != "GET":
        return "/console"
    url = request.rel_url
    return str(url.with_query({k: v for k, v in url.query.items() if k != "done"}))


def render(
    request: web.Request, template: str, *, status: int = 200, **context: Any
) -> web.Response:
    html = render_text(request, template, **context)
    return web.Response(text=html, status=status, content_type="text/html")


def form_text(form: Form, name: str) -> str:
    """The text of field `name` ('' when absent or a file)."""
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


def to_brussels_iso(value: str) -> str:
    """A `datetime-local` value read as Brussels time, as ISO 8601 with its offset.

    Text that is not a date is passed on unchanged so the domain names the field in its error.
    """
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return value
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=BRUSSELS)
    return parsed.isoformat()


def to_local_input(value: datetime | None) -> str:
    """A time as a `datetime-local` value in Brussels time ('' for none)."""
    return value.astimezone(BRUSSELS).strftime("%Y-%m-%dT%H:%M") if value else ""


def when(value: datetime | None, lang: str) -> str:
    """A time as staff read it: Brussels time, month in words, 24-hour clock."""
    if value is None:
        return ""
    return format_datetime(value, "d MMM y, HH:mm", tzinfo=BRUSSELS, locale=lang)


def case_data(form: Form) -> dict[str, Any]:
    """The case fields of a posted case form, as `cases.create_draft`/`update` take them."""
    data: dict[str, Any] = {name: form_text(form, name) for name in TEXT_LIMITS}
    data.update({name: form_text(form, name).strip() for name in NUMBER_FIELDS})
    data["kind"] = form_text(form, "kind")
    data["sex"] = form_text(form, "sex")
    data["last_seen_at"] = to_brussels_iso(form_text(form, "last_seen_at"))
    data["languages"] = [v for v in form.getall("languages", []) if isinstance(v, str)]
    return data


def forget_stale_point(data: dict[str, Any], case: Case) -> dict[str, Any]:
    """`data` without the old map point when the place text changed but the point did not.

    The edit form shows the point found for the old place; keeping it would pin the new place
    to the old spot, so it is dropped and the new place is geocoded instead.
    """
    if data.get("last_seen_place", "").strip() == case.last_seen_place:
        return data
    if (data.get("last_seen_lat"), data.get("last_seen_lon")) != (
        coordinate(case.last_seen_lat),
        coordinate(case.last_seen_lon),
    ):
        return data
    return {**data, "last_seen_lat": "", "last_seen_lon": ""}


def coordinate(value: float | None) -> str:
    return "" if value is None else f"{value:.5f}"


def case_values(case: Case) -> dict[str, Any]:
    """The case as the edit form shows it."""
    values: dict[str, Any] = {name: getattr(case, name) for name in TEXT_LIMITS}
    for name in ("age", "height_cm", "search_radius_km"):
        value = getattr(case, name)
        values[name] = "" if value is None else f"{value:g}"
    values["last_seen_lat"] = coordinate(case.last_seen_lat)
    values["last_seen_lon"] = coordinate(case.last_seen_lon)
    values["kind"] = str(case.kind)
    values["sex"] = case.sex or ""
    values["last_seen_at"] = to_local_input(case.last_seen_at)
    values["languages"] = list(case.languages)
    return values


def new_case_values(languages: tuple[str, ...]) -> dict[str, Any]:
    """The empty new-case form, with the organisation's default languages ticked."""
    values: dict[str, Any] = {name: "" for name in (*TEXT_LIMITS, *NUMBER_FIELDS)}
    values.update(kind="", sex="", last_seen_at="", languages=list(languages))
    values["search_radius_km"] = "10"
    return values


def posted_case_values(form: Form) -> dict[str, Any]:
    """The posted case form as typed, to show it again after an error."""
    values = {name: form_text(form, name) for name in (*TEXT_LIMITS, *NUMBER_FIELDS)}
    values.update(kind=form_text(form, "kind"), sex=form_text(form, "sex"))
    values["last_seen_at"] = form_text(form, "last_seen_at")
    return {**values, "languages": [v for v in form.getall("languages", []) if isinstance(v, str)]}


def consent_data(form: Form) -> dict[str, Any]:
    """The consent fields of a posted consent form, as `cases.record_consent` takes them."""
    data: dict[str, Any] = {name: form_text(form, name) for name in CONSENT_FIELDS}
    for name in ("given_at", "valid_until"):
        data[name] = to_brussels_iso(data[name])
    return data


def consent_values(consent: Consent | None, kind: str) -> dict[str, str]:
    """The consent form: the current consent's choices, or the defaults for the case kind."""
    if consent is None:
        return {
            "given_by": "", "relation": "", "given_at": "", "valid_until": "",
            "level": str(DEFAULT_LEVEL[CaseKind(kind)]), "photo": "false", "name_mode": "none",
            "place_precision": "municipality", "forwarding": "false",
        }  # fmt: skip
    return {
        "given_by": consent.given_by,
        "relation": consent.relation,
        "given_at": to_local_input(consent.given_at),
        "valid_until": to_local_input(consent.valid_until),
        "level": str(consent.level),
        "photo": "true" if consent.photo else "false",
        "name_mode": str(consent.name_mode),
        "place_precision": str(consent.place_precision),
        "forwarding": "true" if consent.forwarding else "false",
    }


def default_level(kind: str) -> int:
    return DEFAULT_LEVEL[CaseKind(kind)]
