"""Logs carry no secrets: tokens are scrubbed from messages, extras and tracebacks."""

from __future__ import annotations

import json
import logging

from alerts.logs import JsonFormatter, scrub

BOT_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def test_bot_and_api_tokens_are_scrubbed() -> None:
    text = f"POST https://api.telegram.org/bot{BOT_TOKEN}/sendMessage failed; alrt_{'x' * 40}"
    cleaned = scrub(text)
    assert BOT_TOKEN not in cleaned and "alrt_" not in cleaned and "<secret>" in cleaned


def test_json_lines_carry_extras_without_secrets() -> None:
    try:
        raise RuntimeError(f"network down for bot{BOT_TOKEN}")
    except RuntimeError:
        record = logging.getLogger("t").makeRecord(
            "t", logging.ERROR, __file__, 1, "send failed", (), exc_info=True,
            extra={"action": "send", "url": f"/bot{BOT_TOKEN}/getMe"},
        )  # fmt: skip
        import sys

        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["action"] == "send" and entry["message"] == "send failed"
    assert BOT_TOKEN not in line
