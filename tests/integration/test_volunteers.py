"""The volunteer domain: validation, rounding, quiet hours, signed links, sign-up, export, deletion,
and the texts volunteers read, complete in Dutch, French, German and English."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, time
from urllib.parse import parse_qs, urlsplit

import pytest
from babel.messages.pofile import read_po

from alerts.bot import steps
from alerts.config import Settings
from alerts.db.database import Database
from alerts.i18n import in_language
from alerts.volunteers import email_signup, links
from alerts.volunteers import registry as volunteers
from alerts.volunteers.email_signup import Signup
from alerts.volunteers.messages import km
from alerts.volunteers.registry import QuietHours, VolunteerError
from tests.support import factories
from tests.support.app import StaffFactory
from tests.support.paths import ROOT

# -- texts ---------------------------------------------------------------------------------------


def _volunteer_catalogs() -> dict[str, dict[str, str]]:
    """Each language's volunteers.po as {English: translation} (English itself for en)."""
    root = ROOT / "alerts/i18n/translations"
    found = {}
    for lang in ("nl", "fr", "de", "en"):
        with (root / lang / "LC_MESSAGES/volunteers.po").open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        found[lang] = {str(m.id): str(m.string or m.id) for m in catalog if m.id}
    return found


TEXTS = _volunteer_catalogs()


def _placeholders(value: str) -> set[str]:
    return set(re.findall(r"%\((\w+)\)s", value))


def test_every_text_exists_in_the_four_languages_with_the_same_placeholders() -> None:
    assert set(TEXTS) == {"nl", "fr", "de", "en"}
    for key, english in TEXTS["en"].items():
        for lang in ("nl", "fr", "de"):
            translated = TEXTS[lang].get(key)
            assert translated and translated.strip(), (lang, key)
            assert _placeholders(translated) == _placeholders(english), (lang, key)
    assert all(set(TEXTS[lang]) == set(TEXTS["en"]) for lang in TEXTS)


def test_french_texts_are_typeset_with_no_break_spaces() -> None:
    for key, value in TEXTS["fr"].items():
        assert not any(f" {mark}" in value for mark in ":;!?»"), key
    summary = "Is this right?\n\nLanguage: %(language)s\nArea: %(area)s"
    assert in_language("fr", summary, language="Français", area="x").startswith(
        "Est-ce correct\u00a0?"
    )


def test_an_unknown_language_gets_english_and_distances_use_the_local_decimal_mark() -> None:
    assert in_language("es", steps.STOPPED) == in_language("en", steps.STOPPED)
    assert (km("en", 2.5), km("nl", 2.5), km("fr", 10.0)) == ("2.5", "2,5", "10")


# -- validation ----------------------------------------------------------------------------------


def test_an_area_is_stored_rounded_to_about_a_kilometre() -> None:
    area = volunteers.make_area("home", 50.846_77, 4.352_47, 10)
    assert (area.lat, area.lon, area.radius_km) == (50.85, 4.35, 10.0)


@pytest.mark.parametrize(
    ("label", "lat", "lon", "radius", "key"),
    [("garden", 50.8, 4.3, 5, "area_label_invalid"), ("home", 95.0, 4.3, 5, "place_unknown"),
     ("home", 50.8, 4.3, 0, "radius_invalid"), ("work", 50.8, 4.3, 201, "radius_invalid")],
)  # fmt: skip
def test_an_invalid_area_is_refused_with_a_clear_reason(
    label: str, lat: float, lon: float, radius: float, key: str
) -> None:
    with pytest.raises(VolunteerError) as refused:
        volunteers.make_area(label, lat, lon, radius)
    assert refused.value.key == key


@pytest.mark.parametrize(("typed", "radius"), [("10", 10.0), ("2,5 km", 2.5), (" 50km", 50.0)])
def test_a_typed_radius_is_read(typed: str, radius: float) -> None:
    assert volunteers.parse_radius(typed) == radius


