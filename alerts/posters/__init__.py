"""Posters and post images rendered from a case's public view (reportlab, pypdfium2)."""
