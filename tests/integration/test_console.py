"""The console through its forms, as staff members use it: real HTTP, real database."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from aiohttp import ClientResponse, FormData, web
from aiohttp.test_utils import TestClient

from alerts.db.database import Database
from alerts.staff.models import Role
from tests.support import factories
from tests.support.app import PASSWORD, StaffFactory
from tests.support.console import csrf_in, logged_in
from tests.support.images import jpeg

Client = TestClient[Any, Any]
CASE_FORM = [
    ("kind", "runaway"), ("first_name", "Lotte"), ("last_name", "Vermeulen"), ("age", "14"),
    ("sex", "female"), ("height_cm", "162"), ("build", "slim"), ("hair", "long, dark blond"),
    ("eyes", "green"), ("clothing", "red rain jacket"), ("marks", "scar above the left eyebrow"),
    ("description", "Left home after school."), ("last_seen_at", "2026-05-01T16:30"),
    ("last_seen_place", "Kouter, 9000 Gent"), ("last_seen_lat", ""), ("last_seen_lon", ""),
    ("search_radius_km", "15"), ("languages", "nl"), ("languages", "fr"),
    ("police_reference", "GE.12.L3.012345/26"),
]  # fmt: skip
CONSENT_FORM = {
    "given_by": "Mother", "relation": "parent", "given_at": "", "valid_until": "",
    "level": "2", "photo": "true", "name_mode": "first", "place_precision": "municipality",
    "forwarding": "false",
}  # fmt: skip
# Routes open without login, each documented in DESIGN.md ("Public, no login") or the login.
# DESIGN.md's public addresses, the Telegram webhook (refused without its secret token) and the
# peers' endpoint (refused without a signature of the peer's key).
PUBLIC_PREFIXES = ("/login", "/healthz", "/metrics", "/static", "/alerts/", "/press", "/feeds/",
                   "/volunteer", "/telegram/webhook", "/peers/")  # fmt: skip


def form(csrf: str, fields: list[tuple[str, str]], **changes: str) -> list[tuple[str, str]]:
    kept = [(k, v) for k, v in fields if k not in changes]
    return [("csrf_token", csrf), *kept, *changes.items()]


async def post(client: Client, url: str, data: Any) -> ClientResponse:
    return await client.post(url, data=data, allow_redirects=False)


def case_id_of(answer: ClientResponse) -> int:
    assert answer.status == 303, answer.status
    found = re.fullmatch(r"/console/cases/(\d+)\?done=\w+(#\w+)?", answer.headers["Location"])
    assert found, answer.headers["Location"]
    return int(found.group(1))


def fingerprint_in(page: str) -> str:
    """The fingerprint the approve form of an approval page carries."""
    found = re.search(r'name="fingerprint" value="([0-9a-f]{64})"', page)
    assert found, "the approval page has no approve form"
    return found.group(1)


async def test_a_case_from_draft_to_closed_through_the_console_forms(
    client: Client, make_staff: StaffFactory, database: Database
) -> None:
    manager, approver = await make_staff(), await make_staff(Role.SUPERVISOR)
    csrf = await logged_in(client, manager)
    case_id = case_id_of(await post(client, "/console/cases", form(csrf, CASE_FORM)))
    url = f"/console/cases/{case_id}"
    row = await database.conn.fetchrow("SELECT * FROM cases WHERE id = $1", case_id)
    # The datetime-local value is Brussels time (summer: UTC+2); the place was geocoded.
    assert row["last_seen_at"] == datetime(2026, 5, 1, 14, 30, tzinfo=UTC)
    assert (row["last_seen_lat"], row["last_seen_lon"]) == (51.05, 3.7167)

    photo = FormData({"csrf_token": csrf})
    photo.add_field(
        "photo", jpeg(64, 80, color=(200, 120, 90)), filename="lotte.jpg", content_type="image/jpeg"
    )
    assert (await post(client, f"{url}/photos", photo)).headers["Location"].endswith("#photos")
    consent = await post(client, f"{url}/consent", {"csrf_token": csrf, **CONSENT_FORM})
    assert consent.status == 303
    assert (await post(client, f"{url}/submit", {"csrf_token": csrf})).status == 303

    own = await post(
        client,
        f"{url}/approve",
        {"csrf_token": csrf, "password": PASSWORD, "fingerprint": "0" * 64},
    )
    assert own.status == 403
    # The case manager who submitted holds no approver role (APPROVER_ROLES).
    assert "Only a staff member with an approver role can approve." in await own.text()
    page = await (await client.get(url)).text()
    assert "You submitted this case. Another staff member must approve it" in page
    assert 'id="approve-form"' not in page

    csrf = await logged_in(client, approver)
    page = await (await client.get(url)).text()
    assert f'href="{url}/approval"' in page and "Consent in force" in page
    approval = await (await client.get(f"{url}/approval")).text()
    assert 'id="approve-form"' in approval
    approved = await post(
        client, f"{url}/approve",
        {"csrf_token": csrf, "password": PASSWORD, "fingerprint": fingerprint_in(approval)},
    )  # fmt: skip
    assert approved.headers["Location"] == f"{url}?done=approved"
    page = await (await client.get(approved.headers["Location"])).text()
    assert "The case was approved and is now active." in page and "Revision 1" in page
    src = re.search(r'<img src="(/api/cases/\d+/photos/[\w-]+)"', page)
    assert src, "the photo is not shown"
    image = await client.get(src.group(1))
    assert image.status == 200 and image.content_type == "image/jpeg"

    # The case manager's edit shows more (new words): a proposal the approver approves.
    csrf = await logged_in(client, manager)
    edit = await (await client.get(f"{url}/edit")).text()
    assert "Save as revision 2 and update the alert" in edit
    held = await post(client, f"{url}/edit", form(csrf, CASE_FORM, hair="short, dyed black"))
    assert held.headers["Location"] == f"{url}?done=proposed"
    csrf = await logged_in(client, approver)
    page = await (await client.get(url)).text()
    change = re.search(rf'href="({url}/proposals/\d+)"', page)
    assert change, "the proposed change is not listed"
    proposal = await (await client.get(change.group(1))).text()
    assert "<mark>" in proposal  # the new words, highlighted
    revised = await post(
        client, f"{change.group(1)}/approve",
        {"csrf_token": csrf, "password": PASSWORD, "fingerprint": fingerprint_in(proposal)},
    )  # fmt: skip
    assert revised.headers["Location"] == f"{url}?done=proposal_approved"

    closed = await post(
        client, f"{url}/close", {"csrf_token": csrf, "reason": "found_safe", "password": PASSWORD}
    )
    assert closed.headers["Location"] == f"{url}?done=closed"
    page = await (await client.get(url)).text()
    assert "Closed on" in page and "Found safe" in page and 'id="close-form"' not in page
    history = [e["action"] for e in await database.fetch("list_audit", case_id, 50)]
    assert history[:8] == ["case_closed", "case_revised", "change_approved", "change_proposed",
                           "case_approved", "case_submitted", "consent_recorded",
                           "photo_added"]  # fmt: skip


async def test_form_errors_come_back_next_to_the_field_in_dutch(
    client: Client, make_staff: StaffFactory
) -> None:
    staff = await make_staff()
    csrf = await logged_in(client, staff)
    chosen = await post(client, "/language", {"csrf_token": csrf, "lang": "nl", "next": "/"})
    assert chosen.status == 303
    answer = await post(client, "/console/cases", form(csrf, CASE_FORM, age="veertien"))
    assert answer.status == 422
    html = await answer.text()
    assert '<html lang="nl">' in html
    assert '<p class="field-error" id="case-age-error">' in html and "Moet een getal zijn." in html
    field = re.search(r'<input id="case-age"[^>]*>', html)
    assert field and 'aria-invalid="true"' in field.group(0)
    assert 'aria-describedby="case-age-error"' in field.group(0)
    assert 'value="veertien"' in field.group(0) and 'value="Lotte"' in html
    assert 'value="fr" checked' in html and 'value="de" checked' not in html

    no_kind = await post(client, "/console/cases", form(csrf, CASE_FORM, kind=""))
    assert no_kind.status == 422 and "Kies het soort dossier." in await no_kind.text()


async def test_consent_errors_keep_what_was_typed(
    client: Client, make_staff: StaffFactory, database: Database
) -> None:
    staff = await make_staff()
    case = await factories.draft(database, staff, kind="third_party_abduction")
    csrf = await logged_in(client, staff)
    page = await (await client.get(f"/console/cases/{case.id}")).text()
    # The kind's default level is preselected, and said in words.
    assert re.search(r'id="consent-level-3" name="level" value="3" checked', page)
    assert "The default for this kind of case (Abduction by a third party) is level 3." in page
    sent = {"csrf_token": csrf, **CONSENT_FORM, "given_by": "", "relation": "grandmother"}
    answer = await post(client, f"/console/cases/{case.id}/consent", sent)
    assert answer.status == 422
    html = await answer.text()
    assert 'id="consent-given_by-error"' in html and 'value="grandmother"' in html


async def test_a_file_that_is_not_a_photo_is_refused_next_to_the_field(
    client: Client, make_staff: StaffFactory, database: Database
) -> None:
    staff = await make_staff()
    case = await factories.draft(database, staff)
    csrf = await logged_in(client, staff)
    upload = FormData({"csrf_token": csrf})
    upload.add_field("photo", b"%PDF-1.4 not a photo", filename="x.jpg", content_type="image/jpeg")
    answer = await post(client, f"/console/cases/{case.id}/photos", upload)
    assert answer.status == 422
    html = await answer.text()
    assert 'id="photo-photo-error"' in html
    assert "Only JPEG, PNG or WebP photos are accepted." in html


async def test_text_typed_by_staff_is_escaped_on_every_page(
    client: Client, make_staff: StaffFactory
) -> None:
    staff = await make_staff()
    csrf = await logged_in(client, staff)
    script = "<script>alert(1)</script>"
    sent = form(csrf, CASE_FORM, first_name=script, description='"><img src=x onerror=alert(1)>')
    case_id = case_id_of(await post(client, "/console/cases", sent))
    for url in (f"/console/cases/{case_id}", f"/console/cases/{case_id}/edit",
                "/console?state=draft"):  # fmt: skip
        html = await (await client.get(url)).text()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
        assert script not in html and "<img src=x" not in html, url


async def test_the_list_has_a_tab_per_state_with_counts(
    client: Client, make_staff: StaffFactory, database: Database
) -> None:
    staff = await make_staff()
    draft = await factories.draft(database, staff)
    await factories.pending(database, staff)
    await logged_in(client, staff)
    html = await (await client.get("/console?state=draft")).text()
    tabs = re.findall(r'state=(\w+)"(?: aria-current="page")?>[^<]+<span class="count">(\d+)', html)
    assert tabs == [("draft", "1"), ("pending_approval", "1"), ("active", "0"), ("closed", "0")]
    assert draft.reference in html and 'aria-current="page">Draft' in html
    # The language switch comes back to the same list, without a one-time notice.
    html = await (await client.get("/console?state=draft&done=created")).text()
    assert '<input type="hidden" name="next" value="/console?state=draft">' in html


async def test_the_audit_page_is_for_supervisors_only(
    client: Client, make_staff: StaffFactory, database: Database
) -> None:
    manager, supervisor = await make_staff(), await make_staff(Role.SUPERVISOR)
    case = await factories.pending(database, manager)
    await logged_in(client, supervisor)
    html = await (await client.get("/console/audit")).text()
    assert "Submitted for approval" in html and "Consent recorded" in html
    assert f'<a href="/console/cases/{case.id}">{case.reference}</a>' in html
    assert manager.username in html and "Logged in" in html

    await logged_in(client, manager)
    refused = await client.get("/console/audit")
    assert refused.status == 403
    assert "Only supervisors can read the audit log." in await refused.text()
    assert "/console/audit" not in await (await client.get("/console")).text()


async def test_every_route_not_marked_public_refuses_anonymous_requests(client: Client) -> None:
    public, checked = set(), 0
    for route in client.server.app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter") or info.get("prefix") or ""
        if isinstance(route.resource, web.StaticResource) or getattr(route.handler, "public", 0):
            public.add((route.method, path))
            continue
        method = "POST" if route.method == "*" else route.method
        answer = await client.request(
            method, re.sub(r"\{[^}]+\}", "1", path), allow_redirects=False
        )
        if method == "GET" and not path.startswith("/api/"):
            assert answer.status == 303, (method, path, answer.status)
            assert answer.headers["Location"].startswith("/login?next="), path
        elif method == "HEAD":
            assert answer.status in (303, 401), (method, path, answer.status)
        else:
            assert answer.status in (401, 403), (method, path, answer.status)
        checked += 1
    assert checked > 20
    assert {("GET", "/login"), ("POST", "/login"), ("GET", "/healthz")} <= public
    assert ("GET", "/static") in public or ("*", "/static") in public
    for method, path in public:
        assert path.startswith(PUBLIC_PREFIXES), f"{method} {path} is public but undocumented"


async def test_csrf_fields_are_on_every_console_form(
    client: Client, make_staff: StaffFactory, database: Database
) -> None:
    staff = await make_staff()
    case = await factories.pending(database, staff)
    csrf = await logged_in(client, staff)
    for url in ("/console", "/console/cases/new", f"/console/cases/{case.id}",
                f"/console/cases/{case.id}/edit", "/reauth"):  # fmt: skip
        html = await (await client.get(url)).text()
        forms = re.findall(r"<form method=\"post\".*?</form>", html, re.S)
        assert forms, url
        for found in forms:
            assert csrf_in(found) == csrf, (url, found[:80])


async def test_editing_a_case_waiting_for_approval_sends_it_back_to_draft(
    client: Client, make_staff: StaffFactory, database: Database
) -> None:
    staff = await make_staff()
    case = await factories.pending(database, staff)
    csrf = await logged_in(client, staff)
    url = f"/console/cases/{case.id}"
    edit = await (await client.get(f"{url}/edit")).text()
    assert "Save and send back to draft" in edit and 'value="Lotte"' in edit
    saved = await post(client, f"{url}/edit", form(csrf, CASE_FORM, eyes="brown"))
    assert saved.headers["Location"] == f"{url}?done=saved_draft"
    page = await (await client.get(saved.headers["Location"])).text()
    assert "The case is a draft again" in page and 'id="submit-form"' in page
    assert (await database.conn.fetchval("SELECT state FROM cases")) == "draft"