@pytest.mark.parametrize("typed", ["", "far", "0", "-3", "250"])
def test_a_bad_radius_is_refused(typed: str) -> None:
    with pytest.raises(VolunteerError, match="radius_invalid"):
        volunteers.parse_radius(typed)


@pytest.mark.parametrize(
    ("typed", "start", "end"),
    [("22:00-07:00", time(22), time(7)), ("23h - 6h30", time(23), time(6, 30)),
     ("22.30 tot 7", time(22, 30), time(7)), ("0:00–6:00", time(0), time(6)),
     ("21 bis 24", time(21), time(0))],
)  # fmt: skip
def test_quiet_hours_are_read_as_people_type_them(typed: str, start: time, end: time) -> None:
    assert volunteers.parse_quiet_hours(typed) == QuietHours(start=start, end=end)


@pytest.mark.parametrize(
    ("typed", "key"),
    [("late", "quiet_invalid"), ("25:00-07:00", "time_invalid"), ("22:00-22:00", "quiet_same")],
)
def test_bad_quiet_hours_are_refused(typed: str, key: str) -> None:
    with pytest.raises(VolunteerError) as refused:
        volunteers.parse_quiet_hours(typed)
    assert refused.value.key == key


def test_form_quiet_hours_need_both_times_or_none() -> None:
    assert volunteers.quiet_hours("", " ") is None
    with pytest.raises(VolunteerError) as refused:
        volunteers.quiet_hours("22:00", "")
    assert (refused.value.key, refused.value.field) == ("quiet_incomplete", "quiet_end")


def test_quiet_hours_follow_belgian_local_time_across_midnight() -> None:
    night = QuietHours(start=time(22), end=time(7))
    # 21:30 UTC is 23:30 in Brussels in summer (UTC+2) and 22:30 in winter (UTC+1).
    assert night.contains(datetime(2026, 7, 1, 21, 30, tzinfo=UTC))
    assert night.contains(datetime(2026, 1, 15, 5, 30, tzinfo=UTC))  # 06:30 local
    assert not night.contains(datetime(2026, 1, 15, 6, 0, tzinfo=UTC))  # 07:00 local
    assert not night.contains(datetime(2026, 7, 1, 12, 0, tzinfo=UTC))
    assert QuietHours(start=time(13), end=time(14)).contains(
        datetime(2026, 1, 15, 12, 30, tzinfo=UTC)
    )


BAD_ADDRESSES = ["a@b", "no at sign", "two@@example.be", "a b@example.be", "x@example.b",
                 "@example.be", f"{'a' * 250}@example.be"]  # fmt: skip


@pytest.mark.parametrize("value", BAD_ADDRESSES)
def test_an_invalid_email_address_is_refused(value: str) -> None:
    with pytest.raises(VolunteerError, match="email_invalid"):
        volunteers.normalise_email(value)


def test_an_email_address_is_kept_in_lower_case() -> None:
    assert volunteers.normalise_email(" Jan.De.Smet@Example.BE ") == "jan.de.smet@example.be"


# -- signed links --------------------------------------------------------------------------------


def test_the_unsubscribe_url_is_signed_for_one_volunteer_and_one_purpose(
    settings: Settings,
) -> None:
    keyed = dataclasses.replace(
        settings, secret_key="k1", public_base_url="https://alerts.example/"
    )
    url = urlsplit(links.unsubscribe_url(keyed, "pub123", "fr"))
    query = {k: v[0] for k, v in parse_qs(url.query).items()}

    assert (url.scheme, url.netloc, url.path) == (
        "https",
        "alerts.example",
        "/volunteer/stop/pub123",
    )
    assert query["lang"] == "fr"
    assert links.signature_ok(keyed, "stop", "pub123", query["sig"])
    assert not links.signature_ok(keyed, "manage", "pub123", query["sig"])
    assert not links.signature_ok(keyed, "stop", "pub124", query["sig"])
    other_key = dataclasses.replace(keyed, secret_key="k2")
    assert not links.signature_ok(other_key, "stop", "pub123", query["sig"])


