"""What the API accepts about regional Telegram channels and partner webhooks, as pydantic
models (see `alerts.web.api.models`)."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import ConfigDict, Field
from pydantic.config import JsonDict

from alerts.web.api.models import LINE_PATTERN, TEXT_PATTERN, Body, Language, text

# A channel's @username, or a group's negative id (never a person's private chat).
# A channel's t.me link is read as its @username.
CHAT_ID = (
    r"^(-[1-9][0-9]{0,15}|@[A-Za-z][A-Za-z0-9_]{4,31}"
    r"|(https?://)?t\.me/[A-Za-z][A-Za-z0-9_]{4,31}/?)$"
)

Name = Annotated[str, text(100, line=True, min_length=1)]
PORT = r"(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})"
WEBHOOK_URL = rf"^[hH][tT][tT][pP][sS]?://[A-Za-z0-9.-]+(:{PORT})?(/[A-Za-z0-9._~/?=&%-]*)?$"


class _Centre(Body):
    """The centre of a regional channel and its radius."""

    lat: float = Field(0.0, ge=-90, le=90)
    lon: float = Field(0.0, ge=-180, le=180)
    place: str = Field(
        "",
        max_length=200,
        pattern=TEXT_PATTERN,
        description="A Belgian municipality or postcode, geocoded into the centre (instead of "
        "lat and lon)",
    )
    radius_km: float = Field(10.0, ge=0.1, le=500)


_PLACE_GIVEN: JsonDict = {"required": ["place"], "properties": {"place": {"pattern": LINE_PATTERN}}}


class ChannelInput(_Centre):
    """A regional Telegram channel: the centre is lat and lon, or a place."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Gent",
                    "chat_id": "@alerts_gent",
                    "language": "nl",
                    "place": "9000 Gent",
                    "radius_km": 20,
                }
            ],
            "anyOf": [{"required": ["lat", "lon"]}, _PLACE_GIVEN],
        }
    )

    name: Name
    chat_id: str = Field(
        pattern=CHAT_ID,
        description="The channel's @username (or its t.me link), or its numeric id (such as "
        "-1001234567890)",
    )
    language: Language
    radius_km: float = Field(ge=0.1, le=500)


class ChannelPatch(_Centre):
    """What changes: a new centre is lat and lon, or a place."""

    refused: ClassVar[dict[str, str]] = {
        "chat_id": "The chat id cannot be changed: add the new channel and deactivate this one."
    }

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"active": False}],
            "anyOf": [
                {"required": ["lat", "lon"]},
                _PLACE_GIVEN,
                {"properties": {"lat": False, "lon": False}},
            ],
        }
    )

    name: Name = ""
    language: Language = "en"
    active: bool = True
    exercises: bool = Field(False, description="It takes exercise cases too (off by default)")


class WebhookInput(Body):
    """A partner webhook: where alerts go, and in which format."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Partner",
                    "url": "https://partner.example/alerts",
                    "format": "cap",
                    "language": "fr",
                }
            ]
        }
    )

    name: Name
    url: str = Field(max_length=500, pattern=WEBHOOK_URL, description="http(s); unique")
    format: Literal["json", "cap"]
    language: Language = "en"


class WebhookPatch(Body):
    """What changes in a partner webhook."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"active": False}]})

    name: Name = ""
    url: str = Field("", max_length=500, pattern=WEBHOOK_URL, description="http(s); unique")
    format: Literal["json", "cap"] = "json"
    language: Language = "en"
    active: bool = True
    exercises: bool = Field(False, description="It takes exercise cases too (off by default)")
