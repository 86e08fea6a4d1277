"""What the case page offers and says about sharing, by the consent's level, so that the two
never contradict each other: the square and story images (made for social media posts) are
offered only when the consent allows social media (level 3), and the words say so; below it,
the page offers the posters only and asks people not to post the appeal on social media.
(The images still exist from level 2 on: the Telegram channel and link previews use them.)"""

from __future__ import annotations

from alerts.cases.consent import CHANNEL_LEVEL, LEVEL_REGIONAL
from alerts.i18n import N_
from alerts.publication.materials import StoredMaterial

SOCIAL_KINDS = ("square", "story")
DISCREET = N_(
    "This appeal is shared discreetly with volunteers in the area. Please do not share this "
    "page publicly, including on social media."
)
REGIONAL = N_(
    "Put the official poster up in the area, but please do not post this appeal on social media."
)
PUBLIC = N_(
    "Put the official poster up, or share the images on social media. Always link to this "
    "page, so that everyone sees at once when the appeal is withdrawn."
)


def social_allowed(level: int) -> bool:
    """True when the consent's level allows posting the appeal on social media."""
    return level >= CHANNEL_LEVEL["social"]


def offered(stored: list[StoredMaterial], level: int) -> list[StoredMaterial]:
    """The materials the page offers for download at `level`: the social images only when
    social media are allowed."""
    if social_allowed(level):
        return stored
    return [material for material in stored if material.file.kind not in SOCIAL_KINDS]


def level_note(level: int) -> str:
    """How the alert may be shared (a message, translated by the page)."""
    if level < LEVEL_REGIONAL:
        return DISCREET
    return PUBLIC if social_allowed(level) else REGIONAL
