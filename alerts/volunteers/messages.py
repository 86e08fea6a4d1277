"""What a volunteer reads about their own sign-up: the message of each refusal, their areas.

A VolunteerError names its message by a short key (the tests and the pages tell refusals apart
by it); the words are here, in English, and translated through the catalogs in the language of
the block that shows them (see alerts.i18n).
"""

from __future__ import annotations

from types import MappingProxyType

from alerts.i18n import N_, current, gettext

# The message of each VolunteerError key, and of the refusals the pages make themselves.
ERRORS = MappingProxyType(
    {
        "email_invalid": N_("Enter a valid e-mail address, such as name@example.be."),
        "place_required": N_("Enter a municipality, a postcode or an address."),
        "place_unknown": N_(
            "We cannot find this place. Try the name or the postcode of the municipality."
        ),
        "radius_invalid": N_("Choose a distance from the list."),
        "language_invalid": N_("Choose one of the languages."),
        "quiet_incomplete": N_("Enter both times, or leave both empty."),
        "time_invalid": N_("Enter a time such as 22:00."),
        "quiet_same": N_("The start and the end must be different."),
        "quiet_invalid": N_("Enter the quiet hours such as 22:00-07:00."),
        "area_label_invalid": N_("This area cannot be changed."),
        "form_expired": N_(
            "This form has expired or was not sent from this site. Please send it again."
        ),
        "too_many": N_("Too many sign-ups from this connection. Please try again in an hour."),
        "mail_failed": N_(
            "We could not send the e-mail just now. Please try again in a few minutes."
        ),
        "token_unknown": N_(
            "This link is not valid. Check that you opened the whole link from the e-mail, or "
            "sign up again."
        ),
        "token_used": N_(
            "This link has already been used: a confirmation link works only once. If you "
            "confirmed earlier, you are signed up."
        ),
        "token_expired": N_(
            "This link has expired: it was valid for 48 hours. Please sign up again."
        ),
        "link_invalid": N_(
            "This link is not valid. Please use the link from your most recent e-mail."
        ),
        "too_many_requests": N_(
            "Too many requests from this connection. Please try again in an hour."
        ),
        "manage_unknown": N_(
            "This link is not valid. Check that you opened the whole link from the e-mail, or "
            "ask for a new one."
        ),
        "manage_used": N_("This link can no longer be used: the data it opened has been deleted."),
        "manage_expired": N_(
            "This link has expired: it works for 30 minutes. Ask for a new one below; we send "
            "it to your address."
        ),
        "manage_old": N_(
            "Links to your data in earlier e-mails no longer work. Ask for a new link below; "
            "we send it to your address."
        ),
    }
)


def error(key: str) -> str:
    """The message of the refusal `key`, in the current language."""
    return gettext(ERRORS[key])


def km(lang: str, value: float) -> str:
    """A distance in km as the language writes it: 10, 2.5 (en) or 2,5 (nl, fr, de)."""
    shown = f"{value:g}"
    return shown if lang == "en" else shown.replace(".", ",")


def area(place: str, radius_km: float) -> str:
    """An area as a volunteer reads it ("near Gent, within 10 km"), in the current language."""
    return gettext("near %(place)s, within %(km)s km", place=place, km=km(current(), radius_km))
