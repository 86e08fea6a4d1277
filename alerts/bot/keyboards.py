"""The bot's buttons, in the volunteer's language; callback data is `<kind>:<argument>`."""

from __future__ import annotations

from types import MappingProxyType

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from alerts.volunteers.registry import RADIUS_CHOICES
from alerts.volunteers.texts import LANGUAGE_NAMES, text

# The quiet hours offered as buttons: callback argument -> the hours as a person types them.
QUIET_PRESETS = MappingProxyType(
    {"2200-0700": "22:00-07:00", "2300-0700": "23:00-07:00", "0000-0600": "00:00-06:00"}
)


def _button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data)


def languages() -> InlineKeyboardMarkup:
    buttons = [_button(name, f"lang:{code}") for code, name in LANGUAGE_NAMES.items()]
    return InlineKeyboardMarkup([buttons[:2], buttons[2:]])


def location(lang: str) -> ReplyKeyboardMarkup:
    """The button that shares the phone's location; it hides once used."""
    share = KeyboardButton(text(lang, "share_location_button"), request_location=True)
    return ReplyKeyboardMarkup(
        [[share]],
        resize_keyboard=True,
        one_time_keyboard=True,
        input_field_placeholder=text(lang, "place_placeholder"),
    )


def radii() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(f"{r} km", f"radius:{r}") for r in RADIUS_CHOICES]])


def confirm(lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [_button(text(lang, "confirm_button"), "confirm:yes")],
            [_button(text(lang, "restart_button"), "confirm:again")],
        ]
    )


def settings(lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _button(text(lang, "button_language"), "set:lang"),
                _button(text(lang, "button_home"), "set:home"),
            ],
            [
                _button(text(lang, "button_work"), "set:work"),
                _button(text(lang, "button_quiet"), "set:quiet"),
            ],
            [_button(text(lang, "button_data"), "set:data")],
        ]
    )


def area(lang: str, label: str) -> InlineKeyboardMarkup:
    rows = [
        [_button(text(lang, "button_change_place"), f"area:{label}:place")],
        [_button(text(lang, "button_change_radius"), f"area:{label}:radius")],
    ]
    if label != "home":
        rows.append([_button(text(lang, "button_remove_work"), f"area:{label}:remove")])
    return InlineKeyboardMarkup(rows)


def quiet(lang: str) -> InlineKeyboardMarkup:
    rows = [
        [_button(shown.replace("-", "–"), f"quiet:{key}")] for key, shown in QUIET_PRESETS.items()
    ]
    rows.append([_button(text(lang, "quiet_off_button"), "quiet:off")])
    return InlineKeyboardMarkup(rows)


def data(lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(text(lang, "button_delete_data"), "data:delete")]])


def delete(lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [_button(text(lang, "button_delete_yes"), "data:delete-yes")],
            [_button(text(lang, "button_cancel"), "data:cancel")],
        ]
    )
