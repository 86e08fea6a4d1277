"""The publication registry in words, in the staff member's language: channels, targets and
states as a person reads them ("Volunteer V-7F3A0C2B · Telegram · 12 km", "Poster (fr)",
"Waiting for quiet hours to end"), never the registry's identifiers (`telegram_dm`, `case_page`).

Volunteers stay pseudonyms (alerts.volunteers.pseudonyms): never an address or a chat id.
The templates call these through the globals `setup` adds; they run inside the page's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from alerts.i18n import N_, gettext
from alerts.web import keys

# What each registry channel is, as the summary names it.
CHANNELS: Mapping[str, str] = {
    "telegram_dm": N_("Volunteers · Telegram"),
    "email": N_("Volunteers · E-mail"),
    "sms": N_("Volunteers · SMS"),
    "telegram_channel": N_("Regional channels · Telegram"),
    "webhook": N_("Partner webhooks"),
    "peer": N_("Peer hotlines"),
    "case_page": N_("Case page"),
    "poster": N_("Posters"),
    "image": N_("Images for social networks"),
    "feed": N_("Feeds"),
    "press": N_("Press"),
    "social": N_("Posts made by hand"),
}
# The medium of a message to a volunteer.
MEDIA: Mapping[str, str] = {
    "telegram_dm": N_("Telegram"),
    "email": N_("E-mail"),
    "sms": N_("SMS"),
}
STATES: Mapping[str, str] = {
    "pending": N_("waiting to be sent"),
    "sending": N_("being sent"),
    "sent": N_("sent"),
    "failed": N_("not delivered"),
    "cancelled": N_("never sent"),
    "superseded": N_("replaced by a later revision"),
    "withdrawing": N_("being withdrawn"),
    "withdrawn": N_("withdrawn"),
    "neutralised": N_("replaced by a neutral notice"),
    "manual": N_("a person must act"),
}
# What the service hosts itself: "online" rather than "sent".
HOSTED = frozenset({"case_page", "poster", "image", "feed"})
ONLINE = N_("online")
QUIET_HOURS = N_("waiting for quiet hours to end")
RETRYING = N_("waiting to try again")


def channel_words(channel: str) -> str:
    """The channel as the summary names it."""
    return gettext(CHANNELS[channel]) if channel in CHANNELS else gettext("Other channel")


def is_hosted(channel: str, target: str) -> bool:
    return channel in HOSTED or (channel == "press" and target == "press-room")


def state_words(channel: str, state: str, target: str = "") -> str:
    """A registry state in words; what the service hosts is "online" when it stands."""
    if state == "sent" and is_hosted(channel, target):
        return gettext(ONLINE)
    return gettext(STATES[state]) if state in STATES else gettext("unknown")


def row_state_words(row: Mapping[str, Any], now: datetime | None = None) -> str:
    """The state of one registry row; a message held until later says why it waits."""
    state = row["state"]
    due = row.get("next_attempt_at")
    if state == "pending" and due is not None and due > (now or datetime.now(UTC)):
        return gettext(RETRYING if row.get("attempts") else QUIET_HOURS)
    return state_words(row["channel"], state, str(row.get("target", "")))


def _in_language(text: str, language: str | None) -> str:
    return f"{text} ({language})" if language else text


def target_words(row: Mapping[str, Any]) -> str:
    """Where one publication went or stands, in words. A volunteer's row must already carry its
    pseudonym as `target` (pseudonyms.for_staff)."""
    channel, target = row["channel"], str(row.get("target", ""))
    language = row.get("language")
    if channel in MEDIA:
        parts = [gettext("Volunteer %(name)s", name=target), gettext(MEDIA[channel])]
        distance = row.get("distance_km")
        if distance:
            parts.append(gettext("%(km)s km", km=round(float(distance))))
        return " · ".join(parts)
    if channel == "telegram_channel":
        return _in_language(gettext("Regional channel · Telegram"), language)
    if channel == "webhook":
        return _in_language(gettext("Partner webhook"), language)
    if channel == "peer":  # the signed CAP in every language of the case
        return gettext("Peer hotline")
    if channel == "case_page":
        return (
            gettext("Photo on the case page")
            if target.startswith("photo")
            else gettext("Case page")
        )
    if channel == "poster":
        return _in_language(gettext("Poster"), language)
    if channel == "image":
        kind = (
            gettext("Image for stories")
            if target.startswith("story")
            else gettext("Image for posts")
        )
        return _in_language(kind, language)
    if channel == "feed":
        return gettext("CAP feed") if target == "cap" else gettext("Atom feed")
    if channel == "press":
        if target == "press-room":
            return gettext("Press room")
        return gettext("Press outlet") if target.startswith("outlet") else gettext("Press")
    if channel == "social":
        return gettext("Post made by hand")
    return channel_words(channel)


def setup(app: web.Application) -> None:
    """Give the console's templates the registry in words."""
    templates = app[keys.TEMPLATES].globals
    templates["channel_words"] = channel_words
    templates["state_words"] = state_words
    templates["row_state_words"] = row_state_words
    templates["target_words"] = target_words
