"""Public volunteer pages: sign-up with e-mail double opt-in, one-step opt-out.

No login and no JavaScript; in the visitor's language (?lang= or Accept-Language). The sign-up
answers the same whether or not the address is already registered. Stop links are signed with
SECRET_KEY (see alerts.volunteers.links), so nobody can act for someone else; they unsubscribe
and do nothing else. The data pages (see, export, delete) are in `volunteer_data`.
"""

from __future__ import annotations

import functools
import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from alerts.channels import mailer
from alerts.geo.geocoding import GeocodingService
from alerts.i18n import LANGUAGES, N_, gettext, language, language_name
from alerts.volunteers import email_signup, links, messages
from alerts.volunteers import registry as volunteers
from alerts.volunteers.email_signup import Signup
from alerts.volunteers.registry import RADIUS_CHOICES, Area, Volunteer, VolunteerError
from alerts.web import keys
from alerts.web.console.staff_auth import client_key
from alerts.web.middlewares import anonymous_csrf_token, csrf_cookie_name, public

log = logging.getLogger(__name__)
routes = web.RouteTableDef()
Form = MultiDictProxy[str | bytes | bytearray | web.FileField]
MAX_PLACE_TEXT = 200
# Pages showing a volunteer's data must not be kept by browsers or proxies.
PRIVATE = {"Cache-Control": "no-store"}
TOKEN_STATUS = {"token_unknown": 404, "token_used": 410, "token_expired": 410}
SUBJECTS = {
    "confirm": N_("Please confirm your sign-up for alerts about missing children"),
    "welcome": N_("You are signed up for alerts about missing children"),
    "manage": N_("Your link to your data"),
}
SIGNUP_FIELDS = (
    "email", "language", "place", "radius", "work_place", "work_radius", "quiet_start",
    "quiet_end",
)  # fmt: skip


# -- rendering -----------------------------------------------------------------------------------


def render(
    request: web.Request,
    template: str,
    *,
    status: int = 200,
    **context: Any,
) -> web.Response:
    """A volunteer page in the visitor's language, with a CSRF token for its forms.

    Never cached: each page carries its visitor's CSRF token, some show personal data.
    """
    response = web.Response(status=status, content_type="text/html", headers=PRIVATE)
    lang = request[keys.LANG]
    session = request.get(keys.SESSION)
    # A signed-in staff member's browser must send the session's token (the middleware checks).
    csrf = session.csrf_token if session else anonymous_csrf_token(request, response)
    page = {
        "lang": lang,
        "organisation": request.app[keys.SETTINGS].organisation(lang),
        # A phone number must not break across lines.
        "hotline": request.app[keys.SETTINGS].hotline,
        "language_links": _language_links(request),
        "csrf_token": csrf,
    }
    template_ = request.app[keys.TEMPLATES].get_template(f"volunteer/{template}")
    with language(lang):
        response.text = template_.render({**page, **context})
    return response


def _language_links(request: web.Request) -> list[tuple[str, str, str]]:
    """(code, name, URL of this page in that language); a form's page links to the empty form."""
    url = request.rel_url if request.method == "GET" else request.rel_url.with_query({})
    return [(code, language_name(code), str(url.update_query(lang=code))) for code in LANGUAGES]


def problem(request: web.Request, key: str, status: int) -> web.Response:
    """The page that says why a link or a form cannot be used (`key`: see messages.ERRORS)."""
    return render(request, "problem.html", status=status, message=messages.ERRORS[key])


def _csrf_ok(request: web.Request, form: Form) -> bool:
    if keys.SESSION in request:
        return True  # the middleware has checked the session's token already
    cookie = request.cookies.get(csrf_cookie_name(request), "")
    submitted = form.get("csrf_token")
    submitted = submitted if isinstance(submitted, str) else ""
    return bool(cookie) and hmac.compare_digest(cookie.encode(), submitted.encode())


