"""The consent filter: no channel ever sees a field the consent does not allow (invariant 3)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alerts import errors
from alerts.cases.consent import CHANNEL_LEVEL, DEFAULT_LEVEL, PublicPhoto, allows, public_view
from alerts.cases.models import Case, CaseKind, CaseState, Consent, NameMode, PlacePrecision
from alerts.cases.places import coarsener

NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
PHOTO = PublicPhoto(public_id="ph0t0", width=10, height=10, jpeg=b"\xff\xd8\xffjpeg")
COARSEN = coarsener()

# Distinctive values, so finding one anywhere in a view is a leak, not a coincidence.
first_names = st.text(alphabet="QXZJKW", min_size=6, max_size=12)
last_names = st.text(alphabet="qxzjkw", min_size=6, max_size=12)
places = st.sampled_from(
    [
        ("Kerkstraat 12, Lokeren", 51.1036, 3.9938),
        ("Rue de la Loi 16, Bruxelles", 50.8466, 4.3650),
        ("Carrefour Market, Arlon", 49.6921, 5.8302),
        ("Hauptstraße 5, Eupen", 50.6312, 6.0251),
    ]
)


def make_case(first: str, last: str, place: tuple[str, float, float], **extra: Any) -> Case:
    text, lat, lon = place
    return Case(
        id=1, public_id="pUbLiCiD", reference="2026-00001", state=CaseState.ACTIVE,
        kind=CaseKind.RUNAWAY, revision=1, first_name=first, last_name=last, age=13,
        sex="female", height_cm=150, build="slim", hair="brown", eyes="blue",
        clothing="green coat", marks="", description=f"{first} {last} left from {place[0]}.",
        last_seen_at=NOW,
        last_seen_place=text, last_seen_lat=lat, last_seen_lon=lon, search_radius_km=10,
        languages=["nl", "fr"], police_reference="PV-SECRET-123", created_by=1,
        submitted_by=1, approved_by=2, closed_by=None, close_reason=None, created_at=NOW,
        updated_at=NOW, submitted_at=NOW, approved_at=NOW, closed_at=None, **extra,
    )  # fmt: skip


def make_consent(**fields: Any) -> Consent:
    base: dict[str, Any] = dict(
        id=1, case_id=1, given_by="Mother", relation="parent", given_at=NOW - timedelta(hours=1),
        recorded_by=1, valid_until=None, level=3, photo=True, name_mode=NameMode.FULL,
        place_precision=PlacePrecision.EXACT, forwarding=True, revoked_at=None, created_at=NOW,
    )  # fmt: skip
    return Consent(**{**base, **fields})


def everything_in(view: object) -> str:
    """All text a renderer could take from the view, flattened."""
    parts = []
    for field in dataclasses.fields(view):  # type: ignore[arg-type]
        value = getattr(view, field.name)
        if dataclasses.is_dataclass(value):
            parts.append(everything_in(value))
        else:
            parts.append(repr(value))
    return " ".join(parts)


def view_for(case: Case, consent: Consent, channel: str) -> Any:
    return public_view(
        case, consent, channel, now=NOW, photo=PHOTO, coarsen=COARSEN,
        base_url="https://alerts.example", hotline="116 000",
    )  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(
    first=first_names,
    last=last_names,
    place=places,
    level=st.integers(0, 3),
    photo=st.booleans(),
    name_mode=st.sampled_from(NameMode),
    precision=st.sampled_from(PlacePrecision),
    forwarding=st.booleans(),
    channel=st.sampled_from(sorted(CHANNEL_LEVEL)),
)
def test_invariant_3_no_channel_sees_a_field_the_consent_forbids(
    first: str,
    last: str,
    place: tuple[str, float, float],
    level: int,
    photo: bool,
    name_mode: NameMode,
    precision: PlacePrecision,
    forwarding: bool,
    channel: str,
) -> None:
    case = make_case(first, last, place)
    consent = make_consent(
        level=level, photo=photo, name_mode=name_mode, place_precision=precision,
        forwarding=forwarding,
    )  # fmt: skip
    if level < max(CHANNEL_LEVEL[channel], 1):
        with pytest.raises(errors.NotPublishable):
            view_for(case, consent, channel)
        return
    view = view_for(case, consent, channel)
    text = everything_in(view)
    assert "PV-SECRET-123" not in text  # the police reference is never public
    assert (first in text) == (name_mode is not NameMode.NONE)
    assert (last in text) == (name_mode is NameMode.FULL)
    assert (view.photo is not None) == photo
    assert (place[0] in text) == (precision is PlacePrecision.EXACT)
    if precision is not PlacePrecision.EXACT:
        assert (view.last_seen_place.lat, view.last_seen_place.lon) != (place[1], place[2])
    assert view.forwarding_allowed == (forwarding and level >= 2)


def test_coarsened_place_names_the_municipality_or_province() -> None:
    case = make_case("Ann", "Peeters", ("Kerkstraat 12, Lokeren", 51.1036, 3.9938))
    municipality = view_for(
        case, make_consent(place_precision=PlacePrecision.MUNICIPALITY), "poster"
    )
    assert municipality.place("nl") == "Lokeren"
    province = view_for(case, make_consent(place_precision=PlacePrecision.PROVINCE), "poster")
    assert province.place("nl") == "Oost-Vlaanderen" and province.place("fr") == "Flandre-Orientale"


@pytest.mark.parametrize(
    "consent",
    [
        None,
        make_consent(revoked_at=NOW - timedelta(minutes=1)),
        make_consent(valid_until=NOW - timedelta(minutes=1)),
        make_consent(level=0),
    ],
    ids=["no consent", "revoked", "expired", "internal"],
)
def test_without_consent_in_force_nothing_is_publishable(consent: Consent | None) -> None:
    for channel in CHANNEL_LEVEL:
        assert not allows(consent, channel, NOW)


def test_levels_open_channels_step_by_step() -> None:
    open_at = {
        level: {c for c in CHANNEL_LEVEL if allows(make_consent(level=level), c, NOW)}
        for level in range(4)
    }
    assert open_at[0] == set()
    assert open_at[1] == {"telegram_dm", "email", "sms", "case_page"}
    assert open_at[2] == open_at[1] | {"telegram_channel", "poster", "image", "peer"}
    assert open_at[3] == set(CHANNEL_LEVEL)


def test_default_level_by_case_kind() -> None:
    assert DEFAULT_LEVEL[CaseKind.RUNAWAY] == 1
    assert DEFAULT_LEVEL[CaseKind.THIRD_PARTY_ABDUCTION] == 3
    assert DEFAULT_LEVEL[CaseKind.LOST_INJURED] == 2
    assert DEFAULT_LEVEL[CaseKind.UNACCOMPANIED_MINOR] == 2
    assert DEFAULT_LEVEL[CaseKind.PARENTAL_ABDUCTION] in (0, 1)


def test_withheld_names_and_address_are_removed_from_free_text() -> None:
    case = make_case("Zoë", "Van den Broeck", ("Kerkstraat 12, Lokeren", 51.1036, 3.9938))
    case = dataclasses.replace(
        case,
        description="ZOË heeft een bril. Zoëlla is haar nichtje. "
        "Gezien aan Kerkstraat 12, Lokeren.",
        marks="Tattoo 'van den broeck' on the arm",
    )
    consent = make_consent(name_mode=NameMode.NONE, place_precision=PlacePrecision.MUNICIPALITY)
    view = view_for(case, consent, "poster")
    assert view.description == (
        "[naam weggelaten] heeft een bril. Zoëlla is haar nichtje. Gezien aan [plaats weggelaten]."
    )
    assert "broeck" not in view.marks.lower()
    first_only = view_for(case, make_consent(name_mode=NameMode.FIRST), "poster")
    assert first_only.description.startswith("ZOË heeft") and "Broeck" not in first_only.marks


# Free text around what is inserted: words, numbers and punctuation in the four languages.
filler = st.text(
    alphabet=st.characters(
        whitelist_categories=("Lu", "Ll", "Nd", "Zs", "Po"), max_codepoint=0x17F
    ),
    max_size=40,
)
street_addresses = st.sampled_from(
    [
        "Veldstraat 45", "Kerkplein 3 bus 2", "Brusselsesteenweg 12/3", "Grote Markt 7",
        "rue de la Loi 16", "16, rue de la Loi", "avenue Louise 54 boîte 3", "place Flagey 7",
        "Hauptstraße 5", "Bahnhofstrasse 12a", "Kölner Straße 12", "Schillergasse 3",
        "221B Baker Street", "12 Abbey Rd.", "Baker Street 12", "4 Privet Drive",
    ]
)  # fmt: skip
separators = st.sampled_from([" ", ", ", ". ", "\n", " (", ": "])


@settings(max_examples=200, deadline=None)
@given(
    last=last_names,
    address=street_addresses,
    before=filler,
    after=filler,
    left=separators,
    right=separators,
    spelling=st.sampled_from([str, str.upper, str.title]),
    field=st.sampled_from(["description", "clothing", "marks", "hair"]),
    name_mode=st.sampled_from(NameMode),
    precision=st.sampled_from(PlacePrecision),
    channel=st.sampled_from(sorted(CHANNEL_LEVEL)),
)
def test_invariant_3_holds_for_what_staff_write_in_free_text(
    last: str,
    address: str,
    before: str,
    after: str,
    left: str,
    right: str,
    spelling: Any,
    field: str,
    name_mode: NameMode,
    precision: PlacePrecision,
    channel: str,
) -> None:
    """A street and number, or the withheld surname, written anywhere in a free-text field
    never reaches a channel below exact place and full name; at those, the text is unchanged."""
    text = f"{before}{left}{address}{right}{spelling(last)}{right}{after}"
    case = dataclasses.replace(
        make_case("Ann", last, ("Kerkstraat 12, Lokeren", 51.1, 3.99)), **{field: text}
    )
    consent = make_consent(level=3, name_mode=name_mode, place_precision=precision)
    shown = getattr(view_for(case, consent, channel), field)
    if precision is not PlacePrecision.EXACT:
        assert address not in shown
    if name_mode is not NameMode.FULL:
        assert last.lower() not in shown.lower()
    if precision is PlacePrecision.EXACT and name_mode is NameMode.FULL:
        assert shown == text
