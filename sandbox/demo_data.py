"""The demo's volunteers: a few hundred made-up people spread over Belgium, the same at every start.

Each lives at the centre of a real municipality of the offline gazetteer, speaks the language of
their region (Brussels mixes French, Dutch and English), watches a radius chosen the way people
choose (10 km most often), and is reached on Telegram (a sandbox user) or by e-mail (an address
at `volunteers.example`, a domain reserved for examples, caught by the demo's SMTP sink).

The list is a pure function of a fixed seed, so a restart finds the same people (and the demo
adds none twice). A few are named and placed on purpose: the README and the end-to-end test
use them to show who is alerted for a case in Ghent and who is not.
"""

from __future__ import annotations

import functools
import random
import unicodedata
from dataclasses import dataclass

from alerts.geo.gazetteer import FLEMISH, GERMAN_SPEAKING, Place, default_gazetteer

SEED = 116_000
COUNT = 320
TELEGRAM_SHARE = 0.6
# Sandbox user ids (also their chat ids) of the demo's Telegram volunteers; far from the ids the
# sandbox hands out itself, so people created later from its control API never collide.
FIRST_CHAT_ID = 900_000_001
EMAIL_DOMAIN = "volunteers.example"
# Big towns get extra volunteers on top of the uniform spread, as they would in life (postcode,
# weight): the five largest cities most, Brussels through several of its communes.
BIG_TOWNS = (
    ("1000", 3), ("1030", 1), ("1050", 1), ("1080", 1), ("1180", 1), ("2000", 4), ("9000", 4),
    ("6000", 3), ("4000", 3), ("8000", 2), ("3000", 2), ("5000", 2), ("7000", 1), ("2800", 1),
    ("3500", 1), ("8500", 1), ("9300", 1), ("4700", 1),
)  # fmt: skip
BIG_TOWN_SHARE = 0.4
RADII = (2, 5, 10, 25, 50)
RADIUS_WEIGHTS = (1, 3, 5, 3, 1)

FIRST_NAMES = {
    "nl": (
        "Lotte", "Jonas", "Emma", "Lars", "Noor", "Wout", "Fien", "Ruben", "Lien", "Thijs",
        "Hanne", "Pieter", "Marie", "Arne", "Elke", "Bram", "Sara", "Jef", "Ine", "Stijn",
    ),
    "fr": (
        "Camille", "Louis", "Chloé", "Hugo", "Manon", "Nathan", "Julie", "Théo", "Léa", "Maxime",
        "Inès", "Antoine", "Pauline", "Arthur", "Céline", "Simon", "Elise", "Martin", "Zoé", "Noah",
    ),
    "de": ("Lukas", "Anna", "Jan", "Lena", "Felix", "Mia", "Tobias", "Hannah", "Niklas", "Lara"),
    "en": ("Olivia", "James", "Amira", "Daniel", "Grace", "Samuel", "Yasmin", "Adam", "Ruth"),
}  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class DemoVolunteer:
    """One made-up volunteer: who, where, how far they watch, how they are reached."""

    number: int
    name: str
    place: Place
    radius_km: float
    language: str
    chat_id: int | None
    email: str | None

    @property
    def channel(self) -> str:
        return "telegram" if self.chat_id is not None else "email"

    @property
    def place_name(self) -> str:
        return self.place.name(self.language)


# Named on purpose (see the module's docstring): two near Ghent, two far from it, one in Brussels.
FEATURED = (
    ("Ana", "9000", "nl", 10, "telegram"),
    ("Lotte", "9000", "nl", 25, "email"),
    ("Jonas", "6700", "fr", 25, "telegram"),
    ("Lukas", "4700", "de", 10, "email"),
    ("Sophie", "1000", "fr", 25, "telegram"),
)


@functools.cache
def volunteers() -> tuple[DemoVolunteer, ...]:
    """The demo's volunteers, featured ones first; the same list at every call and start."""
    gazetteer = default_gazetteer()
    rng = random.Random(SEED)
    people: list[DemoVolunteer] = []
    for name, postcode, lang, radius, channel in FEATURED:
        place = gazetteer.by_postcode(postcode)
        assert place is not None, postcode
        people.append(_person(len(people) + 1, name, place, lang, radius, channel == "telegram"))
    towns = [gazetteer.by_postcode(code) for code, _ in BIG_TOWNS]
    weights = [weight for _, weight in BIG_TOWNS]
    while len(people) < COUNT:
        if rng.random() < BIG_TOWN_SHARE:
            place = rng.choices(towns, weights)[0]
        else:
            place = rng.choice(gazetteer.places)
        assert place is not None
        lang = _language(place, rng)
        radius = rng.choices(RADII, RADIUS_WEIGHTS)[0]
        name = _name(lang, rng)
        on_telegram = rng.random() < TELEGRAM_SHARE
        people.append(_person(len(people) + 1, name, place, lang, radius, on_telegram))
    return tuple(people)


def _person(
    number: int, name: str, place: Place, lang: str, radius: float, on_telegram: bool
) -> DemoVolunteer:
    return DemoVolunteer(
        number=number, name=name, place=place, radius_km=float(radius), language=lang,
        chat_id=FIRST_CHAT_ID + number - 1 if on_telegram else None,
        email=None if on_telegram else f"{_ascii(name)}.{number:03d}@{EMAIL_DOMAIN}",
    )  # fmt: skip


def _name(lang: str, rng: random.Random) -> str:
    """A first name and an initial; never the bare name of a featured volunteer."""
    taken = {name for name, *_ in FEATURED}
    first = rng.choice([n for n in FIRST_NAMES[lang] if n not in taken])
    return f"{first} {rng.choice('ABCDEGHJKLMNPRSTVW')}."


def _language(place: Place, rng: random.Random) -> str:
    """The language a volunteer living in `place` most likely uses."""
    if place.province == "BRU":
        return rng.choices(("fr", "nl", "en"), (5, 3, 2))[0]
    if place.province in FLEMISH:
        return "nl" if rng.random() < 0.9 else "en"
    if place.postcode in GERMAN_SPEAKING:
        return "de"
    return "fr" if rng.random() < 0.92 else "en"


def _ascii(name: str) -> str:
    """The first name in lower-case ASCII, for an e-mail address ('Chloé B.' -> 'chloe')."""
    folded = unicodedata.normalize("NFKD", name.split()[0]).encode("ascii", "ignore").decode()
    return folded.lower()


def by_chat_id() -> dict[int, DemoVolunteer]:
    return {v.chat_id: v for v in volunteers() if v.chat_id is not None}


def by_email() -> dict[str, DemoVolunteer]:
    return {v.email: v for v in volunteers() if v.email is not None}
