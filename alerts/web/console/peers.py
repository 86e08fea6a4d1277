"""The console's pages of peer hotlines (alerts/peers): the list, with this hotline's own
certificate and address to hand to a peer, for every staff member; adding, deactivating and
reactivating a peer for supervisors and admins (alerts.peers refuses anyone else); on a case's
page, the peer it came from and the peers it was offered to, and the form that offers it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from aiohttp import web

from alerts import errors
from alerts.cases.consent import allows
from alerts.cases.models import Case, CaseState, Consent
from alerts.db.database import Database
from alerts.i18n import in_language
from alerts.outbox import pipeline
from alerts.peers import registry
from alerts.web import keys, paths
from alerts.web.api import handlers as api
from alerts.web.console import case_pages
from alerts.web.console.forms import N_, Problem, form_text, render

routes = web.RouteTableDef()
LIST = "/console/peers"
FORM = ("name", "display_name", "sender", "url", "certificate")
DONE = {
    "added": N_("The peer hotline was added: its signed alerts are taken as drafts from now on."),
    "deactivated": N_(
        "The peer hotline was deactivated: nothing is taken from it or sent to it any more."
    ),
    "reactivated": N_("The peer hotline is active again."),
    "offered": N_("The case was offered: the peers get it, then its updates and its cancel."),
}


@dataclass(frozen=True, kw_only=True)
class CasePeers:
    """What a case's page shows of peers."""

    origin: registry.Origin | None
    offers: list[registry.Offer]
    available: list[registry.PeerSummary]  # active peers it may still be offered to
    can_offer: bool
    done: str


async def case_context(
    db: Database, case: Case, consent: Consent | None, done: str = ""
) -> CasePeers:
    """The case page's part about peers."""
    offers = await registry.offers(db, case.id)
    offered = {offer.id for offer in offers}
    available = [p for p in await registry.list_all(db) if p.active and p.id not in offered]
    can_offer = case.state is CaseState.ACTIVE and allows(consent, "peer", datetime.now(UTC))
    return CasePeers(origin=await registry.origin(db, case.id), offers=offers,
                     available=available, can_offer=can_offer,
                     done=DONE.get(done, "") if done == "offered" else "")  # fmt: skip


def _own_certificate(request: web.Request) -> str:
    path = request.app[keys.SETTINGS].cap_signing_cert
    try:
        return Path(path).read_text(encoding="ascii") if path else ""
    except OSError:
        return ""


async def page(
    request: web.Request, values: dict[str, str] | None = None,
    problem: Problem | None = None, status: int = 200,
) -> web.Response:  # fmt: skip
    settings = request.app[keys.SETTINGS]
    return render(
        request, "console/peers.html", status=status,
        peers=await registry.list_all(request.app[keys.DB]),
        values=values or dict.fromkeys(FORM, ""), problem=problem,
        done=DONE.get(request.query.get("done", ""), ""),
        can_change=request[keys.STAFF].is_supervisor,
        own_sender=settings.public_base_url.split("//", 1)[-1].split("/", 1)[0].split(":")[0],
        own_address=settings.public_base_url.rstrip("/") + "/peers/",
        own_certificate=_own_certificate(request),
    )  # fmt: skip


@routes.get(LIST, name="console_peers")
async def overview(request: web.Request) -> web.Response:
    return await page(request)


@routes.post(LIST, name="console_add_peer")
async def add(request: web.Request) -> web.Response:
    form = await request.post()
    sent = {name: form_text(form, name) for name in FORM}
    try:
        await registry.add(request.app[keys.DB], request[keys.STAFF], sent)
    except (errors.InvalidInput, errors.Conflict) as exc:
        problem = Problem(form="peer", message=in_language(request[keys.LANG], exc.message),
                          field=exc.field)  # fmt: skip
        return await page(request, sent, problem, exc.status)
    raise web.HTTPSeeOther(f"{LIST}?done=added")


@routes.post(LIST + "/{peer_id}/active", name="console_peer_active")
async def set_active(request: web.Request) -> web.Response:
    active = form_text(await request.post(), "active") == "true"
    peer_id = paths.path_id(request, "peer_id", "No such peer.")
    await registry.set_active(request.app[keys.DB], request[keys.STAFF], peer_id, active)
    raise web.HTTPSeeOther(f"{LIST}?done={'reactivated' if active else 'deactivated'}")


@routes.post("/console/cases/{case_id}/peers", name="console_offer_to_peers")
async def offer(request: web.Request) -> web.Response:
    form = await request.post()
    case_id = api.case_id(request)
    chosen = [value for value in form.getall("peer", []) if isinstance(value, str)]
    try:
        if not chosen or not all(v.isascii() and v.isdigit() and len(v) <= 18 for v in chosen):
            raise errors.InvalidInput("Choose at least one peer hotline.", field="peer")
        peer_ids = [int(value) for value in chosen]
        await pipeline.offer_to_peers(request.app[keys.DB], request[keys.STAFF], case_id, peer_ids)
    except (errors.InvalidInput, errors.Conflict, errors.NotPublishable) as exc:
        problem = Problem(form="peers", message=in_language(request[keys.LANG], exc.message),
                          field=exc.field)  # fmt: skip
        return await case_pages.render_case(request, problem=problem, status=exc.status)
    raise web.HTTPSeeOther(f"/console/cases/{case_id}?peers=offered#peers")
