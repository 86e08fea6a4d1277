"""Whether a change widens what a case publishes, told by the public views before and after.

A change of a case (its fields, its consent, a photo) is judged by what it does to the one
consent filter's output (`consent.public_view`) on every channel, not by which field it touches:
so the rule cannot drift from what is published. A change widens when, on some channel, the view
after shows something the view before did not:

- a channel that carried nothing carries the case (a higher level, a consent in force again);
- a higher level, forwarding allowed, a photo where there was none or another photo;
- a text (the name, the appearance, the description) with a word it did not have;
- the place at a finer precision, or another place;
- another age, sex, height, kind, time last seen, a larger search radius, another language.

It narrows when something is taken away: a channel, the photo, words of a text, the place made
coarser, a fact emptied, a smaller radius, a language fewer. One change can do both.

The fingerprint of a set of views is a hash of their canonical form (the photo by the SHA-256 of
its bytes): the approver approves a fingerprint, and the approval is refused when the views it
stands for changed in between.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from alerts.cases.consent import (
    CHANNEL_LEVEL,
    Coarsener,
    CoarsePlace,
    PublicPhoto,
    PublicView,
    public_view,
)
from alerts.cases.models import Case, Consent, PlacePrecision
from alerts.errors import NotPublishable

CHANNELS = tuple(CHANNEL_LEVEL)
Views = Mapping[str, PublicView | None]
# What differs between two revisions of the same content: not a change of what is shown.
_IGNORED = frozenset({"channel", "revision", "issued_at", "case_url", "hotline", "public_id"})
_TEXTS = frozenset({"name", "build", "hair", "eyes", "clothing", "marks", "description"})
# From the finest to the coarsest.
_PRECISIONS = (PlacePrecision.EXACT, PlacePrecision.MUNICIPALITY, PlacePrecision.PROVINCE)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Publicity:
    """What a case's public views are made of: its fields, its consent, its newest photo."""

    case: Case
    consent: Consent | None
    photo: PublicPhoto | None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Change:
    """One field of one channel's view that differs; `widens` False: it only takes away."""

    channel: str
    field: str
    widens: bool


def views_of(
    state: Publicity, *, now: datetime, coarsen: Coarsener, base_url: str, hotline: str
) -> dict[str, PublicView | None]:
    """The view of `state` on every channel (None where the consent does not allow it)."""
    out: dict[str, PublicView | None] = {}
    for channel in CHANNELS:
        try:
            out[channel] = public_view(
                state.case, state.consent, channel, now=now, photo=state.photo, coarsen=coarsen,
                base_url=base_url, hotline=hotline,
            )  # fmt: skip
        except NotPublishable:
            out[channel] = None
    return out


def places_of(case: Case, coarsen: Coarsener) -> tuple[CoarsePlace, ...]:
    """The case's last-seen place at each precision, the finest first."""
    return tuple(
        coarsen(case.last_seen_place, case.last_seen_lat, case.last_seen_lon, precision)
        for precision in _PRECISIONS
    )


def changes(before: Views, after: Views, places: Sequence[CoarsePlace]) -> list[Change]:
    """Every field of every channel that differs from `before` to `after`; `places` are the
    place of the case before at each precision (to tell a coarser place from another one)."""
    found: list[Change] = []
    for channel in CHANNELS:
        old, new = before.get(channel), after.get(channel)
        if old is None or new is None:
            if old is not new:
                found.append(Change(channel=channel, field="*", widens=new is not None))
            continue
        for field in dataclasses.fields(PublicView):
            if field.name in _IGNORED:
                continue
            a, b = getattr(old, field.name), getattr(new, field.name)
            if _same(a, b):
                continue
            found.append(
                Change(channel=channel, field=field.name, widens=_widens(field.name, a, b, places))
            )
    return found


def widens(before: Views, after: Views, places: Sequence[CoarsePlace]) -> bool:
    return any(change.widens for change in changes(before, after, places))


def _same(a: Any, b: Any) -> bool:
    return _canonical_value(a) == _canonical_value(b)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == () or value == []


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


def _widens(name: str, old: Any, new: Any, places: Sequence[CoarsePlace]) -> bool:
    """True when `new` (for field `name`) shows anything `old` did not."""
    if _empty(new):
        return False
    if _empty(old):
        return True
    if name in _TEXTS:
        return not _words(new) <= _words(old)
    if name in ("level", "search_radius_km", "forwarding_allowed"):
        return bool(new > old)
    if name == "languages":
        return not set(new) <= set(old)
    if name == "last_seen_place":
        return _finer_or_other(old, new, places)
    return True  # another photo, age, sex, height, kind, time: shown differently


def _finer_or_other(old: CoarsePlace, new: CoarsePlace, places: Sequence[CoarsePlace]) -> bool:
    """True unless `new` is the same place as `old` at the same or a coarser precision."""
    if not new.labels:
        return False
    known = [_canonical_value(p) for p in places]
    try:
        was, now = known.index(_canonical_value(old)), known.index(_canonical_value(new))
    except ValueError:
        return True
    return now < was


def _canonical_value(value: Any) -> Any:
    if isinstance(value, PublicPhoto):
        return {"sha256": hashlib.sha256(value.jpeg).hexdigest(), "width": value.width,
                "height": value.height}  # fmt: skip
    if isinstance(value, CoarsePlace):
        return {"labels": dict(sorted(value.labels.items())), "lat": value.lat, "lon": value.lon}
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, list | tuple):
        return [_canonical_value(v) for v in value]
    if hasattr(value, "value"):  # an enum
        return value.value
    return value


def canonical(views: Views) -> dict[str, Any]:
    """The views as plain JSON values, without what changes with every revision."""
    out: dict[str, Any] = {}
    for channel in CHANNELS:
        view = views.get(channel)
        out[channel] = None if view is None else {
            f.name: _canonical_value(getattr(view, f.name))
            for f in dataclasses.fields(PublicView)
            if f.name not in _IGNORED
        }  # fmt: skip
    return out


def fingerprint(views: Views) -> str:
    """The SHA-256 (hex) of the views' canonical form, the photo by the hash of its bytes."""
    text = json.dumps(canonical(views), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
