"""CAP 1.2 messages of a case (OASIS Common Alerting Protocol), the one builder for every channel.

A case's messages form one chain: `Alert` for the first revision published on a CAP channel,
`Update` for each later one (referencing every earlier message), `Cancel` when the case closes or
its consent stops allowing the channel. Identifiers are made of the case's public id and the
revision, never of internal ids. A Cancel carries no `<info>`: no name, no photo, no outcome.

The content of an Alert or Update comes from the channel's `PublicView` only:

- one `<info>` per case language (`nl-BE`, `fr-BE`, `de-BE`, `en`), the words of the posters;
- categories Rescue and Safety, event "Missing child", urgency Immediate, severity Severe,
  certainty Observed (CAP: "determined to have occurred or to be ongoing"; the OASIS AMBER
  example uses Likely for a suspected abduction, but a missing child reported with a police
  reference is a fact), response type Monitor (watch out and report, as the instruction says);
- `onset` the last sighting, `web` the case page, `contact` the hotline, the square image of the
  language as `resource`;
- `expires` (the `sent` plus CAP_EXPIRES_HOURS), `senderName` the organisation;
- `<parameter>`s a peer hotline maps to its own consent and fields (alerts/peers/mapping.py):
  the consent's level, photo and forwarding as the view shows them, the kind, and the facts
  the view shows already (name as consented, age, sex, height);
- `<area>`: the place at the consented precision, as a `<polygon>` (a closed ring of
  POLYGON_POINTS points approximating the circle) and a `<circle>` "lat,lon radius_km" around the
  last-seen point as the consent coarsened it and the search radius, and a `<geocode>`: the
  Belgian postcode of the municipality (valueName `postalCode`) at municipality or exact
  precision, or the province's code (valueName `BE-province`) at province precision. The offline
  gazetteer (alerts/geo/data) has postcodes and province codes, no NIS/INS codes, so no NIS code.

A Cancel carries one `<info>` per case language with a neutral text only: the event, "Alert
withdrawn", urgency Past, the service's address and the hotline; no name, photo, description or
place. Each message is made once and stored (alerts/partners/cap_store.py).
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET  # noqa: S405 - builds XML, never parses any
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from urllib.parse import urlsplit

from alerts.cases.consent import LEVEL_REGIONAL, CoarsePlace, PublicView
from alerts.geo.gazetteer import default_gazetteer
from alerts.i18n import BRUSSELS, gettext, language
from alerts.posters.labels import CALL, COLON, SEEN_QUESTION, facts, headline_word

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
CAP_LANGUAGES = {"nl": "nl-BE", "fr": "fr-BE", "de": "de-BE", "en": "en"}
MsgType = Literal["Alert", "Update"]
POLYGON_POINTS = 16
KM_PER_DEGREE = 111.32

ET.register_namespace("cap", CAP_NS)


@dataclass(frozen=True, kw_only=True)
class CapRef:
    """An earlier message of the chain, as CAP references it: sender, identifier, sent."""

    sender: str
    identifier: str
    sent: datetime

    def text(self) -> str:
        return f"{self.sender},{self.identifier},{cap_time(self.sent)}"


def cap_time(moment: datetime) -> str:
    """A CAP dateTime: seconds, Brussels time with its offset (CAP forbids 'Z')."""
    return moment.astimezone(BRUSSELS).replace(microsecond=0).isoformat()


def sender_for(base_url: str) -> str:
    """The CAP sender: the host name of the service's public address."""
    return urlsplit(base_url).hostname or "localhost"


def message_id(public_id: str, revision: int, period: int = 1) -> str:
    """The identifier of the Alert or Update of one revision (in the level's `period`: a
    renewal is an Update with the new `expires`, alerts.cases.levels)."""
    return f"{public_id}.{revision}" if period == 1 else f"{public_id}.{revision}.{period}"


def cancel_id(public_id: str) -> str:
    """The identifier of the Cancel that ends a case's chain."""
    return f"{public_id}.cancel"


def _tag(name: str) -> str:
    return f"{{{CAP_NS}}}{name}"


def _add(parent: ET.Element, name: str, value: str | None) -> None:
    if value:
        ET.SubElement(parent, _tag(name)).text = value


