"""Public pages without login: case pages, sightings, volunteers, the press room, feeds, health and
metrics.
"""
