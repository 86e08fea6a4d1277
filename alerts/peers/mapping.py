"""A peer's alert as this service's case fields and consent: never wider than the peer allowed.

The fields come from what the peer published, which its own consent already filtered: the
name as the peer showed it (as the first name here, shown only if the peer showed a name), the
age, sex and height it showed, its description in the language this hotline reads first, the
place as its `<area>` gave it (the point already coarsened by the peer) and the onset as the
last-seen time. The case speaks every language of this hotline.

The consent (CAP `<parameter>`s written by alerts/partners/cap.py; a CAP publisher without them
gets the narrowest consent):

- the level, at most the peer's `consentLevel` (1, discreet, without one);
- the photo and forwarding only when the peer allowed them;
- the name shown (mode `first`, the name as the peer showed it) only when the peer showed one;
- the place at municipality precision, or province when the peer's area is a province's;
- valid until the peer's alert expires (an Update renews it).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from alerts.cases.consent import LEVEL_DISCREET, LEVEL_PUBLIC
from alerts.cases.models import CaseKind
from alerts.i18n import LANGUAGES, N_
from alerts.peers.messages import Info, MessageRefused, PeerMessage

SEXES = ("female", "male", "other")
NO_INFO = N_("An alert from a peer must have an info block.")


def chosen_info(message: PeerMessage) -> Info:
    """The `<info>` in the first of this hotline's languages the peer wrote, else its first."""
    if not message.infos:
        raise MessageRefused(NO_INFO)
    by_language = {info.language.split("-")[0].lower(): info for info in message.infos}
    for lang in LANGUAGES:
        if lang in by_language:
            return by_language[lang]
    return message.infos[0]


def _number(value: str | None, low: float, high: float) -> float | None:
    try:
        number = float(value) if value else None
    except ValueError:
        return None
    return number if number is not None and low <= number <= high else None


def _circle(circle: str) -> tuple[float | None, float | None, float | None]:
    try:
        point, radius = circle.split()
        lat, lon = (float(part) for part in point.split(","))
        return lat, lon, float(radius)
    except ValueError:
        return None, None, None


def fields(message: PeerMessage) -> dict[str, Any]:
    """The case fields of the peer's Alert or Update (validated later like any staff input)."""
    info = chosen_info(message)
    params = info.parameters
    kinds = {str(kind) for kind in CaseKind}
    lat, lon, radius = _circle(info.circle)
    age = _number(params.get("childAge"), 0, 25)
    height = _number(params.get("childHeightCm"), 30, 230)
    onset = info.onset or message.sent.isoformat()
    found: dict[str, Any] = {
        "kind": params.get("caseKind") if params.get("caseKind") in kinds else "runaway",
        "first_name": params.get("childName", "")[:100],
        "last_name": "",
        "age": int(age) if age is not None else None,
        "sex": params.get("childSex") if params.get("childSex") in SEXES else None,
        "height_cm": int(height) if height is not None else None,
        "description": (info.description or info.headline)[:2000],
        "last_seen_place": info.area[:300] if info.area != "—" else "",
        "last_seen_at": min(datetime.fromisoformat(onset), datetime.now(UTC)).isoformat(),
        "languages": list(LANGUAGES),
    }
    if lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180:
        found |= {"last_seen_lat": lat, "last_seen_lon": lon,
                  "search_radius_km": min(max(radius or 10.0, 0.1), 500.0)}  # fmt: skip
    return found


def consent(message: PeerMessage, peer_name: str) -> dict[str, Any]:
    """The consent the peer's message allows here, as staff would record it."""
    info = chosen_info(message)
    params = info.parameters
    level = _number(params.get("consentLevel"), 0, LEVEL_PUBLIC)
    province = any(name == "BE-province" for name in info.geocodes)
    expires = datetime.fromisoformat(info.expires) if info.expires else None
    return {
        "given_by": peer_name,
        "relation": "peer hotline",
        "given_at": min(message.sent, datetime.now(UTC)).isoformat(),
        "valid_until": expires.isoformat() if expires else None,
        "level": int(level) if level is not None else LEVEL_DISCREET,
        "photo": params.get("consentPhoto") == "true",
        "forwarding": params.get("consentForwarding") == "true",
        "name_mode": "first" if params.get("childName") else "none",
        "place_precision": "province" if province else "municipality",
    }
