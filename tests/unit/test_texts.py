"""Channel texts: consented fields only, the case URL and hotline always, every limit kept."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alerts.cases.consent import CoarsePlace, PublicView, public_view
from alerts.cases.models import Case, CaseKind, Consent, NameMode, PlacePrecision
from alerts.i18n import gettext, in_language, language, pgettext
from alerts.posters.labels import format_age, format_when
from alerts.publication.texts import KINDS, RenderedText, render_text, sms_length, x_length
from tests.support.factories import LAST_SEEN, NOW, case_record, coarsening, consent_record

LANGS = ("nl", "fr", "de", "en")
HOTLINE = "116 000"
ROOMY = ("telegram_message", "facebook", "instagram", "email")


# --- factory -------------------------------------------------------------------------------

LOTTE: dict[str, Any] = {
    "id": 9,
    "public_id": "tX4vB8nQ2mK7pL5r",
    "reference": "CF-2026-0099",
    "kind": CaseKind.RUNAWAY,
    "revision": 2,
    "first_name": "Lotte",
    "last_name": "Vermeulen",
    "age": 14,
    "sex": "f",
    "height_cm": 162,
    "build": "slank",
    "hair": "lang, donkerblond",
    "eyes": "groen",
    "clothing": "rode regenjas, zwarte jeans",
    "marks": "klein litteken boven de linkerwenkbrauw",
    "description": "Vertrok na school met een blauwe rugzak.",
    "last_seen_place": "Station Gent-Sint-Pieters",
    "last_seen_lat": 51.0357,
    "last_seen_lon": 3.7103,
    "search_radius_km": 15.0,
    "languages": ["nl"],
    "police_reference": "GE.12.L3.012345/26",
}


def make_case(**overrides: Any) -> Case:
    return case_record(**{**LOTTE, **overrides})


def make_consent(**overrides: Any) -> Consent:
    return consent_record(
        **{"id": 4, "case_id": 9, "given_by": "Father", "photo": False, **overrides}
    )


coarsen = coarsening(
    municipality=CoarsePlace(labels={"nl": "Gent", "fr": "Gand", "en": "Ghent"}, lat=51, lon=3.7),
    province=CoarsePlace(
        labels={"nl": "Oost-Vlaanderen", "fr": "Flandre-Orientale"}, lat=51, lon=4
    ),
)


def make_view(
    case: Case | None = None,
    consent: Consent | None = None,
    *,
    base_url: str = "https://alerts.example.be",
) -> PublicView:
    return public_view(
        case or make_case(),
        consent or make_consent(),
        "telegram_dm",
        now=NOW,
        photo=None,
        coarsen=coarsen,
        base_url=base_url,
        hotline=HOTLINE,
    )


# --- helpers -------------------------------------------------------------------------------


def visible(out: RenderedText) -> str:
    """Everything a reader of the text sees, tags removed and entities decoded."""
    parts = [out.text, out.subject or "", out.html or ""]
    return html.unescape(re.sub(r"<[^>]+>", " ", "\n".join(parts)))


def squash(text: str) -> str:
    return "".join(text.split())


def within_limit(out: RenderedText) -> bool:
    utf16 = len(out.text.encode("utf-16-le")) // 2
    if out.kind == "sms":
        encoding, units = sms_length(out.text)
        return units <= (160 if encoding == "gsm7" else 70)
    limits = {"telegram_message": 4096, "telegram_caption": 1024, "instagram": 2200}
    if out.kind in limits:
        return utf16 <= limits[out.kind]
    if out.kind == "x":
        return x_length(out.text) <= 280
    if out.kind == "email":
        return out.subject is not None and len(out.subject) <= 150 and out.html is not None
    return utf16 <= 63206


# --- strategies ----------------------------------------------------------------------------

LETTERS = "abcdefghijklmnopqrstuvwxyzàâçéèêëîïôöùûüÿñøåæœß"
words = st.text(alphabet=LETTERS, min_size=1, max_size=10)


@st.composite
def cases(draw: st.DrawFn) -> Case:
    # Markers no label contains make "absent" checks meaningful.
    def field(marker: str, count: int) -> str:
        return marker + " ".join(draw(st.lists(words, min_size=1, max_size=count)))

    return make_case(
        first_name=field("Qf", 2),
        last_name=field("Ql", 2),
        age=draw(st.none() | st.integers(min_value=1, max_value=17)),
        hair=field("Qh", 3),
        clothing=field("Qc", 6),
        marks=draw(st.sampled_from(["", "Qm tattoo"])),
        description=field("Qd", 30),
        last_seen_at=draw(st.none() | st.just(LAST_SEEN)),
        last_seen_place="Qp " + draw(words),
    )


consents = st.builds(
    make_consent,
    level=st.sampled_from([1, 2, 3]),
    name_mode=st.sampled_from(list(NameMode)),
    place_precision=st.sampled_from(list(PlacePrecision)),
)

UCS2_ONLY = "ŁłŻżŚśĆćŃńĘęĄąŐőŰűĳ😀"


@st.composite
def long_cases(draw: st.DrawFn) -> Case:
    """Cases that push every limit: long names, places and descriptions, UCS-2 letters."""
    alphabet = LETTERS + UCS2_ONLY + " <>&\"'€[]"
    text = st.text(alphabet=alphabet, min_size=1, max_size=60)
    return make_case(
        first_name=draw(text),
        last_name=draw(text),
        clothing=draw(st.text(alphabet=alphabet, max_size=300)),
        marks=draw(st.text(alphabet=alphabet, max_size=300)),
        description=draw(st.text(alphabet=alphabet, min_size=0, max_size=1500)),
        last_seen_place=draw(st.text(alphabet=alphabet, min_size=1, max_size=120)),
    )


FAST = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)


# --- consent -------------------------------------------------------------------------------


@FAST
@given(case=cases(), consent=consents, lang=st.sampled_from(LANGS))
def test_texts_show_consented_fields_only(case: Case, consent: Consent, lang: str) -> None:
    view = make_view(case, consent)
    for kind in KINDS:
        out = render_text(view, lang, kind)
        seen = squash(visible(out))
        assert view.case_url in out.text
        assert squash(HOTLINE) in seen
        if consent.name_mode is NameMode.NONE:
            assert "Qf" not in seen
        if consent.name_mode is not NameMode.FULL:
            assert "Ql" not in seen
        if consent.place_precision is not PlacePrecision.EXACT:
            assert "Qp" not in seen
        if kind in ROOMY:
            for value in expected_values(view, lang):
                assert squash(value) in seen, (kind, value)


def expected_values(view: PublicView, lang: str) -> list[str]:
    values = [view.place(lang), view.hair, view.clothing, view.marks, view.description]
    if view.name:
        values.append(view.name)
    if view.age is not None:
        values.append(format_age(view.age, lang))
    if view.last_seen_at:
        values.append(format_when(view.last_seen_at, lang))
    return [value for value in values if value]


@pytest.mark.parametrize("lang", LANGS)
def test_each_text_is_in_its_language(lang: str) -> None:
    view = make_view()
    for kind in KINDS:
        out = render_text(view, lang, kind)
        with language(lang):
            headline = pgettext("SMS", "MISSING") if kind == "sms" else gettext("MISSING")
        assert out.text.startswith(("<b>" + headline, headline)), (kind, out.text)
        assert in_language(lang, "Call %(hotline)s", hotline=HOTLINE) in visible(out)


# --- limits --------------------------------------------------------------------------------


@FAST
@given(case=long_cases(), consent=consents, lang=st.sampled_from(LANGS))
def test_every_text_stays_within_its_channel_limit(case: Case, consent: Consent, lang: str) -> None:
    view = make_view(case, consent)
    for kind in KINDS:
        out = render_text(view, lang, kind)
        assert within_limit(out), (kind, out.text)
        assert view.case_url in out.text  # never cut
        assert squash(HOTLINE) in squash(visible(out))


def test_least_important_parts_go_first() -> None:
    description = "Qd " + "lang verhaal " * 120
    view = make_view(make_case(description=description))
    caption = render_text(view, "nl", "telegram_caption")
    assert "Qd" not in caption.text
    assert "klein litteken" in caption.text and "Lotte Vermeulen" in caption.text
    post = render_text(view, "nl", "x")  # 280: the marks go too, the clothing still fits
    assert "Qd" not in post.text and "litteken" not in post.text and "regenjas" in post.text
    assert "Lotte Vermeulen" in post.text and "Gent-Sint-Pieters" in post.text


def test_an_sms_is_spelt_in_gsm7_rather_than_lose_the_name() -> None:
    case = make_case(first_name="Żaneta-Łucja", last_name="Wiśniewska-Szczęsna")
    out = render_text(make_view(case), "fr", "sms")
    assert sms_length(out.text)[0] == "gsm7"
    assert "Zaneta-Lucja Wisniewska-Szczesna" in out.text
    assert "DISPARITION" in out.text and within_limit(out)


def test_a_name_that_cannot_fit_is_cut_with_an_ellipsis() -> None:
    case = make_case(first_name="Żaneta-Łucja Bożena", last_name="Wiśniewska-Szczęsna " * 4)
    out = render_text(make_view(case), "nl", "sms")
    assert within_limit(out)
    assert "Zaneta-Lucja Bozena Wisniewska" in out.text and "..." in out.text
    assert out.text.endswith(f"Bel {HOTLINE} https://alerts.example.be/alerts/tX4vB8nQ2mK7pL5r")


def test_a_url_too_long_for_the_channel_is_an_error_not_a_cut() -> None:
    view = make_view(base_url="https://alerts.example.be/" + "x" * 200)
    with pytest.raises(ValueError, match="exceed"):
        render_text(view, "en", "sms")


def test_telegram_texts_escape_every_value() -> None:
    case = make_case(first_name="<b>Tom</b>", last_name='& "Jerry"', marks="<a href=x>y</a>")
    view = make_view(case)
    for kind in ("telegram_message", "telegram_caption"):
        out = render_text(view, "en", kind)
        assert "&lt;b&gt;Tom&lt;/b&gt;" in out.text and "&amp;" in out.text
        tags = set(re.findall(r"</?(\w+)", out.text))
        assert tags <= {"b", "a"}
        assert out.text.count("<a ") == 1  # only the case link
    email = render_text(view, "en", "email")
    assert email.html is not None and "&lt;b&gt;Tom" in email.html
    assert "<b>Tom</b>" in email.text  # plain text is not HTML: no escaping


def test_unknown_kind_or_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown text kind"):
        render_text(make_view(), "nl", "fax")
    with pytest.raises(ValueError, match="unsupported language"):
        render_text(make_view(), "es", "sms")


# --- counting ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello", ("gsm7", 5)),
        ("Ça va? àèéìòù ÄÖÑÜäöñü ß", ("gsm7", 24)),
        ("€5", ("gsm7", 3)),
        ("[x]{y}~^|\\", ("gsm7", 18)),
        ("A\nB", ("gsm7", 3)),
        ("a" * 161, ("gsm7", 161)),
        ("garçon", ("ucs2", 6)),  # lowercase ç is not in the GSM-7 basic set
        ("Noël", ("ucs2", 4)),
        ("DISPARU·E", ("ucs2", 9)),
        ("Hi 😀", ("ucs2", 5)),  # an emoji is a surrogate pair: 2 units
        ("", ("gsm7", 0)),
    ],
)
def test_sms_length_counts_by_encoding(text: str, expected: tuple[str, int]) -> None:
    assert sms_length(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Missing", 7),
        ("Call https://alerts.example.be/alerts/" + "x" * 80, 5 + 23),
        ("a http://x.be b https://y.be/z", 2 + 23 + 3 + 23),
        ("日本", 4),
        ("café", 4),
    ],
)
def test_x_length_counts_urls_as_23(text: str, expected: int) -> None:
    assert x_length(text) == expected
