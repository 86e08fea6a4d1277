"""The map data of a poster round and of a field search's board, as the console's maps
(`static/poster_map.js`, `static/search_map.js` over `static/maps.js`) draw them: points and
shapes with a state code (the map's legend tells each by shape and symbol) and a line of words
in the viewer's language (the marker's title, and the list under the map without tiles).

Only the case's staff get it: the handlers call it with what `rounds.service.overview` and
`searches.service.board` gave, which refuse anyone else. Volunteers are named by pseudonym; a
searcher's position is given only while they are checked in.
"""

from __future__ import annotations

from typing import Any

from alerts.cases.models import Case
from alerts.i18n import gettext, language
from alerts.rounds.models import SECTORS, zone, zone_outline
from alerts.rounds.service import Overview, ShownPlace
from alerts.searches.models import Sector
from alerts.searches.service import Board

PLACE_WORDS = {"up": "up", "removed": "removed", "manual": "manual action"}
SECTOR_WORDS = {"free": "open", "assigned": "taken", "searched": "searched"}


def _place_state(shown: ShownPlace) -> str:
    if shown.place.removed_at is not None:
        return "removed"
    return "manual" if shown.place.manual_reason else "up"


def _zones(latest: Overview) -> list[dict[str, Any]]:
    """Every sector of the rings a volunteer holds a zone in (the first ring at least)."""
    found = latest.round
    rings = max((number // SECTORS for number in latest.zones), default=0) + 1
    return [
        {"label": zone(n, found.lat, found.lon, found.radius_km).label,
         "held": n in latest.zones,
         "outline": zone_outline(n, found.lat, found.lon, found.radius_km)}
        for n in range(rings * SECTORS)
    ]  # fmt: skip


def round_map(case: Case, rounds: list[Overview], lang: str) -> dict[str, Any]:
    """The case's place, the zones of its newest round, and the places of every round."""
    places = []
    with language(lang):
        for overview in rounds:
            for shown in overview.places:
                state = _place_state(shown)
                words = f"{gettext('Zone')} {shown.zone} · {gettext('Posters')}: " \
                    f"{shown.place.count} · {gettext(PLACE_WORDS[state])}"  # fmt: skip
                places.append({"lat": shown.place.lat, "lon": shown.place.lon, "state": state,
                               "count": shown.place.count, "text": words})  # fmt: skip
        centre = (case.last_seen_lat, case.last_seen_lon)
        if rounds:
            centre = (rounds[0].round.lat, rounds[0].round.lon)
        return {
            "place": {"lat": centre[0], "lon": centre[1], "text": gettext("Last seen")},
            "zones": _zones(rounds[0]) if rounds else [],
            "places": places,
            # As the page counts them: a place marked for a person still has its posters up.
            "up": sum(p["count"] for p in places if p["state"] != "removed"),
        }


def _sector_state(sector: Sector) -> str:
    if sector.searched_at is not None:
        return "searched"
    return "assigned" if sector.leader_id is not None else "free"


def board_map(board: Board, lang: str) -> dict[str, Any]:
    """The assembly point, the sectors by state, the finds with a point, and the positions of
    the searchers checked in now."""
    search = board.search
    with language(lang):
        sectors = [
            {"label": s.label, "state": _sector_state(s),
             "bounds": [[s.south, s.west], [s.north, s.east]],
             "text": f"{s.label} · {gettext(SECTOR_WORDS[_sector_state(s)])}"}
            for s in board.sectors
        ]  # fmt: skip
        return {
            "assembly": {"lat": search.assembly_lat, "lon": search.assembly_lon,
                         "text": f"{gettext('Assembly point')} · {search.assembly_place}"},
            "sectors": sectors,
            "finds": [{"lat": f["lat"], "lon": f["lon"], "text": str(f["reference"])}
                      for f in board.finds if f.get("lat") is not None],
            "searchers": [{"lat": s.lat, "lon": s.lon, "text": s.name}
                          for s in board.searchers if s.out and s.lat is not None],
        }  # fmt: skip