def _header(
    identifier: str,
    sender: str,
    sent: datetime,
    msg_type: str,
    references: Sequence[CapRef],
    *,
    exercise: bool,
) -> ET.Element:
    alert = ET.Element(_tag("alert"))
    _add(alert, "identifier", identifier)
    _add(alert, "sender", sender)
    _add(alert, "sent", cap_time(sent))
    # CAP 1.2: "Exercise" - only for the designated participants; never acted on as real.
    _add(alert, "status", "Exercise" if exercise else "Actual")
    _add(alert, "msgType", msg_type)
    _add(alert, "scope", "Public")
    _add(alert, "references", " ".join(ref.text() for ref in references))
    return alert


def cap_alert(
    view: PublicView,
    msg_type: MsgType,
    references: Sequence[CapRef],
    sent: datetime,
    *,
    expires: datetime,
    sender_name: str | Mapping[str, str] = "",
    period: int = 1,
) -> ET.Element:
    """The CAP `<alert>` of the view's revision: an Alert, or an Update of `references`."""
    if msg_type == "Update" and not references:
        raise ValueError("an Update must reference the earlier messages")
    sender = sender_for(view.case_url)
    identifier = message_id(view.public_id, view.revision, period)
    alert = _header(identifier, sender, sent, msg_type, references, exercise=view.exercise)
    for lang in view.languages:
        if lang in CAP_LANGUAGES:
            alert.append(_info(view, lang, _name_in(sender_name, lang), expires))
    return alert


def cap_cancel(
    public_id: str,
    references: Sequence[CapRef],
    sent: datetime,
    *,
    sender: str,
    languages: Sequence[str],
    expires: datetime,
    sender_name: str | Mapping[str, str],
    web: str,
    contact: str,
    exercise: bool,
) -> ET.Element:
    """The CAP Cancel of a case's chain: one neutral `<info>` per language, nothing of the child."""
    if not references:
        raise ValueError("a Cancel must reference the messages it cancels")
    alert = _header(cancel_id(public_id), sender, sent, "Cancel", references, exercise=exercise)
    for lang in languages:
        if lang not in CAP_LANGUAGES:
            continue
        info = ET.SubElement(alert, _tag("info"))
        _add(info, "language", CAP_LANGUAGES[lang])
        for category in ("Rescue", "Safety"):
            _add(info, "category", category)
        with language(lang):
            _add(info, "event", gettext("Missing child"))
            headline_text = gettext("Alert withdrawn")
        _add(info, "responseType", "AllClear")
        for name, value in (("urgency", "Past"), ("severity", "Unknown"), ("certainty", "Unknown")):
            _add(info, name, value)
        _add(info, "expires", cap_time(expires))
        _add(info, "senderName", _name_in(sender_name, lang))
        _add(info, "headline", headline_text)
        _add(info, "web", web)
        _add(info, "contact", contact)
    return alert


def _name_in(names: str | Mapping[str, str], lang: str) -> str:
    return names if isinstance(names, str) else names.get(lang, "")


def _info(view: PublicView, lang: str, sender_name: str, expires: datetime) -> ET.Element:
    info = ET.Element(_tag("info"))
    _add(info, "language", CAP_LANGUAGES[lang])
    for category in ("Rescue", "Safety"):
        _add(info, "category", category)
    with language(lang):
        _add(info, "event", gettext("Missing child"))
    _add(info, "responseType", "Monitor")
    for name, value in (
        ("urgency", "Immediate"),
        ("severity", "Severe"),
        ("certainty", "Observed"),
    ):
        _add(info, name, value)
    if view.last_seen_at is not None:
        _add(info, "onset", cap_time(view.last_seen_at))
    _add(info, "expires", cap_time(expires))
    _add(info, "senderName", sender_name)
    _add(info, "headline", headline(view, lang))
    with language(lang):
        colon = gettext(COLON)
        instruction = f"{gettext(SEEN_QUESTION)} {gettext(CALL, hotline=view.hotline)}"
    _add(
        info, "description", "\n".join(f"{f.label}{colon} {f.value}" for f in facts(view, (lang,)))
    )
    _add(info, "instruction", instruction)
    _add(info, "web", view.case_url)
    _add(info, "contact", view.hotline)
    _parameters(info, view)
    if view.level >= LEVEL_REGIONAL:  # the images exist from the regional level on
        _image(info, view, lang)
    _area(info, view, lang)
    return info


