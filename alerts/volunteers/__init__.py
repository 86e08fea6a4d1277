"""Volunteers: sign-up, home areas, preferences and opt-out."""
