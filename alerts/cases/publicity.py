"""What a channel may show of a case: the case, its consent in force, its photo, filtered."""

from __future__ import annotations

from datetime import UTC, datetime

from alerts.cases import lifecycle as cases
from alerts.cases.consent import PublicPhoto, PublicView, public_view
from alerts.cases.models import Case
from alerts.cases.places import coarsener
from alerts.config import Settings
from alerts.db.database import Database

coarsen = coarsener()


async def latest_photo(db: Database, case_id: int) -> PublicPhoto | None:
    """The case's newest photo with its bytes, or None."""
    photos = await cases.photos(db, case_id)
    if not photos:
        return None
    newest = photos[0]
    jpeg = await db.fetchval("photo_bytes", case_id, newest.public_id)
    return PublicPhoto(
        public_id=newest.public_id, width=newest.width, height=newest.height, jpeg=jpeg
    )


async def view_for(
    db: Database, settings: Settings, case: Case, channel: str, *, now: datetime | None = None
) -> PublicView:
    """The consent-filtered view of `case` for `channel`; NotPublishable when not allowed."""
    consent = await cases.current_consent(db, case.id)
    return public_view(
        case,
        consent,
        channel,
        now=now or datetime.now(UTC),
        photo=await latest_photo(db, case.id) if consent is not None and consent.photo else None,
        coarsen=coarsen,
        base_url=settings.public_base_url,
        hotline=settings.hotline,
    )
