"""A case for the poster and image tests (Zoë, 11, last seen in Gent), its consent and its
public view, and the PDF helpers the poster tests share."""

from __future__ import annotations

import io
from typing import Any

import pypdf
from PIL import Image

from alerts.cases.consent import CoarsePlace, PublicPhoto, PublicView, public_view
from alerts.cases.models import Case, CaseKind, Consent
from tests.support.factories import NOW, case_record, coarsening, consent_record
from tests.support.images import jpeg

ORGANISATION = "Child Focus — 116 000"
EXACT_PLACE = "Kerkstraat 12, 9000 Gent"
COARSE = {"nl": "Gent", "fr": "Gand", "de": "Gent", "en": "Ghent"}
PROVINCE = {"nl": "Oost-Vlaanderen", "fr": "Flandre-Orientale", "de": "Ostflandern"}


# --- factory -------------------------------------------------------------------------------

ZOE: dict[str, Any] = {
    "id": 7,
    "public_id": "pQ7xW2rLk9TzB4mN",
    "reference": "CF-2026-0042",
    "kind": CaseKind.LOST_INJURED,
    "first_name": "Zoë",
    "last_name": "Van Damme-Ødegård",
    "age": 11,
    "sex": "f",
    "height_cm": 146,
    "build": "tenger",
    "hair": "kort, rood, krullend",
    "eyes": "groen",
    "clothing": "gele regenjas, blauwe jeans, roze laarzen",
    "marks": "moedervlek op de linkerhand",
    "description": "Heeft een bril en een grijze knuffel bij zich.",
    "last_seen_place": EXACT_PLACE,
    "last_seen_lat": 51.05,
    "last_seen_lon": 3.72,
    "search_radius_km": 12.0,
    "languages": ["nl", "fr"],
    "police_reference": "GE.12.L3.000042/26",
}


def make_case(**overrides: Any) -> Case:
    return case_record(**{**ZOE, **overrides})


def make_consent(**overrides: Any) -> Consent:
    return consent_record(
        **{"id": 3, "case_id": 7, "given_by": "Mother", "photo": True, **overrides}
    )


coarsen = coarsening(
    municipality=CoarsePlace(labels=COARSE, lat=51.05, lon=3.72),
    province=CoarsePlace(labels=PROVINCE, lat=51.0, lon=3.8),
)


def make_view(
    channel: str = "poster",
    *,
    case: Case | None = None,
    consent: Consent | None = None,
    photo: bytes | None = None,
) -> PublicView:
    data = jpeg(600, 800) if photo is None else photo
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
    return public_view(
        case or make_case(),
        consent or make_consent(),
        channel,
        now=NOW,
        photo=PublicPhoto(public_id="ph-1", width=width, height=height, jpeg=data),
        coarsen=coarsen,
        base_url="https://alerts.example.be",
        hotline="116 000",
    )


def squash(text: str) -> str:
    """Text without any whitespace: wrapping may break a value over lines anywhere."""
    return "".join(text.split())


def pdf_text(pdf: bytes) -> str:
    return pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
