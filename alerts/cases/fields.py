"""Validation of what staff send about a case and its consent: clear errors, nothing guessed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from alerts.cases.consent import DEFAULT_LEVEL
from alerts.cases.models import CaseKind, CloseReason, NameMode, PlacePrecision
from alerts.errors import InvalidInput
from alerts.i18n import LANGUAGES

TEXT_LIMITS = {
    "first_name": 100,
    "last_name": 100,
    "build": 200,
    "hair": 200,
    "eyes": 200,
    "clothing": 1000,
    "marks": 1000,
    "description": 2000,
    "last_seen_place": 300,
    "police_reference": 100,
}
EDITABLE = (
    *TEXT_LIMITS,
    "kind",
    "age",
    "sex",
    "height_cm",
    "last_seen_at",
    "last_seen_lat",
    "last_seen_lon",
    "search_radius_km",
    "languages",
)


def _text(name: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        if not isinstance(value, str):
            raise InvalidInput("Must be text.", field=name)
        value = value.strip()
        if len(value) > TEXT_LIMITS[name]:
            raise InvalidInput(f"At most {TEXT_LIMITS[name]} characters.", field=name)
        if any(ord(c) < 32 and c not in "\n\r\t" for c in value) or "\x00" in value:
            raise InvalidInput("Contains control characters.", field=name)
        return value

    return parse


def _number(name: str, low: float, high: float, kind: type = int) -> Callable[[Any], Any]:
    def parse(value: Any) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise InvalidInput("Must be a number.", field=name)
        try:
            number = kind(value)
        except (TypeError, ValueError):
            raise InvalidInput("Must be a number.", field=name) from None
        if number != number or not low <= number <= high:  # NaN fails the first test
            raise InvalidInput(f"Must be between {low:g} and {high:g}.", field=name)
        return number

    return parse


def _choice(name: str, allowed: type[Any]) -> Callable[[Any], Any]:
    def parse(value: Any) -> Any:
        try:
            return allowed(value)
        except (TypeError, ValueError):
            options = ", ".join(m.value for m in allowed)
            raise InvalidInput(f"Must be one of: {options}.", field=name) from None

    return parse


def parse_datetime(value: Any, name: str, *, optional: bool = True) -> datetime | None:
    """An aware datetime from ISO 8601 text (naive times are taken as UTC)."""
    if value in (None, "") and optional:
        return None
    if not isinstance(value, str):
        raise InvalidInput("Must be a date and time (ISO 8601).", field=name)
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput("Must be a date and time (ISO 8601).", field=name) from None
    if not 1900 <= parsed.year <= 2200:
        raise InvalidInput("The year is out of range.", field=name)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _sex(value: Any) -> str | None:
    if value in (None, ""):
        return None
    if value not in ("female", "male", "other"):
        raise InvalidInput("Must be one of: female, male, other.", field="sex")
    return str(value)


def _languages(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise InvalidInput("Choose at least one language.", field="languages")
    unknown = set(value) - set(LANGUAGES)
    if unknown:
        raise InvalidInput(f"Unknown language: {', '.join(sorted(unknown))}.", field="languages")
    return [lang for lang in LANGUAGES if lang in value]


PARSERS: dict[str, Callable[[Any], Any]] = {
    **{name: _text(name) for name in TEXT_LIMITS},
    "kind": _choice("kind", CaseKind),
    "age": _number("age", 0, 25),
    "sex": _sex,
    "height_cm": _number("height_cm", 30, 230),
    "last_seen_at": lambda v: parse_datetime(v, "last_seen_at"),
    "last_seen_lat": _number("last_seen_lat", -90, 90, float),
    "last_seen_lon": _number("last_seen_lon", -180, 180, float),
    "search_radius_km": _number("search_radius_km", 0.1, 500, float),
    "languages": _languages,
}


def parse_exercise(data: Mapping[str, Any]) -> bool:
    """Whether a case being created is an exercise (`exercise`: a JSON boolean, default false)."""
    value = data.get("exercise", False) if isinstance(data, Mapping) else False
    if not isinstance(value, bool):
        raise InvalidInput("exercise must be true or false.", field="exercise")
    return value


def parse_case_fields(data: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
    """The validated case fields in `data`; InvalidInput naming the first wrong field."""
    if not isinstance(data, Mapping):
        raise InvalidInput("Send a JSON object.")
    if "exercise" in data and not creating:
        raise InvalidInput(
            "A case is an exercise or a real case from its creation; that cannot be changed.",
            field="exercise",
        )
    unknown = set(data) - set(EDITABLE) - ({"exercise"} if creating else set())
    if unknown:
        raise InvalidInput(f"Unknown field: {sorted(unknown)[0]}.", field=sorted(unknown)[0])
    if creating and "kind" not in data:
        raise InvalidInput("Choose the kind of case.", field="kind")
    fields = {name: PARSERS[name](value) for name, value in data.items() if name in EDITABLE}
    one_coordinate = (fields.get("last_seen_lat") is None) != (fields.get("last_seen_lon") is None)
    if one_coordinate and ("last_seen_lat" in data or "last_seen_lon" in data):
        raise InvalidInput("Give both latitude and longitude, or neither.", field="last_seen_lat")
    if fields.get("search_radius_km", 0) is None:
        del fields["search_radius_km"]
    return fields


def parse_consent(data: Mapping[str, Any], kind: CaseKind, now: datetime) -> dict[str, Any]:
    """The validated consent record in `data`; the level defaults by the case kind."""
    if not isinstance(data, Mapping):
        raise InvalidInput("Send a JSON object.")
    allowed = {
        "given_by",
        "relation",
        "given_at",
        "valid_until",
        "level",
        "photo",
        "name_mode",
        "place_precision",
        "forwarding",
    }
    unknown = set(data) - allowed
    if unknown:
        raise InvalidInput(f"Unknown field: {sorted(unknown)[0]}.", field=sorted(unknown)[0])
    out: dict[str, Any] = {}
    for name in ("given_by", "relation"):
        value = data.get(name)
        if not isinstance(value, str) or not value.strip() or len(value) > 200:
            raise InvalidInput("Required (at most 200 characters).", field=name)
        out[name] = value.strip()
    out["given_at"] = parse_datetime(data.get("given_at"), "given_at") or now
    if out["given_at"] > now:
        raise InvalidInput("Consent cannot be given in the future.", field="given_at")
    out["valid_until"] = parse_datetime(data.get("valid_until"), "valid_until")
    if out["valid_until"] is not None and out["valid_until"] <= now:
        raise InvalidInput("The end date must be in the future.", field="valid_until")
    level = data.get("level", DEFAULT_LEVEL[kind])
    out["level"] = _number("level", 0, 3)(level)
    if out["level"] is None:
        out["level"] = DEFAULT_LEVEL[kind]
    for name in ("photo", "forwarding"):
        value = data.get(name, False)
        if value in ("on", "true", "1", 1):
            value = True
        if value in ("off", "false", "0", 0, ""):
            value = False
        if not isinstance(value, bool):
            raise InvalidInput("Must be true or false.", field=name)
        out[name] = value
    out["name_mode"] = _choice("name_mode", NameMode)(data.get("name_mode", "none"))
    out["place_precision"] = _choice("place_precision", PlacePrecision)(
        data.get("place_precision", "municipality")
    )
    return out


def parse_close_reason(value: Any) -> CloseReason:
    return _choice("reason", CloseReason)(value)
