"""Sightings: intake from every source and their triage by staff."""
