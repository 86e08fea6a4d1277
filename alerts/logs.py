"""Structured logging: one JSON object a line, secrets scrubbed from every message."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

# Telegram bot tokens ("123456:ABC...") and bearer/API tokens must never reach a log.
_SECRETS = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}|alrt_[A-Za-z0-9_-]{20,}|Bearer\s+\S+")
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


def scrub(text: str) -> str:
    """`text` with anything that looks like a token replaced by <secret>."""
    return _SECRETS.sub("<secret>", text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD:
                entry[key] = scrub(value) if isinstance(value, str) else value
        if record.exc_info:
            entry["exception"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, default=str)


class ScrubbingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


def setup_logging(level: str = "INFO", fmt: str = "json") -> None:
    """Send the service's logs to stderr in the chosen format, scrubbed of secrets."""
    handler = logging.StreamHandler()
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(ScrubbingFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # httpx logs every request URL, and Telegram's URLs carry the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # The embedded database's start and stop chatter is not the operator's concern.
    logging.getLogger("pgserver").setLevel(max(root.level, logging.WARNING))
