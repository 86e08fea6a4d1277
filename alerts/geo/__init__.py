"""Places: the offline Belgian gazetteer, geocoding (geopy), distances and rounding."""
