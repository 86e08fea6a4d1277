"""The free-text masking: street addresses and withheld names found in four languages, ordinary
words left alone."""

from __future__ import annotations

import dataclasses

import pytest

from alerts.cases.masking import (
    ADDRESS,
    NAME,
    PLACE,
    Segment,
    Withheld,
    guess_language,
    mask,
    review,
    segments,
)
from alerts.cases.models import NameMode, PlacePrecision
from tests.unit.test_consent import make_case, make_consent

ADDRESSES = Withheld(addresses=True)


def masked_parts(text: str, what: Withheld = ADDRESSES) -> list[str]:
    return [part.text for part in segments(text, what) if part.masked]


@pytest.mark.parametrize(
    ("text", "address"),
    [
        # Dutch
        ("Laatst gezien aan Veldstraat 45.", "Veldstraat 45"),
        ("Woont op de veldstraat 45A in Gent", "veldstraat 45A"),
        ("Gezien bij Kerkplein 3 bus 2, daarna weg", "Kerkplein 3 bus 2"),
        ("Vertrok van de Brusselsesteenweg 12/3", "Brusselsesteenweg 12/3"),
        ("Aan de Grote Markt 7 gezien", "Grote Markt 7"),
        ("Sint-Pietersplein 5 om 16 uur", "Sint-Pietersplein 5"),
        ("Frankrijklei 12-14, Antwerpen", "Frankrijklei 12-14"),
        ("Tervuursesteenweg 300", "Tervuursesteenweg 300"),
        ("Veldstr. 45", "Veldstr. 45"),
        ("Beukendreef 9", "Beukendreef 9"),
        ("Kortrijksebaan 120", "Kortrijksebaan 120"),
        # French
        ("Vue rue de la Loi 16 vers midi", "rue de la Loi 16"),
        ("Vue au 16, rue de la Loi", "16, rue de la Loi"),
        ("Habite avenue Louise 54 boîte 3", "avenue Louise 54 boîte 3"),
        ("Av. Louise 54", "Av. Louise 54"),
        ("chaussée de Wavre 100-102", "chaussée de Wavre 100-102"),
        ("Près de la place Flagey 7", "place Flagey 7"),
        ("quai aux Briques 4", "quai aux Briques 4"),
        ("bd Anspach 10", "bd Anspach 10"),
        ("Vue rue de l'Église 3", "rue de l'Église 3"),
        ("12 allée des Tilleuls", "12 allée des Tilleuls"),
        # German
        ("Zuletzt gesehen in der Hauptstraße 5", "Hauptstraße 5"),
        ("Bahnhofstrasse 12 in Eupen", "Bahnhofstrasse 12"),
        ("Hauptstr. 5a", "Hauptstr. 5a"),
        ("Kölner Straße 12", "Kölner Straße 12"),
        ("Am Markt 3", "Am Markt 3"),
        ("Schillergasse 3", "Schillergasse 3"),
        ("Kurfürstendamm 20", "Kurfürstendamm 20"),
        ("Lindenallee 7", "Lindenallee 7"),
        ("Marktplatz 2", "Marktplatz 2"),
        ("Kirchweg 4", "Kirchweg 4"),
        ("Kaiserring 3", "Kaiserring 3"),
        # English
        ("She was last seen at 221B Baker Street.", "221B Baker Street"),
        ("Walked to 12 Abbey Rd. at noon", "12 Abbey Rd."),
        ("Last seen on Baker Street 12", "Baker Street 12"),
        ("near 4 Privet Drive", "4 Privet Drive"),
        ("at 10 Downing St. around five", "10 Downing St."),
        ("at 7 Elm Close", "7 Elm Close"),
    ],
)
def test_a_street_and_number_is_found(text: str, address: str) -> None:
    assert masked_parts(text) == [address]
    assert address not in mask(text, ADDRESSES, "en")


@pytest.mark.parametrize(
    "text",
    [
        # Dutch: "weg" is "away", a number is not always a house
        "Ze is al 3 dagen weg.",
        "Hij liep weg 2 uur geleden.",
        "De weg is 3 km lang.",
        "Er zijn 12 straten in de wijk.",
        "Woont in de Veldstraat.",  # a street without a number is not recognised
        "Draagt maat 38 en een rode jas.",
        "Ze kwam van school naar huis met lijn 12.",
        "Heeft 2 oorbellen en een ring.",
        "Gezien in een zijstraat 2 km verder.",
        "Liep de Kerkstraat 20 min lang op en af.",
        # French: "place", "rue" alone
        "Elle a pris place 2 fois dans le bus.",
        "Il a dormi dans la rue 3 nuits.",
        "rue 12",
        "Vu à 2 rues d'ici.",
        "Il a 14 ans et mesure 1,60 m.",
        # German
        "Sie ist seit 3 Tagen weg.",
        "Die Straße ist 5 km lang.",
        "Trägt Größe 38, Schuhgröße 40.",
        "Um 14:30 am Bahnhof gesehen.",
        "In der Hauptstraße 3 Stunden gewartet.",
        # English
        "She came in first place 2 times.",
        "Bring 3 bottles of water.",
        "Spring 2026 jacket, size 10.",
        "He walked down the road 4 km north.",
        "Seen on Baker Street 2 hours ago.",
        "The street 2 blocks away was searched.",
        "Last seen at 14:30 near the station.",
    ],
)
def test_ordinary_words_and_numbers_are_left_alone(text: str) -> None:
    assert masked_parts(text) == []
    assert mask(text, ADDRESSES, "en") == text


