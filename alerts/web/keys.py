"""Typed keys for what the application and each request carry."""

from __future__ import annotations

import jinja2
from aiohttp import web

from alerts.config import Settings
from alerts.db.database import Database
from alerts.geo.geocoding import GeocodingService
from alerts.staff.auth import Session
from alerts.staff.models import Staff

SETTINGS = web.AppKey("settings", Settings)
DB = web.AppKey("db", Database)
# The database URL the pool connects to (the page cache listens on a connection of its own).
DSN = web.AppKey("dsn", str)
TEMPLATES = web.AppKey("templates", jinja2.Environment)
GEOCODER = web.AppKey("geocoder", GeocodingService)

STAFF = web.RequestKey("staff", Staff)
SESSION = web.RequestKey("session", Session)
LANG = web.RequestKey("lang", str)
