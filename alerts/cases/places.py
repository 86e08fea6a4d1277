"""The last-seen place at a consented precision, for the consent filter."""

from __future__ import annotations

from alerts.cases.consent import Coarsener, CoarsePlace
from alerts.cases.models import PlacePrecision
from alerts.geo.gazetteer import Gazetteer, default_gazetteer
from alerts.i18n import LANGUAGES


def coarsener(gazetteer: Gazetteer | None = None) -> Coarsener:
    """A function giving the place as the consent allows: the recorded text and point (exact),
    or only the name and centre of its municipality or province."""
    places = gazetteer or default_gazetteer()

    def coarsen(
        text: str, lat: float | None, lon: float | None, precision: PlacePrecision
    ) -> CoarsePlace:
        if precision is PlacePrecision.EXACT:
            return CoarsePlace(labels={lang: text for lang in LANGUAGES}, lat=lat, lon=lon)
        if lat is None or lon is None:
            found = places.lookup(text) if text else None
            if found is None:
                # Nothing locatable: say nothing rather than risk the exact text.
                return CoarsePlace(labels={}, lat=None, lon=None)
            lat, lon = found.lat, found.lon
        point = places.coarsen(lat, lon, precision.value)
        return CoarsePlace(labels=dict(point.labels), lat=point.lat, lon=point.lon)

    return coarsen
