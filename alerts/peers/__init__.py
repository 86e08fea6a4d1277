"""Hotlines that pass alerts across borders: trusted peers, their signed CAP taken in."""