def parameters(view: PublicView) -> list[tuple[str, str]]:
    """What a peer hotline maps to its own consent and fields (alerts/peers): the consent's level,
    photo and forwarding as this view shows them, the kind, and the facts the view already shows
    (the name as consented, age, sex, height). Nothing the view withholds."""
    found = [
        ("consentLevel", str(view.level)),
        ("consentPhoto", "true" if view.photo is not None else "false"),
        ("consentForwarding", "true" if view.forwarding_allowed else "false"),
        ("caseKind", str(view.kind)),
    ]
    for name, value in (("childName", view.name), ("childAge", view.age),
                        ("childSex", view.sex), ("childHeightCm", view.height_cm)):  # fmt: skip
        if value not in (None, ""):
            found.append((name, str(value)))
    return found


def _parameters(info: ET.Element, view: PublicView) -> None:
    for name, value in parameters(view):
        parameter = ET.SubElement(info, _tag("parameter"))
        _add(parameter, "valueName", name)
        _add(parameter, "value", value)


def _image(info: ET.Element, view: PublicView, lang: str) -> None:
    resource = ET.SubElement(info, _tag("resource"))
    _add(resource, "resourceDesc", "Image")
    _add(resource, "mimeType", "image/png")
    _add(resource, "uri", f"{view.case_url}/square-{lang}.png")


def headline(view: PublicView, lang: str) -> str:
    """'VERMIST: Lotte, 14 jaar' — the headline word, the name if consented, the age."""
    found = {f.key: f.value for f in facts(view, (lang,)) if f.key == "age"}
    subject = ", ".join(part for part in (view.name, found.get("age")) if part)
    with language(lang):
        word, colon = headline_word(view), gettext(COLON)
    return f"{word}{colon} {subject}" if subject else word


def _area(info: ET.Element, view: PublicView, lang: str) -> None:
    place = view.last_seen_place
    description = view.place(lang)
    if not description and place.lat is None:
        return
    area = ET.SubElement(info, _tag("area"))
    _add(area, "areaDesc", description or "—")
    if place.lat is not None and place.lon is not None:
        _add(area, "polygon", polygon(place.lat, place.lon, view.search_radius_km))
        _add(area, "circle", f"{place.lat:.4f},{place.lon:.4f} {view.search_radius_km:g}")
        for name, value in geocodes(place):
            geocode = ET.SubElement(area, _tag("geocode"))
            _add(geocode, "valueName", name)
            _add(geocode, "value", value)


def polygon(lat: float, lon: float, radius_km: float) -> str:
    """A closed ring of POLYGON_POINTS points on the circle (the first repeated as the last)."""
    radius = max(radius_km, 0.1)
    dlat = radius / KM_PER_DEGREE
    dlon = radius / (KM_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
    ring = []
    for k in range(POLYGON_POINTS):
        angle = 2 * math.pi * k / POLYGON_POINTS
        ring.append(f"{lat + dlat * math.sin(angle):.4f},{lon + dlon * math.cos(angle):.4f}")
    return " ".join([*ring, ring[0]])


def geocodes(place: CoarsePlace) -> list[tuple[str, str]]:
    """What the offline gazetteer says of the point: its province's code when the point is a
    province's centre (province precision), else its municipality's postcode."""
    if place.lat is None or place.lon is None:
        return []
    gazetteer = default_gazetteer()
    point = (round(place.lat, 4), round(place.lon, 4))
    for code in sorted({municipality.province for municipality in gazetteer.places}):
        province = gazetteer.province(code)
        if (round(province.lat, 4), round(province.lon, 4)) == point:
            return [("BE-province", province.code)]
    return [("postalCode", gazetteer.nearest(place.lat, place.lon).postcode)]


def to_xml(alert: ET.Element) -> bytes:
    """One CAP message as a document of its own."""
    return ET.tostring(alert, encoding="utf-8", xml_declaration=True, default_namespace=CAP_NS)
