"""What the volunteers' task pages share: a poster round's and a field search's phone page
(`rounds.py`, `searches.py`) and their opt-ins on the data page.

A task page has no login: its link is signed for one volunteer and one task
(`alerts.volunteers.links.task_url`). `show` answers the page, or the refusal in the reader's
language; `submit` checks the form's token and action, does it, and answers the page again with
the error where it was refused, or sends the browser back to the page with a one-time notice.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from aiohttp import web

from alerts import errors
from alerts.db.database import Database
from alerts.i18n import gettext, language
from alerts.sightings.reports import ReportInvalid
from alerts.volunteers import manage_links
from alerts.volunteers import registry as volunteers
from alerts.volunteers.links import task_link_ok
from alerts.volunteers.registry import Volunteer, VolunteerError
from alerts.web import keys
from alerts.web.paths import path_id
from alerts.web.public.volunteer import Form, _csrf_ok, _field, problem, render

log = logging.getLogger(__name__)


class Page(Protocol):
    async def __call__(
        self, request: web.Request, task_id: int, volunteer: Volunteer, /, *, done: str = "",
        error: str = "", status: int = 200,
    ) -> web.Response: ...  # fmt: skip


Act = Callable[[web.Request, int, Volunteer, str, Form], Awaitable[None]]


@dataclass(frozen=True, kw_only=True)
class TaskPage:
    key: str  # the task's id in the path: 'round_id', 'search_id'
    missing: str  # the refusal of an id that cannot be one
    purpose: str  # what its links are signed for: 'posters', 'search'
    actions: tuple[str, ...]
    page: Page
    act: Act
    refused: str  # the template of a page that cannot be shown


async def show(request: web.Request, task: TaskPage) -> web.Response:
    """The task's page for the volunteer of the signed link."""
    found = await _volunteer(request, task)
    if isinstance(found, web.Response):
        return found
    try:
        return await task.page(request, *found, done=request.query.get("done", ""))
    except errors.AlertsError as exc:
        return refused(request, task.refused, exc)


async def submit(request: web.Request, task: TaskPage) -> web.Response:
    """Do the action of the page's form; the page again with the error when it was refused."""
    found = await _volunteer(request, task)
    if isinstance(found, web.Response):
        return found
    task_id, volunteer = found
    form = await request.post()
    if not _csrf_ok(request, form):
        return problem(request, "form_expired", 403)
    action = _field(form, "action")
    try:
        if action not in task.actions:
            raise errors.InvalidInput("This form cannot be used.")
        await task.act(request, task_id, volunteer, action, form)
    except ReportInvalid as exc:  # a find: the first of its problems
        first = next(iter(exc.problems.values()))
        with language(request[keys.LANG]):
            message = gettext(first.message, **first.values)
        return await task.page(request, task_id, volunteer, error=message, status=422)
    except errors.AlertsError as exc:
        try:
            with language(request[keys.LANG]):
                message = gettext(exc.message)
            return await task.page(request, task_id, volunteer, error=message,
                                   status=exc.status)  # fmt: skip
        except errors.AlertsError as gone:
            return refused(request, task.refused, gone)
    raise web.HTTPSeeOther(str(request.rel_url.update_query(done=action)))


def here(request: web.Request) -> str:
    """This page's address with its signature and language, without the one-time notice."""
    query = {k: v for k, v in request.query.items() if k != "done"}
    return str(request.rel_url.with_query(query))


def refused(request: web.Request, template: str, exc: errors.AlertsError) -> web.Response:
    with language(request[keys.LANG]):
        message = gettext(exc.message)
    return render(request, template, status=exc.status, message=message)


async def _volunteer(request: web.Request, task: TaskPage) -> tuple[int, Volunteer] | web.Response:
    task_id = path_id(request, task.key, task.missing)
    public_id = request.match_info["public_id"]
    settings = request.app[keys.SETTINGS]
    signature = request.query.get("sig", "")
    if not task_link_ok(settings, task.purpose, task_id, public_id, signature):
        return problem(request, "token_unknown", 403)
    volunteer = await volunteers.by_public_id(request.app[keys.DB], public_id)
    if volunteer is None or not volunteer.active:
        return problem(request, "token_unknown", 403)
    return task_id, volunteer


async def opt_in(
    request: web.Request,
    change: Callable[[Database, int, Form], Awaitable[bool]],
    action: str,
    refused_template: str,
) -> web.Response:
    """An opt-in form of the data page (its short-lived link): `change` applies the form and
    says whether the volunteer is now in; back to the data page."""
    db = request.app[keys.DB]
    try:
        opened = await manage_links.open_link(db, request.match_info["token"])
    except VolunteerError as exc:
        return problem(request, exc.key, 403)
    form = await request.post()
    if not _csrf_ok(request, form):
        return problem(request, "form_expired", 403)
    try:
        on = await change(db, opened.volunteer.id, form)
    except errors.InvalidInput as exc:
        return refused(request, refused_template, exc)
    log.info("opt-in changed", extra={"action": action, "on": on})
    raise web.HTTPSeeOther(
        f"/volunteer/data/{request.match_info['token']}?lang={request[keys.LANG]}"
    )
