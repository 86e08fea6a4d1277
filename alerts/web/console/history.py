"""The audit log as sentences, in the staff member's language: "First name changed", "Consent
changed: level 2 → 3, photo allowed", "Closed: Found safe", built from each entry's details
(alerts.staff.audit), never the raw field names or Python values they are stored as.

A consent is told as what changed since the case's previous consent in the same list.
The templates call `describe` (as `describe_history`) inside the page's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from alerts.i18n import N_, current, gettext
from alerts.sightings.triage import STATUS_WORDS
from alerts.web.console.forms import LABELS, when

FIELD_NAMES: Mapping[str, str] = {
    "kind": N_("Kind of case"),
    "police_reference": N_("Police or prosecutor reference"),
    "first_name": N_("First name"),
    "last_name": N_("Last name"),
    "age": N_("Age (years)"),
    "sex": N_("Sex"),
    "height_cm": N_("Height (cm)"),
    "build": N_("Build"),
    "hair": N_("Hair"),
    "eyes": N_("Eyes"),
    "clothing": N_("Clothing"),
    "marks": N_("Distinguishing marks"),
    "description": N_("Description"),
    "last_seen_at": N_("Time last seen"),
    "last_seen_place": N_("Place last seen"),
    "last_seen_lat": N_("Latitude"),
    "last_seen_lon": N_("Longitude"),
    "search_radius_km": N_("Search radius (km)"),
    "languages": N_("Languages"),
    "photo": N_("Photo"),
    "consent": N_("Consent"),
}
PHOTO: Mapping[Any, str] = {True: N_("photo allowed"), False: N_("no photo")}
FORWARDING: Mapping[Any, str] = {True: N_("forwarding allowed"), False: N_("no forwarding")}
NAME_MODE: Mapping[Any, str] = {
    "full": N_("full name"),
    "first": N_("first name only"),
    "none": N_("no name"),
}
PLACE: Mapping[Any, str] = {
    "exact": N_("exact place"),
    "municipality": N_("municipality only"),
    "province": N_("province only"),
}
_CONSENT_KEYS = ("level", "photo", "name_mode", "place_precision", "forwarding")


def _field(name: str) -> str:
    return gettext(FIELD_NAMES[name]) if name in FIELD_NAMES else name.replace("_", " ")


def _changed(fields: Any) -> list[str]:
    names = [str(f) for f in fields] if isinstance(fields, list) else []
    if not names:
        return []
    if len(names) == 1:
        return [gettext("%(field)s changed", field=_field(names[0]))]
    return [gettext("Changed: %(fields)s", fields=", ".join(_field(n) for n in names))]


def _consent_part(key: str, value: Any, before: Any = None) -> str:
    if key == "level":
        if before is None:
            return gettext("level %(n)s", n=value)
        return gettext("level %(old)s → %(new)s", old=before, new=value)
    words: Mapping[Any, str] = {"photo": PHOTO, "forwarding": FORWARDING,
                                "name_mode": NAME_MODE, "place_precision": PLACE}[key]  # fmt: skip
    return gettext(words[value]) if value in words else str(value)


def _consent(details: Mapping[str, Any], previous: Mapping[str, Any] | None) -> list[str]:
    if previous is None:
        parts = [_consent_part(k, details[k]) for k in _CONSENT_KEYS if k in details]
        return [gettext("Consent: %(parts)s", parts=", ".join(parts))]
    parts = [
        _consent_part(k, details[k], previous.get(k) if k == "level" else None)
        for k in _CONSENT_KEYS
        if k in details and details[k] != previous.get(k)
    ]
    if not parts:
        return [gettext("Consent recorded again, unchanged")]
    return [gettext("Consent changed: %(parts)s", parts=", ".join(parts))]


def _label(group: str, value: Any) -> str:
    labels = LABELS[group]
    return gettext(labels[value]) if value in labels else str(value)


def sentences(entry: Mapping[str, Any], previous_consent: Mapping[str, Any] | None) -> list[str]:
    """What one audit entry's details say, in sentences."""
    action, d = entry["action"], entry.get("details") or {}
    if action in ("case_created",):
        names = d.get("fields") or []
        return [gettext("Filled in: %(fields)s", fields=", ".join(_field(n) for n in names))]
    if action in ("case_edited", "case_revised", "regional_channel_edited",
                  "partner_webhook_edited"):  # fmt: skip
        found = _changed(d.get("fields"))
        if action == "case_revised" and "revision" in d:
            found.insert(0, gettext("Revision %(n)s", n=d["revision"]))
        return found
    if action == "consent_recorded":
        return _consent(d, previous_consent)
    if action == "case_approved" and "level" in d:
        return [gettext("At level %(n)s", n=d["level"])]
    if action == "case_closed" and "reason" in d:
        return [_label("close_reason", d["reason"])]
    if action == "case_returned" and d.get("reason") == "changed":
        return [gettext("Changed while waiting for approval")]
    if action.startswith("change_"):
        found = [_label("proposal_kind", d["kind"])] if "kind" in d else []
        return found + _changed(d.get("fields"))
    if action == "sightings_exported":
        return [gettext("%(n)s sightings, %(format)s", n=d.get("count", 0),
                        format=str(d.get("format", "")).upper())]  # fmt: skip
    if action == "sighting_triaged":
        old, new = (STATUS_WORDS.get(d.get(k, ""), "") for k in ("previous", "status"))
        found = [gettext("Sighting %(reference)s: %(old)s → %(new)s",
                         reference=d.get("sighting", ""), old=gettext(old) if old else "–",
                         new=gettext(new) if new else "–")]  # fmt: skip
        return found + ([gettext("notes changed")] if d.get("notes_changed") else [])
    if action == "tipster_contact_read":
        return [gettext("Sightings %(references)s", references=", ".join(d.get("sightings", [])))]
    if action == "volunteer_contact_revealed":
        return [gettext("Volunteer %(name)s", name=d.get("volunteer", "")),
                gettext("Reason: %(reason)s", reason=d.get("reason", ""))]  # fmt: skip
    if action in ("social_post_recorded", "manual_removal_confirmed"):
        return [gettext("Publication no. %(n)s", n=d.get("publication", ""))]
    if action == "account_locked":
        return [gettext("For %(n)s minutes", n=d.get("minutes", ""))]
    if action == "level_renewed":
        until = d.get("until")
        return [
            gettext(
                "Level %(n)s until %(when)s",
                n=d.get("level", ""),
                when=when(datetime.fromisoformat(until), current()) if until else "–",
            )
        ]
    if action == "level_expired":
        return [gettext("Level %(n)s, now level %(to)s", n=d.get("level", ""), to=d.get("to", ""))]
    if action == "case_purged":
        total = sum(v for v in d.values() if isinstance(v, int))
        return [gettext("%(n)s records removed", n=total)]
    return _generic(d)


def _generic(details: Mapping[str, Any]) -> list[str]:
    """Any other details, as "name: value" with values in words (yes, no, lists)."""
    found = []
    for key, value in details.items():
        if key in ("photo", "fields"):
            continue
        if isinstance(value, bool):
            shown = gettext("yes") if value else gettext("no")
        elif isinstance(value, list):
            shown = ", ".join(str(v) for v in value)
        else:
            shown = str(value)
        found.append(f"{_field(key)}: {shown}")
    return found


def describe(entries: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The entries (newest first) with their `sentences`."""
    listed = [dict(e) for e in entries]
    consents: dict[Any, Mapping[str, Any]] = {}
    for entry in reversed(listed):  # oldest first, so a consent is told against the one before
        previous = consents.get(entry.get("case_id"))
        entry["sentences"] = sentences(entry, previous)
        if entry["action"] == "consent_recorded":
            consents[entry.get("case_id")] = entry.get("details") or {}
    return listed
