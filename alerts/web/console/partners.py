"""The console's pages of regional Telegram channels and partner webhooks: the list for every
staff member; adding, editing, deactivating and reactivating them, and replacing a webhook's
secret, for supervisors and admins (alerts.partners refuses anyone else). Every form carries the
session's CSRF token, which the middleware checks. A webhook's secret is shown once, on the page
that answers the form that made it; it is never in an address or a redirect.

`add_routes` puts these pages on the console's route table.
"""

from __future__ import annotations

from aiohttp import web

from alerts import errors
from alerts.i18n import in_language
from alerts.partners import registry as partners
from alerts.web import keys
from alerts.web.api import handlers as api
from alerts.web.console.forms import N_, Form, Problem, form_text, render

LIST = "/console/partners"
CHANNEL_FORM = ("name", "chat_id", "language", "place", "lat", "lon", "radius_km")
WEBHOOK_FORM = ("name", "url", "format", "language")
FORMATS = (
    ("json", N_("JSON: the alert's fields")),
    ("cap", N_("CAP 1.2: an XML alert message, as in the CAP feed")),
)
# Each form page's template, and what else it shows.
FORM_PAGES: dict[str, tuple[str, dict[str, object]]] = {
    "channel": ("console/regional_channel_form.html", {}),
    "webhook": ("console/partner_webhook_form.html", {"formats": FORMATS}),
}
DONE = {
    "channel_added": N_("The regional channel was added."),
    "channel_saved": N_("The changes to the regional channel were saved."),
    "channel_deactivated": N_(
        "The regional channel was deactivated: it gets no new posts, and the posts not sent yet "
        "were cancelled."
    ),
    "channel_reactivated": N_(
        "The regional channel is active again: it gets the cases approved or updated from now on."
    ),
    "webhook_saved": N_("The changes to the partner webhook were saved."),
    "exercises_on": N_("It takes exercise cases from now on (marked EXERCISE)."),
    "exercises_off": N_("It takes real cases only from now on."),
    "webhook_deactivated": N_(
        "The partner webhook was deactivated: it gets no new alerts, and the calls not sent yet "
        "were cancelled."
    ),
    "webhook_reactivated": N_(
        "The partner webhook is active again: it gets the public cases approved or updated from "
        "now on."
    ),
}


def add_routes(routes: web.RouteTableDef) -> None:
    """Put these pages on `routes` (the console's table)."""
    routes.get(LIST, name="console_partners")(overview)
    routes.get("/console/regional-channels/new", name="console_new_channel")(new_channel_form)
    routes.post("/console/regional-channels", name="console_add_channel")(add_channel)
    channel = "/console/regional-channels/{channel_id}"
    routes.get(f"{channel}/edit", name="console_edit_channel")(edit_channel_form)
    routes.post(f"{channel}/edit", name="console_update_channel")(update_channel)
    routes.post(f"{channel}/active", name="console_channel_active")(set_channel_active)
    routes.post(f"{channel}/exercises", name="console_channel_exercises")(set_channel_exercises)
    routes.get("/console/partner-webhooks/new", name="console_new_webhook")(new_webhook_form)
    routes.post("/console/partner-webhooks", name="console_add_webhook")(add_webhook)
    webhook = "/console/partner-webhooks/{webhook_id}"
    routes.get(f"{webhook}/edit", name="console_edit_webhook")(edit_webhook_form)
    routes.post(f"{webhook}/edit", name="console_update_webhook")(update_webhook)
    routes.post(f"{webhook}/active", name="console_webhook_active")(set_webhook_active)
    routes.post(f"{webhook}/exercises", name="console_webhook_exercises")(set_webhook_exercises)
    routes.post(f"{webhook}/secret", name="console_webhook_secret")(rotate_secret)


def as_problem(request: web.Request, form: str, exc: errors.AlertsError) -> Problem:
    """The domain error `exc` on `form`, in the viewer's language."""
    return Problem(form=form, message=in_language(request[keys.LANG], exc.message), field=exc.field)


def posted(form: Form, names: tuple[str, ...]) -> dict[str, str]:
    return {name: form_text(form, name) for name in names}


async def overview(request: web.Request) -> web.Response:
    """Both lists, with what each channel and webhook received; actions for supervisors."""
    db = request.app[keys.DB]
    channels = await partners.list_regional_channels(db)
    gazetteer = request.app[keys.GEOCODER].gazetteer
    near = {c.id: gazetteer.nearest(c.lat, c.lon).name(request[keys.LANG]) for c in channels}
    return render(
        request, "console/partners.html", channels=channels, near=near,
        webhooks=await partners.list_partner_webhooks(db), formats=dict(FORMATS),
        done=DONE.get(request.query.get("done", ""), ""),
        can_change=request[keys.STAFF].is_supervisor,
    )  # fmt: skip


def see_list(done: str, section: str) -> web.HTTPSeeOther:
    return web.HTTPSeeOther(f"{LIST}?done={done}#{section}")


def form_page(
    request: web.Request,
    kind: str,
    item: partners.RegionalChannel | partners.PartnerWebhook | None,
    values: dict[str, str],
    problem: Problem | None = None,
    status: int = 200,
) -> web.Response:
    """The add (`item` None) or edit form of a `kind` ("channel" or "webhook"), with `values`
    in its fields and, when the form was refused, the problem."""
    template, context = FORM_PAGES[kind]
    return render(request, template, **{kind: item}, values=values, problem=problem,
                  status=status, **context)  # fmt: skip


# -- regional channels -------------------------------------------------------------------------


