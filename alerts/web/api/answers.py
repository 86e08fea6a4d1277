"""What the API answers, declared as types for /api/openapi.json: the domain's own dataclasses
where an answer is one (a case, a consent, a photo, a channel), pydantic models for the answers
the API composes. `alerts.web.api.openapi` turns them into the description's components; the
schemathesis test checks every answer against them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from alerts.cases.models import Case, CaseState, Consent, Photo
from alerts.cases.widening import Change
from alerts.partners.registry import PartnerWebhook, RegionalChannel

Json = dict[str, Any]


class Answer(BaseModel):
    """An answer body: its fields are all there (required), nothing else is promised."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)


class Error(BaseModel):
    """Every error: what is wrong, in words a person understands; the field it is about, when
    it is about one."""

    error: str = Field(description="What is wrong, and what to do")
    status: int = Field(description="The HTTP status, repeated")
    field: str = Field("", description="The field (or parameter) at fault, when one is")


@dataclass(frozen=True, kw_only=True)
class CaseDetail(Case):
    """A case with its current consent (null before one is recorded) and its photos."""

    consent: Consent | None
    photos: list[Photo]


class Cases(Answer):
    cases: list[Case]


class Proposal(Answer):
    """A change of an active case that widens what is published, waiting for an approver."""

    id: int
    case_id: int
    kind: str = Field(description="fields, consent or photo")
    data: Json = Field(description="The fields or the consent as sent (empty for a photo)")
    photo_width: int | None
    photo_height: int | None
    photo_sha256: str | None
    state: str = Field(description="pending, approved, rejected or withdrawn")
    proposed_by: int
    proposed_at: datetime
    decided_by: int | None
    decided_at: datetime | None
    fingerprint: str | None


class Held(Answer):
    """202: the change widens what is published; nothing published changed yet."""

    proposal: Proposal
    message: str


class Proposals(Answer):
    case: str = Field(description="The case's public id")
    proposals: list[Proposal]


class Side(Answer):
    """What is published in one language, before or after the approval."""

    model_config = ConfigDict(extra="allow")

    poster_page: str | None = Field(description="The address of page 1 of the poster (PNG)")


class Preview(Answer):
    """What an approval publishes: the views before and after, what differs, the texts in each
    language, and the fingerprint to approve."""

    case: str
    state: CaseState
    proposal: Proposal | None
    fingerprint: str = Field(pattern=r"^[0-9a-f]{64}$")
    changes: list[Change]
    widens: bool
    before: Json
    after: Json
    languages: dict[str, dict[Literal["before", "after"], Side]]


class Publication(Answer):
    """One message out (a volunteer's named by pseudonym, without an address)."""

    id: int
    revision: int
    channel: str
    target: str
    language: str
    address: str | None
    external_id: str | None
    state: str
    end_reason: str | None
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    ended_at: datetime | None


class PosterCounts(Answer):
    """Physical posters of the case's poster rounds (issue 21), counted as posters."""

    up: int
    removed: int
    manual: int
    outstanding: int
    reported: int = Field(description="Places still up after a reminder (not posters)")


class Summary(Answer):
    fully_withdrawn: bool = Field(description="Every publication ended and no poster outstanding")
    total: int
    ended: int
    manual_actions: int
    counts: dict[str, int]
    posters: PosterCounts | None = None


class Publications(Answer):
    case: str
    publications: list[Publication]
    summary: Summary


class PostRecorded(Answer):
    publication: int


class RemovalConfirmed(Answer):
    publication: int
    state: Literal["withdrawn"]


class Contact(Answer):
    """A volunteer's contact, for a supervisor who gave a reason (audited)."""

    volunteer: str = Field(description="The volunteer's pseudonym")
    email: str | None
    telegram_chat_id: str | None


class AnswerRing(Answer):
    """The volunteers' answers in one distance ring from the last-seen place."""

    ring: Literal["0-2", "2-5", "5-10", "10-25", "25+"] = Field(description="km")
    help: int = Field(description="I can help")
    nearby: int = Field(description="I am nearby now")
    unavailable: int = Field(description="Not available")


class AnswerCounts(Answer):
    """What the volunteers answered to the alert, the last answer of each counting: never who
    answered nor where they are; the rings from the distance computed at the fan-out."""

    total: int
    by_answer: dict[Literal["help", "nearby", "unavailable"], int]
    rings: list[AnswerRing]


class Reach(Answer):
    """Who the case reached: matched, then per state; per channel; how fast; what the
    volunteers answered, per distance ring (`answers`)."""

    model_config = ConfigDict(extra="allow")

    matched: int
    queueing: int
    by_channel: dict[str, dict[str, int]]
    approved_at: datetime | None
    first_delivery_at: datetime | None
    last_delivery_at: datetime | None
    seconds_to_first_delivery: float | None
    seconds_to_last_delivery: float | None
    seconds_to_delivery_by_channel: dict[str, dict[Literal["first", "last"], float | None]]
    sightings_by_channel: dict[str, int]
    answers: AnswerCounts | None = None


class Sighting(Answer):
    """A sighting as staff triage it; its contact null when withheld from the reader."""

    model_config = ConfigDict(extra="allow")

    id: int
    case_id: int
    reference: str
    has_photo: bool
    created_at: datetime
    status: str
    notes: str
    sender: str
    contact_withheld: bool
    group_id: int
    reason: str
    score: float
    plausibility: float
    distance_km: float | None
    hours_after: float | None
    speed_kmh: float | None
    photo_url: str | None


class Sightings(Answer):
    case: str = Field(description="The case's reference")
    sightings: list[Sighting]


class AuditEntry(Answer):
    id: int
    at: datetime
    action: str
    case_id: int | None
    details: Json
    username: str | None = Field(description="The staff member (null: the service itself)")
    reference: str | None = Field(description="The case's reference")


class Audit(Answer):
    entries: list[AuditEntry]


class Channels(Answer):
    channels: list[RegionalChannel]


class Webhooks(Answer):
    webhooks: list[PartnerWebhook]


@dataclass(frozen=True, kw_only=True)
class WebhookWithSecret(PartnerWebhook):
    """A webhook with its new secret: the one answer that ever carries it."""

    secret: str


__all__ = ["Case", "Consent", "Photo", "PartnerWebhook", "RegionalChannel"]
