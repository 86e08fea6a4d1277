"""Publication levels, consent defaults, and the one consent filter: `public_view()`.

Every material that leaves the service (poster, image, text, page, feed, webhook, message) is
rendered from a `PublicView` and from nothing else, so a field the consent does not allow cannot
reach any channel (DESIGN.md invariant 3).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from alerts.cases import masking
from alerts.cases.models import Appearance, Case, CaseKind, Consent, NameMode, PlacePrecision
from alerts.errors import NotPublishable

LEVEL_INTERNAL, LEVEL_DISCREET, LEVEL_REGIONAL, LEVEL_PUBLIC = 0, 1, 2, 3

DEFAULT_LEVEL: Mapping[CaseKind, int] = {
    CaseKind.RUNAWAY: LEVEL_DISCREET,
    # Publicity often harms a parental abduction case; the case manager raises it deliberately.
    CaseKind.PARENTAL_ABDUCTION: LEVEL_INTERNAL,
    CaseKind.THIRD_PARTY_ABDUCTION: LEVEL_PUBLIC,
    CaseKind.LOST_INJURED: LEVEL_REGIONAL,
    CaseKind.UNACCOMPANIED_MINOR: LEVEL_REGIONAL,
}

# The lowest publication level at which each channel may carry the case.
CHANNEL_LEVEL: Mapping[str, int] = {
    "telegram_dm": LEVEL_DISCREET,
    "email": LEVEL_DISCREET,
    "sms": LEVEL_DISCREET,
    # The case page is reachable by its unguessable link from level 1 on (volunteers need it to
    # report a sighting); it is listed and indexable only at level 3.
    "case_page": LEVEL_DISCREET,
    "telegram_channel": LEVEL_REGIONAL,
    "poster": LEVEL_REGIONAL,
    "image": LEVEL_REGIONAL,
    "press": LEVEL_PUBLIC,
    "social": LEVEL_PUBLIC,
    "feed": LEVEL_PUBLIC,
    "webhook": LEVEL_PUBLIC,
    # Another hotline's instance the case is offered to (alerts/peers): like a regional partner.
    "peer": LEVEL_REGIONAL,
}


@dataclass(frozen=True, kw_only=True)
class CoarsePlace:
    """A place at some precision: its label in each language and its point."""

    labels: Mapping[str, str]
    lat: float | None
    lon: float | None


Coarsener = Callable[[str, float | None, float | None, PlacePrecision], CoarsePlace]


@dataclass(frozen=True, kw_only=True)
class PublicPhoto:
    public_id: str
    width: int
    height: int
    jpeg: bytes = field(repr=False)


@dataclass(frozen=True, kw_only=True)
class PublicView(Appearance):
    """What one channel may show of a case: consented fields only, nothing else."""

    channel: str
    level: int
    public_id: str
    reference: str
    revision: int
    kind: CaseKind
    name: str | None
    photo: PublicPhoto | None
    last_seen_at: datetime | None
    last_seen_place: CoarsePlace
    search_radius_km: float
    languages: tuple[str, ...]
    forwarding_allowed: bool
    case_url: str
    hotline: str
    issued_at: datetime
    # An exercise: every material says so prominently (EXERCISE, in each language).
    exercise: bool = False

    def place(self, lang: str) -> str:
        """The last-seen place in `lang`, at the consented precision."""
        labels = self.last_seen_place.labels
        return labels.get(lang) or next(iter(labels.values()), "")


def effective_level(consent: Consent | None, now: datetime) -> int:
    """The publication level in force: the consent's, or internal when there is none in force."""
    if consent is None or not consent.in_force(now):
        return LEVEL_INTERNAL
    return consent.level


def allows(consent: Consent | None, channel: str, now: datetime) -> bool:
    """True when the consent in force allows `channel` to carry the case at all."""
    if channel not in CHANNEL_LEVEL:
        raise ValueError(f"unknown channel {channel!r}")
    level = effective_level(consent, now)
    return level >= max(CHANNEL_LEVEL[channel], LEVEL_DISCREET)


def _name(case: Case, mode: NameMode) -> str | None:
    if mode is NameMode.FULL:
        return f"{case.first_name} {case.last_name}".strip() or None
    if mode is NameMode.FIRST:
        return case.first_name.strip() or None
    return None


def public_view(
    case: Case,
    consent: Consent | None,
    channel: str,
    *,
    now: datetime,
    photo: PublicPhoto | None,
    coarsen: Coarsener,
    base_url: str,
    hotline: str,
) -> PublicView:
    """The consent-filtered view of `case` for `channel`; NotPublishable when not allowed."""
    if not allows(consent, channel, now):
        raise NotPublishable()
    assert consent is not None  # allows() is False without a consent in force
    level = consent.level
    place = coarsen(
        case.last_seen_place, case.last_seen_lat, case.last_seen_lon, consent.place_precision
    )
    # Free text written by staff can carry a name or an address the consent withholds.
    withheld = masking.withheld(case, consent)

    def redact(text: str) -> str:
        return masking.mask(text, withheld, masking.case_language(case))

    return PublicView(
        channel=channel,
        level=level,
        public_id=case.public_id,
        reference=case.reference,
        revision=case.revision,
        kind=case.kind,
        name=_name(case, consent.name_mode),
        age=case.age,
        sex=case.sex,
        height_cm=case.height_cm,
        build=redact(case.build),
        hair=redact(case.hair),
        eyes=redact(case.eyes),
        clothing=redact(case.clothing),
        marks=redact(case.marks),
        description=redact(case.description),
        photo=photo if consent.photo else None,
        last_seen_at=case.last_seen_at,
        last_seen_place=place,
        search_radius_km=case.search_radius_km,
        languages=tuple(case.languages),
        # Level 1 is discreet: direct messages are never forwardable there.
        forwarding_allowed=consent.forwarding and level > LEVEL_DISCREET,
        case_url=f"{base_url.rstrip('/')}/alerts/{case.public_id}",
        hotline=hotline,
        issued_at=case.approved_at or now,
        exercise=case.exercise,
    )