def test_nothing_is_masked_when_nothing_is_withheld() -> None:
    text = "Lotte Vermeulen, Veldstraat 45"
    assert segments(text, Withheld()) == [Segment(text)]
    assert mask(text, Withheld(), "nl") == text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Lotte Vermeulen left home", ["Vermeulen"]),
        ("VERMEULEN is written on her bag", ["VERMEULEN"]),
        ("Lotte vermeulen's bike was found", ["vermeulen's"]),
        ("Vermeulens fiets staat aan het station", ["Vermeulens"]),
        ("Le vélo de Mlle Vermeulen", ["Vermeulen"]),
        ("Vermeulen-Peeters, her cousin", ["Vermeulen"]),
    ],
)
def test_a_withheld_surname_is_found_as_a_whole_word(text: str, masked: list[str]) -> None:
    what = Withheld(names=("Vermeulen",))
    assert masked_parts(text, what) == masked
    assert "vermeulen" not in mask(text, what, "en").lower()


def test_a_surname_with_particles_is_masked_whole_and_its_particles_alone_are_not() -> None:
    what = Withheld(names=("Van den Broeck",))
    text = "Ze kwam van school. Tattoo 'van den broeck' op de arm; Broeck staat op haar tas."
    assert masked_parts(text, what) == ["van den broeck", "Broeck"]
    assert mask(text, what, "nl") == (
        "Ze kwam van school. Tattoo '[naam weggelaten]' op de arm; "
        "[naam weggelaten] staat op haar tas."
    )


def test_a_name_inside_a_longer_word_is_not_masked() -> None:
    what = Withheld(names=("Zoë", "Peeters"))
    text = "Zoëlla is haar nichtje; Peetersen is een buurman."
    assert masked_parts(text, what) == []


def test_segments_join_to_the_text_and_say_why() -> None:
    what = Withheld(names=("Vermeulen",), places=("Station Gent-Sint-Pieters",), addresses=True)
    text = "Vermeulen left Veldstraat 45 for station Gent-Sint-Pieters."
    parts = segments(text, what)
    assert "".join(part.text for part in parts) == text
    assert [(p.text, p.why) for p in parts if p.masked] == [
        ("Vermeulen", NAME),
        ("Veldstraat 45", ADDRESS),
        ("station Gent-Sint-Pieters", PLACE),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Laatst gezien aan Veldstraat 45 met een rode jas.",
            "Laatst gezien aan [plaats weggelaten] met een rode jas.",
        ),
        (
            "Vue pour la dernière fois rue de la Loi 16 avec un sac.",
            "Vue pour la dernière fois [lieu masqué] avec un sac.",
        ),
        (
            "Zuletzt gesehen in der Hauptstraße 5 mit einem Rucksack.",
            "Zuletzt gesehen in der [Ort ausgelassen] mit einem Rucksack.",
        ),
        (
            "Last seen at Veldstraat 45 with a blue backpack.",
            "Last seen at [place withheld] with a blue backpack.",
        ),
    ],
)
def test_the_marker_is_written_in_the_language_of_the_text(text: str, expected: str) -> None:
    assert mask(text, ADDRESSES, "nl") == expected


def test_the_marker_falls_back_to_the_case_language_for_text_without_common_words() -> None:
    assert mask("Veldstraat 45", ADDRESSES, "fr") == "[lieu masqué]"
    assert guess_language("rode jas", "de") == "de"


def test_the_approver_review_groups_the_masked_words_by_reason() -> None:
    case = dataclasses.replace(
        make_case("Lotte", "Vermeulen", ("Station Gent-Sint-Pieters", 51.0357, 3.7103)),
        description="Lotte Vermeulen, Veldstraat 45; Vermeulens fiets aan Kerkstraat 12.",
        clothing="red coat",
        hair="",
    )
    consent = make_consent(name_mode=NameMode.FIRST, place_precision=PlacePrecision.MUNICIPALITY)
    items = {item.field: item for item in review(case, consent)}
    assert "hair" not in items and items["clothing"].reasons == []
    assert items["description"].reasons == [
        (NAME, ["Vermeulen", "Vermeulens"]),
        (ADDRESS, ["Veldstraat 45", "Kerkstraat 12"]),
    ]
    assert "Vermeulen" not in items["description"].published
