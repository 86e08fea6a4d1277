"""Settings: each declared once with its default and a line of help, read from the environment."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from alerts.config_values import (  # the names below are imported from here too
    PASSWORD_HASH_PROFILES,  # noqa: F401
    STAFF_ROLES,  # noqa: F401
    _bool,
    _hash_profile,
    _languages,
    _level_map,
    _levels,
    _networks,
    _positive_int,
    _roles,
    _tile_url,
)
from alerts.i18n import LANGUAGES, unbroken


def _setting(env: str, default: Any, help: str, parse: Callable[[str], Any] = str) -> Any:
    return field(default=default, metadata={"env": env, "help": help, "parse": parse})


@dataclass(frozen=True, kw_only=True)
class Settings:
    """The service's configuration; `Settings.from_env()` reads it from the environment."""

    database_url: str = _setting(
        "DATABASE_URL",
        "",
        "PostgreSQL URL. Empty: an embedded PostgreSQL (pgserver) in DATA_DIR/pgdata.",
    )
    data_dir: str = _setting("DATA_DIR", "var", "Folder for local state (embedded database).")
    host: str = _setting("HOST", "127.0.0.1", "Address the web server listens on.")
    port: int = _setting("PORT", 8080, "Port the web server listens on.", int)
    public_base_url: str = _setting(
        "PUBLIC_BASE_URL",
        "http://127.0.0.1:8080",
        "Address of the service as the public reaches it (used in posters, QR codes, messages).",
    )
    public_cache_seconds: int = _setting(
        "PUBLIC_CACHE_SECONDS", 15, "How long browsers and a CDN may keep a case's files and "
        "the feeds (`max-age`; as long again stale): without a CDN purge, the longest exposure "
        "after a close is twice this. The case page itself is revalidated every time.", int,
    )  # fmt: skip
    page_cache_mb: int = _setting("PAGE_CACHE_MB", 256, "Memory each web process keeps public "
                                  "pages, files and feeds ready in (0: off).", int)  # fmt: skip
    cdn_purge_url: str = _setting("CDN_PURGE_URL", "", "Called after a published case changes "
                                  "(POST, the paths, signed with CDN_PURGE_SECRET).")  # fmt: skip
    cdn_purge_secret: str = _setting("CDN_PURGE_SECRET", "", "Key of the CDN purge signature.")
    secure_cookies: bool = _setting(
        "SECURE_COOKIES",
        True,
        "Send session cookies as `__Host-` Secure cookies. Turn off only for plain-HTTP local use.",
        _bool,
    )
    session_idle_minutes: int = _setting(
        "SESSION_IDLE_MINUTES", 30, "A staff session ends after this many idle minutes.", int
    )
    session_max_hours: int = _setting(
        "SESSION_MAX_HOURS", 12, "A staff session ends this many hours after login.", int
    )
    reauth_minutes: int = _setting(
        "REAUTH_MINUTES",
        5,
        "Approve and close need a password (or TOTP) entered within this many minutes.",
        int,
    )
    login_max_failures: int = _setting(
        "LOGIN_MAX_FAILURES", 5, "Failed logins in a row before an account is locked.", int
    )
    login_lockout_minutes: int = _setting(
        "LOGIN_LOCKOUT_MINUTES", 15, "How long a locked account stays locked.", int
    )
    password_hash_profile: str = _setting(
        "PASSWORD_HASH_PROFILE",
        "standard",
        "Cost of the staff passwords' Argon2id hashes, read once per process from the "
        "environment: `standard` (the argon2-cffi library's recommended parameters) or "
        "`fast-insecure-for-tests` (the cheapest possible, only for the test suite).",
        _hash_profile,
    )
    four_eyes: bool = _setting(
        "FOUR_EYES", True, "Approval must come from someone other than the submitter.", _bool
    )
    approver_roles: tuple[str, ...] = _setting(
        "APPROVER_ROLES",
        ("supervisor", "admin"),
        "Roles whose members approve (comma-separated among case_manager, supervisor, admin): a "
        "submitted case, and a proposed change that widens what an active case publishes. The "
        "approver is never the one who submitted or proposed it (with FOUR_EYES on).",
        _roles,
    )
    hotline_number: str = _setting(
        "HOTLINE_NUMBER", "116 000", "Phone number printed on posters and in messages."
    )
    organisation_name: str = _setting(
        "ORGANISATION_NAME",
        "Missing Children Hotline",
        "Name shown on pages, posters and messages: in English, and in any language whose own "
        "name below is empty.",
    )
    organisation_name_nl: str = _setting(
        "ORGANISATION_NAME_NL", "", "The organisation's name in Dutch. Empty: ORGANISATION_NAME."
    )
    organisation_name_fr: str = _setting(
        "ORGANISATION_NAME_FR", "", "The organisation's name in French. Empty: ORGANISATION_NAME."
    )
    organisation_name_de: str = _setting(
        "ORGANISATION_NAME_DE", "", "The organisation's name in German. Empty: ORGANISATION_NAME."
    )
    default_languages: tuple[str, ...] = _setting(
        "DEFAULT_LANGUAGES",
        LANGUAGES,
        "Languages of a new case's materials (comma-separated among nl, fr, de, en).",
        _languages,
    )
    geocoder: str = _setting(
        "GEOCODER",
        "offline",
        "`nominatim` (falls back to the offline gazetteer) or `offline` (Belgian gazetteer only).",
    )
    nominatim_domain: str = _setting(
        "NOMINATIM_DOMAIN", "nominatim.openstreetmap.org", "Nominatim server (host[:port])."
    )
    nominatim_user_agent: str = _setting("NOMINATIM_USER_AGENT", "community-alerts", "User-"
        "Agent sent to Nominatim: name the service and a contact, as its policy asks.")  # fmt: skip
    nominatim_min_delay_seconds: float = _setting("NOMINATIM_MIN_DELAY_SECONDS", 1.0, "Least "
        "time between two requests to Nominatim from one process (its public server allows one "
        "a second in all).", float)  # fmt: skip
    map_tile_url: str = _setting("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "Map tiles (Leaflet's URL template; https, or http for a local server). Empty: the maps "
        "show their points on a plain grid. The pages with a map send its host the origin as "
        "referrer.", _tile_url)  # fmt: skip
    map_tile_attribution: str = _setting("MAP_TILE_ATTRIBUTION", "© OpenStreetMap contributors",
                                         "Credit shown on maps' tiles.")  # fmt: skip
    photo_max_bytes: int = _setting(
        "PHOTO_MAX_BYTES", 10 * 1024 * 1024, "Largest accepted photo upload, in bytes.", int
    )
    photo_max_pixels: int = _setting(
        "PHOTO_MAX_PIXELS", 40_000_000, "Largest accepted photo, in pixels (width x height).", int
    )
    photo_max_side: int = _setting(
        "PHOTO_MAX_SIDE", 2000, "Photos are scaled down so their longer side is at most this.", int
    )
    photo_decoders: int = _setting(
        "PHOTO_DECODERS",
        2,
        "Photos decoded at once per process, in worker threads off the event loop; others wait "
        "their turn. At PHOTO_MAX_PIXELS one takes about 70 MB for a JPEG, up to 360 MB for a "
        "PNG or WebP with transparency.",
        int,
    )
    secret_key: str = _setting(
        "SECRET_KEY",
        "",
        "Key for signed links and keyed hashes of client addresses. Empty: a random key per "
        "process (links then stop working at restart; set it in production).",
    )
    telegram_bot_token: str = _setting(
        "TELEGRAM_BOT_TOKEN", "", "The bot's token from @BotFather. Empty: Telegram is off."
    )
    telegram_api_url: str = _setting(
        "TELEGRAM_API_URL",
        "https://api.telegram.org/bot",
        "Bot API base URL (the token is appended); point it at the sandbox for the demo.",
    )
    telegram_file_url: str = _setting(
        "TELEGRAM_FILE_URL", "https://api.telegram.org/file/bot", "Bot API file base URL."
    )
    telegram_mode: str = _setting(
        "TELEGRAM_MODE",
        "webhook",
        "`webhook` (Telegram calls /telegram/webhook with TELEGRAM_WEBHOOK_SECRET) or `polling`.",
    )
    telegram_webhook_secret: str = _setting(
        "TELEGRAM_WEBHOOK_SECRET", "", "Secret token Telegram must send with each webhook update."
    )
    telegram_rate: float = _setting(
        "TELEGRAM_RATE",
        25.0,
        "Messages per second to different chats, shared by all dispatchers (Telegram allows ~30; "
        "up to 1000 with paid broadcast).",
        float,
    )
    telegram_paid_broadcast: bool = _setting(
        "TELEGRAM_PAID_BROADCAST",
        False,
        "Send with allow_paid_broadcast (Telegram Stars) so TELEGRAM_RATE may go up to 1000.",
        _bool,
    )
    smtp_url: str = _setting(
        "SMTP_URL",
        "",
        "SMTP server, e.g. smtp://user:pass@host:587 (STARTTLS) or smtps://host:465. "
        "Empty: e-mail is off.",
    )
    mail_from: str = _setting(
        "MAIL_FROM", "alerts@localhost", "Sender address of the service's e-mails."
    )
    email_rate: float = _setting(
        "EMAIL_RATE", 20.0, "E-mails per second, shared by all dispatchers.", float
    )
    webhook_rate: float = _setting(
        "WEBHOOK_RATE", 5.0, "Partner webhook calls per second, shared by all dispatchers.", float
    )
    cap_expires_hours: int = _setting(
        "CAP_EXPIRES_HOURS", 168, "Hours from `sent` to `expires` in a CAP Alert or Update.",
        _positive_int,
    )  # fmt: skip
    level_max_hours: tuple[tuple[int, int], ...] = _setting(
        "LEVEL_MAX_HOURS", ((3, 24),), "How long each publication level runs unless renewed, as "
        "level:hours pairs (`3:24,2:168`); a level not listed runs until the case closes.",
        _level_map,
    )  # fmt: skip
    level_expires_to: tuple[tuple[int, int], ...] = _setting(
        "LEVEL_EXPIRES_TO", ((3, 2), (2, 1)), "The level each level drops to at its end without "
        "renewal, as level:level pairs; what the lower level does not allow is withdrawn.",
        _level_map,
    )  # fmt: skip
    level_reminder_hours: float = _setting(
        "LEVEL_REMINDER_HOURS", 3.0, "Hours before a level's end when the case's staff are "
        "reminded (console and e-mail).", float,
    )  # fmt: skip
    level_renewal_approval: tuple[int, ...] = _setting(
        "LEVEL_RENEWAL_APPROVAL", (3,), "Levels whose renewal needs a second staff member's "
        "approval (comma-separated).", _levels,
    )  # fmt: skip
    cap_signing_key: str = _setting(
        "CAP_SIGNING_KEY", "", "PEM private key signing CAP messages (XML-DSig); empty: unsigned."
    )
    cap_signing_cert: str = _setting(
        "CAP_SIGNING_CERT", "", "PEM X.509 certificate of CAP_SIGNING_KEY, sent in each signature."
    )
    webhook_timeout_seconds: float = _setting(
        "WEBHOOK_TIMEOUT_SECONDS",
        10.0,
        "Seconds a partner webhook has to answer; a call that takes longer is tried again later.",
        float,
    )
    dispatch_concurrency: int = _setting(
        "DISPATCH_CONCURRENCY", 64, "Messages one dispatcher process sends at the same time.", int
    )
    dispatch_max_attempts: int = _setting(
        "DISPATCH_MAX_ATTEMPTS",
        8,
        "Attempts of one message (with exponential backoff) before it is marked failed.",
        int,
    )
    dispatch_stall_seconds: float = _setting(
        "DISPATCH_STALL_SECONDS",
        60.0,
        "A message claimed this long ago without a result (its dispatcher died) is sent again.",
        float,
    )
    fanout_batch_size: int = _setting(
        "FANOUT_BATCH_SIZE",
        1000,
        "Volunteers per batch of a fan-out: the approval queues the nearest 100 (or this many if "
        "fewer), the dispatchers match the others and turn them into messages, batch by batch "
        "nearest first, right after it.",
        _positive_int,
    )
    dispatch_poll_seconds: float = _setting(
        "DISPATCH_POLL_SECONDS", 1.0, "Seconds between looks for due messages when no "
        "notification comes (quiet hours end, retries).", float,
    )  # fmt: skip
    retention_days: int = _setting(
        "RETENTION_DAYS",
        30,
        "Days after a case closes before the child's photos, materials, sightings, tipsters' "
        "contact details and the texts sent are purged (`python run.py purge` runs it now; the "
        "scheduler runs it daily). A minimal record stays: reference, dates, counts.",
        _positive_int,
    )
    poster_reminder_hours: float = _setting("POSTER_REMINDER_HOURS", 24.0, "Hours after a poster "
        "round's takedown task when who still has posters up is reminded.", float)  # fmt: skip
    poster_report_hours: float = _setting("POSTER_REPORT_HOURS", 24.0, "Hours after that reminder "
        "when posters still up are reported to the case's staff (e-mail, withdrawal page).",
        float)  # fmt: skip
    board_refresh_seconds: int = _setting("BOARD_REFRESH_SECONDS", 10, "Seconds between updates "
        "of an open search board's map and tables in the console.", _positive_int)  # fmt: skip
    scheduler_interval_seconds: float = _setting(
        "SCHEDULER_INTERVAL_SECONDS", 60.0,
        "Seconds between the scheduler's checks for consents that reached their end date (what "
        "they no longer allow is withdrawn). It runs with the dispatchers, one process at a time.",
        float,
    )  # fmt: skip
    sighting_rate_per_client: int = _setting(
        "SIGHTING_RATE_PER_CLIENT",
        60,
        "Sighting reports accepted per hour from one sender (a keyed hash of its IPv4 address or "
        "IPv6 /64, or one Telegram user), per web process. Generous on purpose: a mobile "
        "carrier's CGNAT puts many phones behind one IPv4 address, and a crowd that saw the "
        "child must not be turned away; one a minute still stops a script.",
        _positive_int,
    )
    sighting_rate_per_case: int = _setting(
        "SIGHTING_RATE_PER_CASE",
        1000,
        "Sighting reports accepted per hour for one case from all senders together, per web "
        "process: a ceiling on a flood from many addresses. Past it, people are asked to call "
        "the hotline.",
        _positive_int,
    )
    sighting_max_body: int = _setting(
        "SIGHTING_MAX_BODY",
        11 * 1024 * 1024,
        "Largest sighting report (form with its photo, or JSON), in bytes; a bigger one is "
        "refused before it is read. The photo must also fit PHOTO_MAX_BYTES.",
        _positive_int,
    )
    trusted_proxies: tuple[str, ...] = _setting(
        "TRUSTED_PROXIES",
        (),
        "Addresses or networks (comma-separated) of the reverse proxies in front of the service: "
        "their X-Forwarded-For names the sender for the sighting limits. Empty: the connecting "
        "address is the sender.",
        _networks,
    )
    log_level: str = _setting("LOG_LEVEL", "INFO", "Logging level (DEBUG, INFO, WARNING, ERROR).")
    log_format: str = _setting("LOG_FORMAT", "json", "`json` (one object a line) or `text`.")

    def organisation(self, lang: str | Sequence[str]) -> str:
        """The organisation's name in `lang` (ORGANISATION_NAME_<LANG>, else ORGANISATION_NAME);
        for several languages (a bilingual poster), their names joined by " / " where they
        differ."""
        langs = (lang,) if isinstance(lang, str) else tuple(lang)
        names = [getattr(self, f"organisation_name_{code}", "") or self.organisation_name
                 for code in langs]  # fmt: skip
        return " / ".join(dict.fromkeys(names))

    @property
    def hotline(self) -> str:
        """The hotline's number as people read it, never broken across two lines (its spaces
        are no-break spaces). HOTLINE_NUMBER itself is for `tel:` links and SMS."""
        return unbroken(self.hotline_number)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """The settings from `environ` (default: os.environ), then `overrides`."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = environ.get(f.metadata["env"])
            if raw is not None:
                values[f.name] = _parsed(f, raw)
        values.update(overrides)
        return cls(**values)


def setting_from_env(name: str, environ: Mapping[str, str] | None = None) -> Any:
    """The value of the setting `name` (a field of Settings) in `environ` (default: os.environ),
    else its default; for the few settings read before any Settings exists."""
    declared = next(f for f in dataclasses.fields(Settings) if f.name == name)
    raw = (os.environ if environ is None else environ).get(declared.metadata["env"])
    return declared.default if raw is None else _parsed(declared, raw)


def _parsed(declared: dataclasses.Field[Any], raw: str) -> Any:
    """`raw` parsed for the setting `declared`; a ValueError names its variable."""
    try:
        return declared.metadata["parse"](raw)
    except ValueError as exc:
        raise ValueError(f"{declared.metadata['env']}: {exc}") from None
