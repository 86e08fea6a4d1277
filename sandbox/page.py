"""`/sandbox`: what each demo volunteer received, as their phone or inbox would show it.

Only `python run.py demo` registers this page (`setup(app, sandbox, sink)`), on the service's own
port; `serve` never does. It reads the Telegram sandbox's chats (each message with its state:
sent, edited, deleted), the SMTP sink's mailbox and the publication registry (which case a
message was for, and what the withdrawal recorded), and shows them per volunteer, for one case
or all. Everyone at a demo plays every role, so the page needs no login; it is in English only,
like the other developer tools, and its strings stay out of the staff catalogs. At the bottom,
the visitor can talk to the bot as a Telegram user (sandbox/bot_panel.py); those posts need
no CSRF token from an anonymous visitor, as all they can do is make the demo's sandbox user talk.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web
from markupsafe import Markup, escape

from alerts.db.database import Database
from alerts.geo.gazetteer import default_gazetteer, haversine_km
from alerts.i18n import BRUSSELS
from alerts.web import keys
from alerts.web.middlewares import public
from sandbox import bot_panel as sandbox_bot
from sandbox import demo_data
from sandbox.smtp_sink import ReceivedMail, SmtpSink
from sandbox.telegram.control import SandboxControl, SandboxControlError
from sandbox.telegram.records import MessageSnapshot

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"

SANDBOX = web.AppKey("demo_sandbox", SandboxControl)
SINK = web.AppKey("demo_sink", SmtpSink)
PATH = "/sandbox"
DIRECT = ("telegram_dm", "email")
_URL = re.compile(r"https?://[^\s<>\"']+")

Row = Mapping[str, Any]


def setup(app: web.Application, sandbox: SandboxControl, sink: SmtpSink) -> None:
    """Serve the page on `app`, and link to it from the console's case pages."""
    app[SANDBOX] = sandbox
    app[SINK] = sink
    app.router.add_get(PATH, sandbox_page, name="sandbox")
    app.router.add_get(PATH + "/photos/{file_id}", sandbox_photo, name="sandbox_photo")
    app.router.add_post(PATH + "/bot/say", bot_say, name="sandbox_bot_say")
    app.router.add_post(PATH + "/bot/press", bot_press, name="sandbox_bot_press")
    templates = app[keys.TEMPLATES]
    # The sandbox's own templates (sandbox/templates) beside the service's.
    templates.loader = jinja2.ChoiceLoader(
        [jinja2.FileSystemLoader(TEMPLATE_DIR), *([templates.loader] if templates.loader else [])]
    )
    templates.globals["sandbox_url"] = PATH
    templates.filters["brussels"] = brussels
    templates.filters["linked"] = linked
    sandbox_bot.ensure_user(sandbox)


@dataclass(frozen=True, kw_only=True)
class Received:
    """One thing a volunteer received: a Telegram message or an e-mail."""

    channel: str  # telegram or email
    at: datetime
    # Telegram: sent, edited or deleted. E-mail: sent, or "deletion request" (a delivered
    # e-mail cannot be taken back; the withdrawal asks its recipient to delete it).
    state: str
    text: Markup
    subject: str = ""
    earlier: tuple[Markup, ...] = ()
    photo: str | None = None
    case: str | None = None
    registry: str | None = None


@dataclass(frozen=True, kw_only=True)
class Person:
    """A volunteer as the page shows them, with what they received."""

    anchor: str
    name: str
    place: str
    channel: str
    language: str
    radius_km: float | None
    active: bool
    distance_km: float | None
    matched: bool
    received: tuple[Received, ...]


@dataclass(frozen=True, kw_only=True)
class Registry:
    """The registry's view of the sent messages: (channel, address, external id) -> row."""

    rows: Mapping[tuple[str, str, str], Row]

    def find(self, channel: str, address: str, external_id: str) -> Row | None:
        return self.rows.get((channel, address, external_id))


@public
async def sandbox_page(request: web.Request) -> web.Response:
    """The page: one case (`?case=REFERENCE`) or all, people filtered by `?who=`."""
    db, control = request.app[keys.DB], request.app[SANDBOX]
    cases = await db.fetch("demo_cases")
    chosen = next((c for c in cases if c["reference"] == request.query.get("case")), None)
    mails = request.app[SINK].messages
    people, addresses = await _people(db, control, mails, chosen)
    context = _context(people, cases, chosen, request.query.get("who", "").strip())
    session = request.get(keys.SESSION)  # a signed-in staff member's posts carry its token
    context.update(
        other_mail=[_mail(m, None) for m in mails if not addresses.intersection(m.rcpt_tos)],
        live=request.query.get("live") == "1", bot_chat=sandbox_bot.chat(control),
        csrf_token=session.csrf_token if session else "",
    )  # fmt: skip
    html = request.app[keys.TEMPLATES].get_template("sandbox/page.html").render(context)
    return web.Response(text=html, content_type="text/html", headers={"Cache-Control": "no-store"})


