"""What the API accepts, declared once as pydantic models: the request bodies and query strings.
`alerts.web.api.inputs` validates requests with them and `alerts.web.api.openapi` describes them
in /api/openapi.json, so the description and the validation cannot drift apart. Every rule the
domain applies to a field is stated here (a pattern, a range, an enum), so that nothing the
description allows is refused by a rule it does not state."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic.config import JsonDict

from alerts.cases.models import CaseKind, CaseState, CloseReason, NameMode, PlacePrecision
from alerts.errors import InvalidInput

Language = Literal["nl", "fr", "de", "en"]
# No control characters but tab and line breaks (PostgreSQL refuses NUL; the pages show text).
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
# One line, no control characters, not blank: names.
LINE_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
ID_MAX = 2**62
POST_URL = r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/?=&%+#@:,;!*'()$-]*)?$"


def _moment(value: str) -> str:
    """`value`, checked as the domain reads it (ISO 8601 by `datetime.fromisoformat`)."""
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            "not a date and time (ISO 8601, such as 2026-05-01T14:30:00+02:00)"
        ) from None
    return value


# RFC 3339 with a capital T and Z; the year between 1900 and 2200; no leap second.
MOMENT = (
    r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
)
DateTime = Annotated[
    str,
    Field(pattern=MOMENT, json_schema_extra={"format": "date-time"}),
    AfterValidator(_moment),
]


def _whole(value: Any) -> Any:
    """A whole number sent as 16.0 is the integer 16, as JSON Schema reads it."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# Whole numbers in a range (16.0 read as 16).
Age = Annotated[int, Field(ge=0, le=25), BeforeValidator(_whole)]
Height = Annotated[int, Field(ge=30, le=230), BeforeValidator(_whole)]
Level = Annotated[int, Field(ge=0, le=3), BeforeValidator(_whole)]


def text(limit: int, *, line: bool = False, min_length: int = 0) -> Any:
    """A string of at most `limit` characters, without control characters (and on one line,
    not blank, when `line`), for `Annotated`."""
    return Field(
        max_length=limit,
        min_length=min_length,
        pattern=LINE_PATTERN if line else TEXT_PATTERN,
    )


# The case's texts, by their limits (alerts.cases.fields.TEXT_LIMITS; a test compares them).
Text100 = Annotated[str, text(100)]
Text200 = Annotated[str, text(200)]
Text300 = Annotated[str, text(300)]
Text1000 = Annotated[str, text(1000)]
Text2000 = Annotated[str, text(2000)]


class Body(BaseModel):
    """A JSON request body: unknown fields are refused, types are not coerced."""

    model_config = ConfigDict(extra="forbid", strict=True)
    # Why a field is refused, for the fields a client might try (an unknown field otherwise).
    refused: ClassVar[dict[str, str]] = {}


class Change(Body):
    """An edit: at least one field."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    @model_validator(mode="before")
    @classmethod
    def _something(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data:
            raise ValueError("send at least one field to change")
        return data


class Query(BaseModel):
    """A query string: its values are text, converted to the field's type."""

    model_config = ConfigDict(extra="ignore")


# -- cases ---------------------------------------------------------------------------------------

_BOTH_OR_NEITHER: JsonDict = {
    "description": "The point last seen: both last_seen_lat and last_seen_lon, or neither",
    "anyOf": [
        {"properties": {"last_seen_lat": {"type": "null"}, "last_seen_lon": {"type": "null"}}},
        {
            "required": ["last_seen_lat", "last_seen_lon"],
            "properties": {
                "last_seen_lat": {"type": "number"},
                "last_seen_lon": {"type": "number"},
            },
        },
    ],
}


class CaseFields(Body):
    """The fields of a case a staff member fills in (all optional in an edit)."""

    model_config = ConfigDict(json_schema_extra=_BOTH_OR_NEITHER)

    first_name: Text100 = ""
    last_name: Text100 = ""
    build: Text200 = ""
    hair: Text200 = ""
    eyes: Text200 = ""
    clothing: Text1000 = ""
    marks: Text1000 = ""
    description: Text2000 = ""
    last_seen_place: str = Field(
        "",
        max_length=300,
        pattern=TEXT_PATTERN,
        description="Geocoded into last_seen_lat and last_seen_lon when no point is given",
    )
    police_reference: Text100 = ""
    age: Age | None = None
    sex: Literal["female", "male", "other"] | None = None
    height_cm: Height | None = None
    last_seen_at: DateTime | None = None
    last_seen_lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    last_seen_lon: Annotated[float, Field(ge=-180, le=180)] | None = None
    search_radius_km: float = Field(10.0, ge=0.1, le=500)
    languages: list[Language] = Field(
        default_factory=list, min_length=1, description="Default: the service's languages"
    )

    @model_validator(mode="after")
    def _point(self) -> CaseFields:
        if (self.last_seen_lat is None) != (self.last_seen_lon is None):
            # Not a ValueError: the field named, as the domain names it.
            raise InvalidInput(
                "Give both latitude and longitude, or neither.", field="last_seen_lat"
            )
        return self