def _field(form: Form, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


# -- sign-up -------------------------------------------------------------------------------------


@routes.get("/volunteer", name="volunteer_signup")
@public
async def signup_form(request: web.Request) -> web.Response:
    values = dict.fromkeys(SIGNUP_FIELDS, "")
    values.update(language=request[keys.LANG], radius="10", work_radius="10")
    return _signup_page(request, values, {}, 200)


@routes.post("/volunteer", name="volunteer_signup_submit")
@public
async def signup(request: web.Request) -> web.Response:
    form = await request.post()
    values = {name: _field(form, name) for name in SIGNUP_FIELDS}
    if not _csrf_ok(request, form):
        return _signup_page(request, values, {"form": "form_expired"}, 403)
    signup_, errors = await read_signup(request.app[keys.GEOCODER], values)
    if signup_ is None:
        return _signup_page(request, values, errors, 422)
    try:
        db = request.app[keys.DB]
        token = await email_signup.request_signup(db, signup_, client_key(request))
        if token is not None:
            await _send_confirmation(request, signup_, token)
    except VolunteerError as exc:  # too many sign-ups from this client
        return _signup_page(request, values, {"form": exc.key}, 429)
    except mailer.MailUnavailable:
        return _signup_page(request, values, {"form": "mail_failed"}, 503)
    log.info("volunteer sign-up requested", extra={"action": "volunteer_signup_requested"})
    raise web.HTTPSeeOther(f"/volunteer/sent?lang={request[keys.LANG]}")


def _signup_page(
    request: web.Request, values: dict[str, str], errors: dict[str, str], status: int
) -> web.Response:
    """The form with what was entered and, next to each wrong field, its message (`errors`
    maps a field to a message key; the template translates the message)."""
    return render(
        request, "signup.html", status=status, values=values,
        errors={field: messages.ERRORS[key] for field, key in errors.items()},
        radii=[(str(r), f"{r} km") for r in RADIUS_CHOICES],
        languages=[(code, language_name(code)) for code in LANGUAGES],
    )  # fmt: skip


async def read_signup(
    geocoder: GeocodingService, values: dict[str, str]
) -> tuple[Signup | None, dict[str, str]]:
    """The sign-up the form asks for, or the message key of each field that is wrong."""
    errors: dict[str, str] = {}

    def check(field: str, parse: Any, *args: Any) -> Any:
        try:
            return parse(*args)
        except VolunteerError as exc:
            errors.setdefault(exc.field or field, exc.key)
            return None

    email = check("email", volunteers.normalise_email, values["email"])
    language = check("language", volunteers.check_language, values["language"])
    home = await _area(geocoder, "home", values["place"], values["radius"], errors, "place")
    work = None
    if values["work_place"]:
        work = await _area(geocoder, "work", values["work_place"], values["work_radius"], errors,
                           "work_place")  # fmt: skip
    quiet = check("quiet_start", volunteers.quiet_hours, values["quiet_start"], values["quiet_end"])
    if errors:
        return None, errors
    areas = tuple(a for a in (home, work) if a is not None)
    return Signup(email=email, language=language, areas=areas, quiet=quiet), {}


async def _area(
    geocoder: GeocodingService, label: str, place: str, radius: str, errors: dict[str, str],
    field: str,
) -> Area | None:  # fmt: skip
    radius_field = "radius" if label == "home" else "work_radius"
    if radius not in {str(r) for r in RADIUS_CHOICES}:
        errors[radius_field] = "radius_invalid"
    if not place:
        errors[field] = "place_required"
        return None
    found = await geocoder.geocode(place) if len(place) <= MAX_PLACE_TEXT else None
    if found is None:
        errors[field] = "place_unknown"
        return None
    if radius_field in errors:
        return None
    return volunteers.make_area(label, found.lat, found.lon, float(radius))


async def _send_confirmation(request: web.Request, signup_: Signup, token: str) -> None:
    settings, lang = request.app[keys.SETTINGS], signup_.language
    link = links.confirm_url(settings, token, lang)
    await mail(request, signup_.email, lang, "confirm", link=link)


async def mail(request: web.Request, to: str, lang: str, kind: str, **links: str) -> None:
    """Send the `kind` e-mail (confirm, welcome, manage) in `lang`, as text and HTML."""
    settings = request.app[keys.SETTINGS]
    templates = request.app[keys.TEMPLATES]
    context = {"lang": lang, "organisation": settings.organisation(lang), **links}
    with language(lang):
        body = templates.get_template(f"volunteer/email_{kind}.txt").render(context)
        html = templates.get_template(f"volunteer/email_{kind}.html").render(context)
        subject = gettext(SUBJECTS[kind])
    headers = {}
    if "stop" in links:  # RFC 8058: mail clients may offer a one-click unsubscribe
        headers = {"List-Unsubscribe": f"<{links['stop']}>",
                   "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}  # fmt: skip
    await mailer.deliver(settings, mailer.build_message(settings, to, subject, body, html, headers))


@routes.get("/volunteer/sent", name="volunteer_sent")
@public
async def sent(request: web.Request) -> web.Response:
    return render(request, "sent.html")


# -- confirmation --------------------------------------------------------------------------------


@routes.get("/volunteer/confirm/{token}", name="volunteer_confirm")
@public
async def confirm_page(request: web.Request) -> web.Response:
    """A button, not an automatic confirmation: mail scanners open links too."""
    try:
        await email_signup.check_signup_token(request.app[keys.DB], request.match_info["token"])
    except VolunteerError as exc:
        return problem(request, exc.key, TOKEN_STATUS[exc.key])
    return render(request, "confirm.html")


@routes.post("/volunteer/confirm/{token}", name="volunteer_confirm_submit")
@public
async def confirm(request: web.Request) -> web.Response:
    db, settings = request.app[keys.DB], request.app[keys.SETTINGS]
    try:
        volunteer = await email_signup.confirm_signup(db, request.match_info["token"])
    except VolunteerError as exc:
        return problem(request, exc.key, TOKEN_STATUS[exc.key])
    log.info("volunteer confirmed", extra={"action": "volunteer_signup", "channel": "email"})
    lang = volunteer.language
    manage = links.manage_request_url(settings, lang)
    stop = links.unsubscribe_url(settings, volunteer.public_id, lang)
    try:
        assert volunteer.email is not None
        await mail(request, volunteer.email, lang, "welcome", manage=manage, stop=stop)
    except mailer.MailUnavailable:
        pass  # the page below shows the same links; the sign-up itself is done
    request[keys.LANG] = lang
    return render(request, "confirmed.html", manage=manage)


# -- opt-out (signed links; the data pages are in volunteer_data) --------------------------------


async def _volunteer(request: web.Request, purpose: str) -> Volunteer | None:
    """The volunteer of a signed link (None once deleted); VolunteerError for a forged one."""
    public_id = request.match_info["public_id"]
    signature = request.query.get("sig", "")
    if not links.signature_ok(request.app[keys.SETTINGS], purpose, public_id, signature):
        log.warning("volunteer link refused", extra={"action": "volunteer_link_refused",
                                                     "purpose": purpose})  # fmt: skip
        raise VolunteerError("link_invalid")
    return await volunteers.by_public_id(request.app[keys.DB], public_id)


LinkHandler = Callable[[web.Request, Volunteer | None], Awaitable[web.Response]]
Handler = Callable[[web.Request], Awaitable[web.Response]]


def signed_link(purpose: str) -> Callable[[LinkHandler], Handler]:
    """Make a handler of a signed `purpose` link (stop, manage) out of one that takes the link's
    volunteer (None once deleted); a forged link gets the problem page, 403, instead."""

    def decorate(handler: LinkHandler) -> Handler:
        @functools.wraps(handler)
        async def checked(request: web.Request) -> web.Response:
            try:
                volunteer = await _volunteer(request, purpose)
            except VolunteerError as exc:
                return problem(request, exc.key, 403)
            return await handler(request, volunteer)

        return checked

    return decorate


@routes.get("/volunteer/stop/{public_id}", name="volunteer_stop")
@public
@signed_link("stop")
async def stop_page(request: web.Request, volunteer: Volunteer | None) -> web.Response:
    if volunteer is None or not volunteer.active:
        return _stopped(request, volunteer)
    return render(request, "stop.html")


@routes.post("/volunteer/stop/{public_id}", name="volunteer_stop_submit")
@public
@signed_link("stop")
async def stop(request: web.Request, volunteer: Volunteer | None) -> web.Response:
    """One step, also as RFC 8058's one-click POST from a mail client (no cookie, no token)."""
    if volunteer is not None and await volunteers.deactivate(
        request.app[keys.DB], volunteer.id, "opt_out"
    ):
        log.info("volunteer stopped", extra={"action": "volunteer_stop", "channel": "link"})
    return _stopped(request, volunteer)


def _stopped(request: web.Request, volunteer: Volunteer | None) -> web.Response:
    """The same page for everyone who holds the link: it is in every alert, and alerts are
    forwarded. No address, no areas, no link to the volunteer's data."""
    return render(request, "stopped.html")