def channel_values(channel: partners.RegionalChannel) -> dict[str, str]:
    """The channel as its edit form shows it (the coordinates in full, so that saving the form
    unchanged changes nothing)."""
    return {
        "name": channel.name, "chat_id": channel.chat_id, "language": channel.language,
        "place": "", "lat": str(channel.lat), "lon": str(channel.lon),
        "radius_km": f"{channel.radius_km:g}",
    }  # fmt: skip


async def new_channel_form(request: web.Request) -> web.Response:
    partners.may_change(request[keys.STAFF])
    return form_page(request, "channel", None, {name: "" for name in CHANNEL_FORM})


async def add_channel(request: web.Request) -> web.Response:
    app, sent = request.app, posted(await request.post(), CHANNEL_FORM)
    try:
        await partners.register_regional_channel(
            app[keys.DB], app[keys.GEOCODER], request[keys.STAFF], sent
        )
    except (errors.InvalidInput, errors.Conflict) as exc:
        return form_page(
            request, "channel", None, sent, as_problem(request, "channel", exc), exc.status
        )
    raise see_list("channel_added", "regional-channels")


async def edit_channel_form(request: web.Request) -> web.Response:
    partners.may_change(request[keys.STAFF])
    channel = await partners.get_regional_channel(request.app[keys.DB], api.channel_id(request))
    return form_page(request, "channel", channel, channel_values(channel))


async def update_channel(request: web.Request) -> web.Response:
    app, form = request.app, await request.post()
    channel = await partners.get_regional_channel(app[keys.DB], api.channel_id(request))
    sent = posted(form, tuple(name for name in CHANNEL_FORM if name != "chat_id"))
    try:
        await partners.update_regional_channel(
            app[keys.DB], app[keys.GEOCODER], request[keys.STAFF], channel.id, sent
        )
    except errors.InvalidInput as exc:
        values = {**sent, "chat_id": channel.chat_id}
        problem = as_problem(request, "channel", exc)
        return form_page(request, "channel", channel, values, problem, exc.status)
    raise see_list("channel_saved", "regional-channels")


async def set_channel_active(request: web.Request) -> web.Response:
    app, form = request.app, await request.post()
    channel = await partners.update_regional_channel(
        app[keys.DB], app[keys.GEOCODER], request[keys.STAFF], api.channel_id(request),
        {"active": form_text(form, "active")},
    )  # fmt: skip
    raise see_list(
        "channel_reactivated" if channel.active else "channel_deactivated", "regional-channels"
    )


# -- partner webhooks --------------------------------------------------------------------------


def secret_page(
    request: web.Request, issued: partners.IssuedSecret, *, added: bool
) -> web.Response:
    """The page that shows a webhook's new secret, the only time anyone sees it."""
    return render(request, "console/partner_secret.html", webhook=issued.webhook,
                  secret=issued.secret, added=added, formats=dict(FORMATS))  # fmt: skip


async def new_webhook_form(request: web.Request) -> web.Response:
    partners.may_change(request[keys.STAFF])
    return form_page(
        request, "webhook", None, {"name": "", "url": "", "format": "", "language": "en"}
    )


async def add_webhook(request: web.Request) -> web.Response:
    sent = posted(await request.post(), WEBHOOK_FORM)
    try:
        issued = await partners.register_partner_webhook(
            request.app[keys.DB], request[keys.STAFF], sent
        )
    except (errors.InvalidInput, errors.Conflict) as exc:
        return form_page(
            request, "webhook", None, sent, as_problem(request, "webhook", exc), exc.status
        )
    return secret_page(request, issued, added=True)


async def edit_webhook_form(request: web.Request) -> web.Response:
    partners.may_change(request[keys.STAFF])
    webhook = await partners.get_partner_webhook(request.app[keys.DB], api.webhook_id(request))
    values = {name: getattr(webhook, name) for name in WEBHOOK_FORM}
    return form_page(request, "webhook", webhook, values)


async def update_webhook(request: web.Request) -> web.Response:
    db, form = request.app[keys.DB], await request.post()
    webhook = await partners.get_partner_webhook(db, api.webhook_id(request))
    sent = posted(form, WEBHOOK_FORM)
    try:
        await partners.update_partner_webhook(db, request[keys.STAFF], webhook.id, sent)
    except (errors.InvalidInput, errors.Conflict) as exc:
        problem = as_problem(request, "webhook", exc)
        return form_page(request, "webhook", webhook, sent, problem, exc.status)
    raise see_list("webhook_saved", "partner-webhooks")


async def set_webhook_active(request: web.Request) -> web.Response:
    form = await request.post()
    webhook = await partners.update_partner_webhook(
        request.app[keys.DB], request[keys.STAFF], api.webhook_id(request),
        {"active": form_text(form, "active")},
    )  # fmt: skip
    raise see_list(
        "webhook_reactivated" if webhook.active else "webhook_deactivated", "partner-webhooks"
    )


async def set_channel_exercises(request: web.Request) -> web.Response:
    app, form = request.app, await request.post()
    channel = await partners.update_regional_channel(
        app[keys.DB], app[keys.GEOCODER], request[keys.STAFF], api.channel_id(request),
        {"exercises": form_text(form, "exercises")},
    )  # fmt: skip
    raise see_list("exercises_on" if channel.exercises else "exercises_off", "regional-channels")


async def set_webhook_exercises(request: web.Request) -> web.Response:
    form = await request.post()
    webhook = await partners.update_partner_webhook(
        request.app[keys.DB], request[keys.STAFF], api.webhook_id(request),
        {"exercises": form_text(form, "exercises")},
    )  # fmt: skip
    raise see_list("exercises_on" if webhook.exercises else "exercises_off", "partner-webhooks")


async def rotate_secret(request: web.Request) -> web.Response:
    issued = await partners.rotate_partner_webhook_secret(
        request.app[keys.DB], request[keys.STAFF], api.webhook_id(request)
    )
    return secret_page(request, issued, added=False)