class CaseInput(CaseFields):
    """A new draft case: its kind, and any of the fields."""

    model_config = ConfigDict(
        json_schema_extra={
            **_BOTH_OR_NEITHER,
            "examples": [
                {
                    "kind": "runaway",
                    "first_name": "Lotte",
                    "age": 14,
                    "last_seen_place": "9000 Gent",
                    "last_seen_at": "2026-05-01T14:30:00+02:00",
                    "clothing": "A red coat",
                }
            ],
        }
    )

    kind: CaseKind
    exercise: bool = Field(
        False, description="An exercise (CAP status Exercise, marked EXERCISE everywhere): "
        "fixed at creation, never changed",
    )  # fmt: skip


class CasePatch(CaseFields, Change):
    """An edit of a case: the fields to change, at least one."""

    refused: ClassVar[dict[str, str]] = {
        "exercise": "A case is an exercise or a real case from its creation; that cannot be "
        "changed.",
    }

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"clothing": "A red coat and white trainers"}],
            **_BOTH_OR_NEITHER,
            "minProperties": 1,
        }
    )

    kind: CaseKind = CaseKind.RUNAWAY


class ConsentInput(Body):
    """The consent of the person with parental authority, and the level it allows."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "given_by": "Anna Peeters",
                    "relation": "mother",
                    "level": 2,
                    "photo": True,
                    "name_mode": "first",
                    "place_precision": "municipality",
                }
            ]
        }
    )

    given_by: Annotated[str, text(200, line=True, min_length=1)]
    relation: Annotated[str, text(200, line=True, min_length=1)]
    given_at: DateTime | None = Field(None, description="Default: now. Never in the future")
    valid_until: DateTime | None = Field(None, description="In the future; null: no end")
    level: Level = Field(0, description="0 staff only … 3 public; default by the case's kind")
    photo: bool = False
    name_mode: NameMode = NameMode.NONE
    place_precision: PlacePrecision = PlacePrecision.MUNICIPALITY
    forwarding: bool = False


Fingerprint = Annotated[
    str,
    Field(
        pattern=r"^[0-9a-f]{64}$",
        description="The fingerprint of the preview the approver looked at (GET .../preview, "
        "or the proposal's address): the approval is refused (409) when what would be "
        "published changed since",
    ),
]
Password = Annotated[
    str, Field(max_length=1000, description="Confirms the session's password (sessions only)")
]


class ApproveInput(Body):
    """An approval of what the preview showed."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"fingerprint": "0" * 64}]})

    fingerprint: Fingerprint
    password: Password | None = None


class CloseInput(Body):
    """The end of a case, and why."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "found_safe"}]})

    reason: CloseReason
    password: Password | None = None


class SightingPatch(Change):
    """A sighting's triage: its status and/or notes (at least one)."""

    model_config = ConfigDict(
        json_schema_extra={
            "minProperties": 1,
            "examples": [{"status": "credible", "notes": "Seen by two people"}],
        }
    )

    status: Literal["new", "credible", "not_credible", "duplicate", "police"] = "new"
    notes: Text2000 = ""


class SocialPostInput(Body):
    """A post a staff member made by hand on a social network."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"url": "https://social.example/posts/1"}]}
    )

    url: str = Field(
        max_length=500,
        pattern=POST_URL,
        description="The address of the post",
    )


class RevealInput(Body):
    """Why a supervisor reads a volunteer's contact (audited)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "The volunteer called about a sighting"}]}
    )

    reason: Annotated[str, text(500, line=True, min_length=1)]


# -- query strings ------------------------------------------------------------------------------


class CaseList(Query):
    state: CaseState | None = None
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=ID_MAX)


class AuditQuery(Query):
    case_id: Annotated[int, Field(ge=1, le=ID_MAX)] | None = Field(
        None, description="Only this case's entries"
    )


class PreviewQuery(Query):
    proposal: Annotated[int, Field(ge=1, le=ID_MAX)] | None = Field(
        None, description="A proposed change's preview"
    )


class PosterQuery(PreviewQuery):
    side: Literal["before", "after"] = "after"
