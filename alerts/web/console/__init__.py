"""The staff console: cases, approval, sightings triage, withdrawal, partners, login."""
