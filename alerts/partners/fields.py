"""Validation of what staff send about regional channels and partner webhooks: clear errors
naming the field, in the order of the console's forms; nothing guessed."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from alerts import errors
from alerts.geo.geocoding import GeocodingService
from alerts.i18n import LANGUAGES

NAME_MAX = 100
URL_MAX = 500
PLACE_MAX = 200
FORMATS = ("json", "cap")
NEW_CHANNEL = ("name", "chat_id", "language", "lat", "lon", "radius_km")
CHANNEL_CHANGES = ("name", "language", "lat", "lon", "radius_km", "active", "exercises")
NEW_WEBHOOK = ("name", "url", "format", "language")
WEBHOOK_CHANGES = ("name", "url", "format", "language", "active", "exercises")
# A channel or a group: its public @username, or its id (negative: Telegram gives users the
# positive ones, and a regional alert must never go to one person's private chat).
_CHAT_ID = re.compile(r"-[1-9][0-9]{0,15}|@[A-Za-z][A-Za-z0-9_]{4,31}")
_CHANNEL_LINK = re.compile(r"(?:https?://)?t\.me/([A-Za-z][A-Za-z0-9_]{4,31})/?")


def _refuse_unknown(data: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    if not isinstance(data, Mapping):
        raise errors.InvalidInput("Send a JSON object.")
    for name in data:
        if name == "chat_id" and "chat_id" not in allowed:
            raise errors.InvalidInput(
                "The chat id cannot be changed: add the new channel and deactivate this one.",
                field="chat_id",
            )
        if name not in allowed:
            raise errors.InvalidInput("Unknown field.", field=str(name))


def _has_control(text: str) -> bool:
    """True when `text` holds a control character or half of a surrogate pair (which JSON
    allows and PostgreSQL refuses)."""
    return any(unicodedata.category(c) in ("Cc", "Cs") for c in text)


def _name(value: Any) -> str:
    if value is not None and not isinstance(value, str):
        raise errors.InvalidInput("Must be text.", field="name")
    name = (value or "").strip()
    if not name:
        raise errors.InvalidInput("Give a name.", field="name")
    if len(name) > NAME_MAX:
        raise errors.InvalidInput("At most 100 characters.", field="name")
    if _has_control(name):
        raise errors.InvalidInput("Contains control characters.", field="name")
    return name


def _chat_id(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    text = value.strip() if isinstance(value, str) else ""
    if link := _CHANNEL_LINK.fullmatch(text):
        text = f"@{link[1]}"
    if not _CHAT_ID.fullmatch(text):
        raise errors.InvalidInput(
            "Give the channel's @username, or its numeric id, which starts with a minus sign "
            "(such as -1001234567890).",
            field="chat_id",
        )
    # Telegram ignores the case of usernames: one channel must not be added twice.
    return text.lower()


def _language(value: Any) -> str:
    if value in (None, ""):
        raise errors.InvalidInput("Choose a language.", field="language")
    if not isinstance(value, str) or value not in LANGUAGES:
        raise errors.InvalidInput("Must be one of: nl, fr, de, en.", field="language")
    return value


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise errors.InvalidInput("Must be a number.", field=name)
    try:
        return float(value.strip().replace(",", ".") if isinstance(value, str) else value)
    except ValueError:
        raise errors.InvalidInput("Must be a number.", field=name) from None


def _centre(data: Mapping[str, Any]) -> dict[str, float]:
    has_lat, has_lon = (data.get(k) not in (None, "") for k in ("lat", "lon"))
    if not has_lat and not has_lon:
        raise errors.InvalidInput(
            "Give the centre: a municipality or postcode, or its latitude and longitude.",
            field="place",
        )
    if not has_lat or not has_lon:
        raise errors.InvalidInput(
            "Give both the latitude and the longitude.", field="lon" if has_lat else "lat"
        )
    lat, lon = _number(data["lat"], "lat"), _number(data["lon"], "lon")
    if not -90 <= lat <= 90:  # NaN fails too
        raise errors.InvalidInput("Must be between -90 and 90.", field="lat")
    if not -180 <= lon <= 180:
        raise errors.InvalidInput("Must be between -180 and 180.", field="lon")
    return {"lat": lat, "lon": lon}


def _radius(value: Any) -> float:
    if value in (None, ""):
        raise errors.InvalidInput("Give the radius in kilometres.", field="radius_km")
    radius = _number(value, "radius_km")
    if not 0.1 <= radius <= 500:
        raise errors.InvalidInput("Must be between 0.1 and 500.", field="radius_km")
    return radius


def _active(value: Any, field: str = "active") -> bool:
    if value in (True, "true"):
        return True
    if value in (False, "false"):
        return False
    raise errors.InvalidInput("Must be true or false.", field=field)


def _url(value: Any) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if len(text) > URL_MAX:
        raise errors.InvalidInput("At most 500 characters.", field="url")
    try:
        parts = urlsplit(text)
        ok = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
        ok = ok and parts.port != 0 and not _has_control(text) and " " not in text
    except ValueError:  # a port out of range, a broken IPv6 address
        ok = False
    if not ok:
        raise errors.InvalidInput(
            "Give the partner's address, starting with https:// (or http://).", field="url"
        )
    return text[: len(parts.scheme)].lower() + text[len(parts.scheme) :]


def _format(value: Any) -> str:
    if not isinstance(value, str) or value not in FORMATS:
        raise errors.InvalidInput("Must be one of: json, cap.", field="format")
    return value


def parse_channel(data: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
    """The validated fields of a regional channel in `data`: all of them when `creating`, else
    those present. InvalidInput names the first wrong field, in the order of the form."""
    _refuse_unknown(data, NEW_CHANNEL if creating else CHANNEL_CHANGES)
    fields: dict[str, Any] = {}
    if creating or "name" in data:
        fields["name"] = _name(data.get("name"))
    if creating:
        fields["chat_id"] = _chat_id(data.get("chat_id"))
    if creating or "language" in data:
        fields["language"] = _language(data.get("language"))
    if creating or "lat" in data or "lon" in data:
        fields.update(_centre(data))
    if creating or "radius_km" in data:
        fields["radius_km"] = _radius(data.get("radius_km"))
    if "active" in data:
        fields["active"] = _active(data["active"])
    if "exercises" in data:  # whether it takes exercise cases too (off by default)
        fields["exercises"] = _active(data["exercises"], "exercises")
    return fields


def parse_webhook(data: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
    """The validated fields of a partner webhook in `data`, as `parse_channel`; a new webhook's
    language is English unless given."""
    _refuse_unknown(data, NEW_WEBHOOK if creating else WEBHOOK_CHANGES)
    fields: dict[str, Any] = {}
    if creating or "name" in data:
        fields["name"] = _name(data.get("name"))
    if creating or "url" in data:
        fields["url"] = _url(data.get("url"))
    if creating or "format" in data:
        fields["format"] = _format(data.get("format"))
    if creating or "language" in data:
        fields["language"] = _language(data.get("language", "en"))
    if "active" in data:
        fields["active"] = _active(data["active"])
    if "exercises" in data:  # whether it takes exercise cases too (off by default)
        fields["exercises"] = _active(data["exercises"], "exercises")
    return fields


async def locate_centre(geocoder: GeocodingService, data: Mapping[str, Any]) -> dict[str, Any]:
    """`data` without its `place` (a municipality or postcode): when one was given, its point
    is the centre (`lat`, `lon`), whatever coordinates came with it."""
    rest = {k: v for k, v in data.items() if k != "place"}
    place = data.get("place")
    if place is None or place == "":
        return rest
    if not isinstance(place, str):
        raise errors.InvalidInput("Must be text.", field="place")
    if len(place) > PLACE_MAX:
        raise errors.InvalidInput("At most 200 characters.", field="place")
    if _has_control(place):
        raise errors.InvalidInput("Contains control characters.", field="place")
    if not place.strip():
        return rest
    found = await geocoder.geocode(place.strip())
    if found is None:
        raise errors.InvalidInput(
            "This place was not found. Type a Belgian municipality or postcode, or give the "
            "latitude and longitude.",
            field="place",
        )
    return {**rest, "lat": found.lat, "lon": found.lon}
