"""The bot's buttons, in the current language (see alerts.i18n); callback data is
`<kind>:<argument>`."""

from __future__ import annotations

from types import MappingProxyType

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from alerts.i18n import LANGUAGES, gettext, language_name
from alerts.volunteers.registry import RADIUS_CHOICES

# The quiet hours offered as buttons: callback argument -> the hours as a person types them.
QUIET_PRESETS = MappingProxyType(
    {"2200-0700": "22:00-07:00", "2300-0700": "23:00-07:00", "0000-0600": "00:00-06:00"}
)


def _button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data)


def languages() -> InlineKeyboardMarkup:
    buttons = [_button(language_name(code), f"lang:{code}") for code in LANGUAGES]
    return InlineKeyboardMarkup([buttons[:2], buttons[2:]])


def location() -> ReplyKeyboardMarkup:
    """The button that shares the phone's location; it hides once used."""
    share = KeyboardButton(gettext("📍 Share my location"), request_location=True)
    return ReplyKeyboardMarkup(
        [[share]],
        resize_keyboard=True,
        one_time_keyboard=True,
        input_field_placeholder=gettext("Municipality or postcode"),
    )


def radii() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(f"{r} km", f"radius:{r}") for r in RADIUS_CHOICES]])


def confirm() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [_button(gettext("✅ Yes, sign me up"), "confirm:yes")],
            [_button(gettext("↩️ Another place"), "confirm:again")],
        ]
    )


def settings() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _button(gettext("🌐 Language"), "set:lang"),
                _button(gettext("🏠 Home"), "set:home"),
            ],
            [
                _button(gettext("🏢 Work"), "set:work"),
                _button(gettext("🌙 Quiet hours"), "set:quiet"),
            ],
            [_button(gettext("📄 My data"), "set:data")],
            [_button(gettext("🧪 Exercises"), "set:exercises")],
            [_button(gettext("🔎 Field searches"), "fs:menu")],
            [_button(gettext("🖼 Posters"), "po:menu")],
        ]
    )


def area(label: str) -> InlineKeyboardMarkup:
    rows = [
        [_button(gettext("📍 Another place"), f"area:{label}:place")],
        [_button(gettext("📏 Another distance"), f"area:{label}:radius")],
    ]
    if label != "home":
        rows.append([_button(gettext("🗑 Remove the work area"), f"area:{label}:remove")])
    return InlineKeyboardMarkup(rows)


def quiet() -> InlineKeyboardMarkup:
    rows = [
        [_button(shown.replace("-", "–"), f"quiet:{key}")] for key, shown in QUIET_PRESETS.items()
    ]
    rows.append([_button(gettext("No quiet hours"), "quiet:off")])
    return InlineKeyboardMarkup(rows)


def data() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(gettext("🗑 Delete all my data"), "data:delete")]])


def delete() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [_button(gettext("Yes, delete everything"), "data:delete-yes")],
            [_button(gettext("Cancel"), "data:cancel")],
        ]
    )
