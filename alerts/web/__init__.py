"""HTTP handlers, grouped by audience: staff API, staff console, public pages."""