async def _people(
    db: Database, control: SandboxControl, mails: list[ReceivedMail], chosen: Row | None
) -> tuple[list[Person], set[str]]:
    """Every volunteer with what they received (for the chosen case), and their addresses."""
    registry = Registry(rows={
        (r["channel"], r["address"], r["external_id"]): r
        for r in await db.fetch("demo_sent_messages", list(DIRECT))
    })  # fmt: skip
    matched: set[int] = set()
    if chosen is not None:
        matched = {r["volunteer_id"] for r in await db.fetch("demo_case_targets", chosen["id"])}
    rows = await db.fetch("demo_volunteers")
    people = [_person(r, control, mails, registry, chosen, r["id"] in matched) for r in rows]
    return people, {row["email"] for row in rows if row["email"]}


@public
async def sandbox_photo(request: web.Request) -> web.Response:
    """A photo a Telegram message carries, as the sandbox stored it."""
    try:
        data = request.app[SANDBOX].file_bytes(request.match_info["file_id"])
    except SandboxControlError:
        raise web.HTTPNotFound() from None
    return web.Response(body=data, content_type="image/jpeg", headers={"Cache-Control": "no-store"})


@public
async def bot_say(request: web.Request) -> web.Response:
    """The visitor writes to the bot (as the sandbox user "You")."""
    form = await request.post()
    text = form.get("text", "")
    await sandbox_bot.say(request.app[SANDBOX], text if isinstance(text, str) else "")
    raise web.HTTPSeeOther(PATH + "#bot")


@public
async def bot_press(request: web.Request) -> web.Response:
    """The visitor taps a button of one of the bot's messages."""
    form = await request.post()
    message_id, data = form.get("message_id", ""), form.get("data", "")
    if isinstance(message_id, str) and message_id.isdigit() and isinstance(data, str):
        await sandbox_bot.press(request.app[SANDBOX], int(message_id), data)
    raise web.HTTPSeeOther(PATH + "#bot")


def _context(
    people: list[Person], cases: list[Row], chosen: Row | None, who: str
) -> dict[str, Any]:
    """The template's context: people who received something (or were matched) first."""

    def order(person: Person) -> tuple[float, str]:
        return (person.distance_km or 0.0, person.name) if chosen else (0.0, person.name)

    shown = [p for p in people if _wanted(p, who)]
    reached = sorted((p for p in shown if p.received or p.matched), key=order)
    others = sorted((p for p in shown if not (p.received or p.matched)), key=order)
    return {
        "cases": cases, "chosen": chosen, "who": who, "reached": reached, "others": others,
        "total": len(people), "summary": summarise(p for p in people if p.received or p.matched),
    }  # fmt: skip


def _wanted(person: Person, who: str) -> bool:
    """Whether a word of the person's name or place starts with `who` ('Ana', not 'Manage')."""
    if not who:
        return True
    words = re.compile(r"\b" + re.escape(who.casefold()))
    return bool(words.search(f"{person.name} {person.place}".casefold()))


# -- one volunteer -------------------------------------------------------------------------------


def _person(
    row: Row,
    control: SandboxControl,
    mails: list[ReceivedMail],
    registry: Registry,
    chosen: Row | None,
    matched: bool,
) -> Person:
    chat, email = row["telegram_chat_id"], row["email"]
    received = [*_telegram(control, chat, registry), *_mails(mails, email, registry)]
    if chosen is not None:
        received = [r for r in received if r.case == chosen["reference"]]
    demo = _demo_person(chat, email)
    distance = None
    if chosen is not None and row["lat"] is not None and chosen["last_seen_lat"] is not None:
        distance = haversine_km(
            row["lat"], row["lon"], chosen["last_seen_lat"], chosen["last_seen_lon"]
        )
    return Person(
        anchor=f"t{chat}" if chat is not None else f"m{row['id']}",
        name=demo.name if demo else _newcomer(control, chat, email),
        place=demo.place_name if demo else _place(row),
        channel=_channels(chat, email), language=row["language"], radius_km=row["radius_km"],
        active=row["active"], distance_km=distance, matched=matched,
        received=tuple(sorted(received, key=lambda r: r.at)),
    )  # fmt: skip


