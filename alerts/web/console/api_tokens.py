"""The console's page of API tokens, for admins only: every token with whom it acts for, its
scopes, when it was made, when it ends and when it was last used (never its secret); a revoke
button on each; a form that makes one and shows its secret once, on the page that answers the
form (never in an address or a redirect). Making a token asks for the admin's password, like
approve and close: a token with the approve scope approves without one."""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

from alerts import errors
from alerts.i18n import in_language
from alerts.staff import tokens
from alerts.staff.models import Staff
from alerts.web import keys
from alerts.web.api import handlers as api
from alerts.web.console.forms import N_, Problem, form_text, render
from alerts.web.paths import path_id

PAGE = "/console/tokens"
SCOPES = (
    ("read", N_("Read: cases, publications, the audit log")),
    ("write", N_("Write: create and change cases, consents, photos, partners")),
    ("approve", N_("Approve: approve and close cases, without a password")),
)
DONE = {"revoked": N_("The API token was revoked: it no longer works.")}


def add_routes(routes: web.RouteTableDef) -> None:
    """Put these pages on `routes` (the console's table)."""
    routes.get(PAGE, name="console_tokens")(overview)
    routes.post(PAGE, name="console_create_token")(create)
    routes.post(PAGE + "/{token_id}/revoke", name="console_revoke_token")(revoke)


def admin_only(staff: Staff) -> None:
    if not staff.is_admin:
        raise errors.Forbidden("Only admins can see and manage API tokens.")


async def page(
    request: web.Request,
    *,
    values: Mapping[str, object] | None = None,
    issued: tokens.Issued | None = None,
    problem: Problem | None = None,
    status: int = 200,
) -> web.Response:
    db = request.app[keys.DB]
    defaults = {"username": "", "name": "", "days": str(tokens.DEFAULT_DAYS),
                "scopes": [s.value for s in tokens.DEFAULT_SCOPES]}  # fmt: skip
    return render(
        request, "console/api_tokens.html", tokens=await tokens.list_tokens(db),
        accounts=await db.fetch("list_active_staff"), scopes=SCOPES, issued=issued,
        values=values or defaults, problem=problem, max_days=tokens.MAX_DAYS,
        done=DONE.get(request.query.get("done", ""), ""), status=status,
    )  # fmt: skip


async def overview(request: web.Request) -> web.Response:
    admin_only(request[keys.STAFF])
    return await page(request)


def _days(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise errors.InvalidInput("A token lasts from 1 to 365 days.", field="days") from None


def _problem(request: web.Request, exc: errors.AlertsError) -> Problem:
    """The refusal `exc` on the token form, next to the field it concerns."""
    field = exc.field
    if isinstance(exc, errors.Unauthenticated | errors.ReauthRequired):
        field = "password"
    elif isinstance(exc, errors.NotFound):
        field = "username"
    return Problem(form="token", message=in_language(request[keys.LANG], exc.message), field=field)


async def create(request: web.Request) -> web.Response:
    """Make a token (after the admin's password) and show its secret, once."""
    admin_only(request[keys.STAFF])
    form = await request.post()
    scopes = [v for v in form.getall("scopes", []) if isinstance(v, str)]
    username, name, days = (form_text(form, n) for n in ("username", "name", "days"))
    try:
        await api.reauth_from_body(request, {"password": form_text(form, "password")})
        issued = await tokens.create(
            request.app[keys.DB], username=username, name=name, scopes=scopes, days=_days(days),
            created_by=request[keys.STAFF].id,
        )  # fmt: skip
    except (errors.InvalidInput, errors.NotFound, errors.Unauthenticated, errors.ReauthRequired,
            errors.TooManyRequests) as exc:  # fmt: skip
        sent = {"username": username, "name": name, "days": days, "scopes": scopes}
        return await page(request, values=sent, problem=_problem(request, exc), status=exc.status)
    return await page(request, issued=issued)


async def revoke(request: web.Request) -> web.Response:
    admin_only(request[keys.STAFF])
    token_id = path_id(request, "token_id", "No such API token.")
    await tokens.revoke(request.app[keys.DB], token_id, by=request[keys.STAFF].id)
    raise web.HTTPSeeOther(f"{PAGE}?done=revoked")