def test_links_work_within_the_process_when_no_secret_key_is_set(settings: Settings) -> None:
    unkeyed = dataclasses.replace(settings, secret_key="")
    signature = links.link_signature(unkeyed, "stop", "pub")
    assert links.signature_ok(unkeyed, "stop", "pub", signature)


# -- sign-up, re-sign-up, export, deletion ---------------------------------------------------------


def signup(email: str = "ana@example.be", radius: float = 10) -> Signup:
    home = volunteers.make_area("home", 51.05, 3.72, radius)
    return Signup(email=email, language="nl", areas=(home,), quiet=None)


async def test_signing_up_again_with_a_known_address_updates_that_volunteer(
    database: Database,
) -> None:
    token = await email_signup.request_signup(database, signup(), "client")
    assert token is not None
    first = await email_signup.confirm_signup(database, token)
    await volunteers.deactivate(database, first.id, "opt_out")

    again = await email_signup.request_signup(database, signup(radius=25), "client")
    assert again is not None
    second = await email_signup.confirm_signup(database, again)

    assert second.id == first.id and second.active and second.deactivated_reason is None
    [home] = await volunteers.areas_of(database, second.id)
    assert home.radius_km == 25
    with pytest.raises(VolunteerError, match="token_used"):
        await email_signup.confirm_signup(database, token)


async def test_one_client_cannot_send_sign_ups_without_end(database: Database) -> None:
    for number in range(email_signup.CLIENT_SIGNUPS_PER_HOUR):
        assert await email_signup.request_signup(database, signup(f"p{number}@example.be"), "c")
    with pytest.raises(VolunteerError, match="too_many"):
        await email_signup.request_signup(database, signup("last@example.be"), "c")
    assert await email_signup.request_signup(database, signup("last@example.be"), "other client")


async def test_a_telegram_volunteer_who_signs_up_again_keeps_a_second_area(
    database: Database,
) -> None:
    home = volunteers.make_area("home", 50.85, 4.35, 10)
    volunteer = await volunteers.save_telegram_signup(database, 4242, "fr", home)
    await volunteers.set_area(database, volunteer.id, volunteers.make_area("work", 50.88, 4.7, 5))
    assert await volunteers.deactivate(database, volunteer.id, "opt_out")
    assert not await volunteers.deactivate(database, volunteer.id, "opt_out")

    back = await volunteers.save_telegram_signup(database, 4242, "de", home)

    assert back.id == volunteer.id and back.active and back.language == "de"
    assert [a.label for a in await volunteers.areas_of(database, back.id)] == ["home", "work"]


async def test_the_export_holds_every_alert_received_and_deletion_leaves_nothing(
    database: Database, make_staff: StaffFactory
) -> None:
    home = volunteers.make_area("home", 51.05, 3.72, 10)
    volunteer = await volunteers.save_telegram_signup(database, 777, "nl", home)
    case = await factories.draft(database, await make_staff())
    await database.conn.execute(
        "INSERT INTO publications (case_id, revision, channel, target, volunteer_id, state) "
        "VALUES ($1, 1, 'telegram', '777', $2, 'sent')", case.id, volunteer.id,
    )  # fmt: skip
    await database.execute("conversation_put", 777, "quiet", '{"lang": "nl"}')

    data = await volunteers.export(database, volunteer)

    assert data["volunteer"]["telegram_chat_id"] == 777 and "id" not in data["volunteer"]
    assert data["areas"] == [{"label": "home", "lat": 51.05, "lon": 3.72, "radius_km": 10.0}]
    [received] = data["alerts_received"]
    assert (received["case_public_id"], received["channel"]) == (case.public_id, "telegram")
    assert data["bot_conversation"] == {"step": "quiet", "data": {"lang": "nl"}}

    await volunteers.delete(database, volunteer)

    assert await volunteers.by_chat(database, 777) is None
    assert await database.conn.fetchval("SELECT count(*) FROM telegram_conversations") == 0
    # The registry keeps the row for withdrawal, no longer linked to the person.
    assert await database.conn.fetchval("SELECT volunteer_id FROM publications") is None