def _demo_person(chat: int | None, email: str | None) -> demo_data.DemoVolunteer | None:
    if chat is not None:
        return demo_data.by_chat_id().get(chat)
    return demo_data.by_email().get(email or "")


def _newcomer(control: SandboxControl, chat: int | None, email: str | None) -> str:
    """Someone who signed up during the demo: their address, or their Telegram name."""
    if email:
        return email
    try:
        return f"{control.user(chat or 0).first_name} (Telegram)"
    except SandboxControlError:
        return "Telegram user"


def _place(row: Row) -> str:
    if row["lat"] is None:
        return "no area"
    return default_gazetteer().nearest(row["lat"], row["lon"]).name("en")


def _channels(chat: int | None, email: str | None) -> str:
    return " and ".join(name for name, on in (("Telegram", chat), ("e-mail", email)) if on)


def _telegram(control: SandboxControl, chat: int | None, registry: Registry) -> list[Received]:
    if chat is None:
        return []
    return [_message(m, registry) for m in control.messages(chat) if m.from_bot]


def _message(message: MessageSnapshot, registry: Registry) -> Received:
    row = registry.find("telegram_dm", str(message.chat_id), str(message.message_id))
    state = "deleted" if message.deleted else "edited" if message.edited else "sent"
    earlier = tuple(linked(v.text or v.caption or "") for v in message.history[:-1])
    photo = None
    if message.photo_file_id and not message.deleted:
        photo = f"{PATH}/photos/{message.photo_file_id}"
    return Received(
        channel="telegram", at=_time(message.edit_date or message.date), state=state,
        text=linked(message.text or message.caption or ""), earlier=earlier, photo=photo,
        case=row["reference"] if row else None, registry=_registry_state(row),
    )  # fmt: skip


def _mails(mails: list[ReceivedMail], email: str | None, registry: Registry) -> list[Received]:
    """The e-mails to `email`: alerts (their Message-ID is in the registry) and the requests to
    delete one (threaded under it with In-Reply-To) that its withdrawal sent."""
    if email is None:
        return []
    found = []
    for mail in mails:
        if email not in mail.rcpt_tos:
            continue
        row = registry.find("email", email, str(mail.message.get("Message-ID", "")))
        if row is not None:
            found.append(_mail(mail, row))
            continue
        row = registry.find("email", email, str(mail.message.get("In-Reply-To", "")))
        found.append(_mail(mail, row, "deletion request" if row else "sent"))
    return found


def _mail(mail: ReceivedMail, row: Row | None, state: str = "sent") -> Received:
    return Received(
        channel="email", at=datetime.fromtimestamp(mail.received_at, UTC), state=state,
        text=linked(mail.text or ""), subject=mail.subject,
        case=row["reference"] if row else None, registry=_registry_state(row),
    )  # fmt: skip


def _registry_state(row: Row | None) -> str | None:
    if row is None:
        return None
    reason = f" ({row['end_reason']})" if row["end_reason"] else ""
    return f"{row['state']}{reason}"


def _time(unix: int) -> datetime:
    return datetime.fromtimestamp(unix, UTC)


def linked(text: str) -> Markup:
    """`text` escaped, its web addresses made links, its line breaks kept."""
    parts: list[str] = []
    last = 0
    for found in _URL.finditer(text):
        url = found.group(0).rstrip(".,;:)")
        end = found.start() + len(url)
        parts.append(str(escape(text[last : found.start()])))
        parts.append(f'<a href="{escape(url)}">{escape(url)}</a>')
        last = end
    parts.append(str(escape(text[last:])))
    return Markup("".join(parts))  # noqa: S704 - every part above is escaped


# -- the summary of a case -------------------------------------------------------------------------


def summarise(people: Iterable[Person]) -> dict[str, int]:
    """How many messages are in each state, per channel, across `people`."""
    counts = dict.fromkeys(("matched", "telegram_sent", "telegram_edited", "telegram_deleted"), 0)
    counts.update(email=0, email_deletion=0)
    for person in people:
        counts["matched"] += 1 if person.matched else 0
        for item in person.received:
            if item.channel == "telegram":
                counts[f"telegram_{item.state}"] += 1
            else:
                counts["email" if item.state == "sent" else "email_deletion"] += 1
    return counts


def brussels(value: datetime) -> str:
    return value.astimezone(BRUSSELS).strftime("%H:%M:%S")
