"""How the sandbox reads a Bot API call's parameters: types, texts, HTML and keyboards.

Parameters arrive as strings (query string, form, multipart) or as JSON values; they are read the
way Telegram reads them. HTML is parsed like Telegram does, so a template slip (an unescaped `<` in
a name, an unsupported tag) fails in the tests exactly as it would fail in production.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from sandbox.telegram.records import JSON, ApiError, bad_request


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str
    content_type: str
    data: bytes = field(repr=False)


class ApiParams:
    """A method's parameters from a query string, a form or JSON, read as Telegram reads them."""

    def __init__(
        self, values: Mapping[str, Any], files: Mapping[str, UploadedFile] | None = None
    ) -> None:
        self.values = values
        self.files: Mapping[str, UploadedFile] = files or {}

    def string(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None or isinstance(value, str):
            return value
        return json.dumps(value)  # a JSON body gives numbers and booleans

    def integer(self, name: str) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def flag(self, name: str) -> bool:
        return self.values.get(name) in (True, 1, "true", "True", "1")

    def json(self, name: str) -> Any:
        value = self.values.get(name)
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {name} JSON object") from None

    def file(self, name: str) -> UploadedFile | None:
        return self.files.get(name)


def text_fields(p: ApiParams) -> dict[str, Any]:
    """MessageContent fields for `text` and `parse_mode`, with Telegram's length rules."""
    raw = p.string("text")
    if raw is None or not raw.strip():
        raise bad_request("message text is empty")
    text, entities = parse_markup(raw, p.string("parse_mode"))
    if not text.strip():
        raise bad_request("message text is empty")
    if utf16_length(text) > 4096:
        raise bad_request("message is too long")
    return {"text": text, "text_markup": raw, "entities": entities}


def caption_fields(raw: str | None, parse_mode: str | None) -> dict[str, Any]:
    """MessageContent fields for a caption; no caption clears it, as on Telegram."""
    if not raw:
        return {"caption": None, "caption_markup": None, "caption_entities": ()}
    caption, entities = parse_markup(raw, parse_mode)
    if utf16_length(caption) > 1024:
        raise bad_request("message caption is too long")
    return {"caption": caption, "caption_markup": raw, "caption_entities": entities}


def reply_markup(p: ApiParams) -> JSON | None:
    """The keyboard, checked like Telegram checks callback data (1-64 bytes)."""
    markup = p.json("reply_markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                raise bad_request("BUTTON_DATA_INVALID")
    return markup


def link_preview_disabled(p: ApiParams) -> bool:
    """Whether either the old or the new way of turning link previews off was used."""
    options = p.json("link_preview_options") or {}
    return p.flag("disable_web_page_preview") or bool(options.get("is_disabled"))


_ENTITY_BY_TAG = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",  # only with class="tg-spoiler"
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's entity offsets and size limits."""
    return len(text.encode("utf-16-le")) // 2


def parse_markup(text: str, parse_mode: str | None) -> tuple[str, tuple[dict[str, Any], ...]]:
    """The plain text Telegram would show and its entities; HTML is checked like Telegram does.

    Markdown modes are passed through unparsed: this project only sends HTML.
    """
    if parse_mode is None or parse_mode.upper() != "HTML":
        return text, ()
    parser = _TelegramHtml()
    parser.feed(text)
    parser.close()
    return "".join(parser.parts), tuple(sorted(parser.entities, key=lambda e: e["offset"]))


def _cannot_parse(detail: str) -> ApiError:
    return bad_request(f"can't parse entities: {detail}")


class _TelegramHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.entities: list[dict[str, Any]] = []
        self._length = 0
        self._open: list[tuple[str, dict[str, Any]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        kind = _ENTITY_BY_TAG.get(tag)
        values = dict(attrs)
        if kind is None or (tag == "span" and values.get("class") != "tg-spoiler"):
            raise _cannot_parse(f'Unsupported start tag "{tag}"')
        entity: dict[str, Any] = {"type": kind, "offset": self._length}
        if tag == "a":
            entity["url"] = values.get("href") or ""
        if tag == "tg-emoji":
            entity["custom_emoji_id"] = values.get("emoji-id") or ""
        self._open.append((tag, entity))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise _cannot_parse(f'Unsupported start tag "{tag}"')

    def handle_endtag(self, tag: str) -> None:
        if not self._open or self._open[-1][0] != tag:
            raise _cannot_parse(f'Unexpected end tag "{tag}"')
        _, entity = self._open.pop()
        entity["length"] = self._length - entity["offset"]
        if entity["length"] > 0:  # Telegram drops empty entities
            self.entities.append(entity)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        self._length += utf16_length(data)

    def close(self) -> None:
        super().close()
        if self._open:
            tag = self._open[-1][0]
            raise _cannot_parse(f'Can\'t find end tag corresponding to start tag "{tag}"')


WEBHOOK_PORTS = (443, 80, 88, 8443)


def refuse_insecure_webhook(url: str) -> None:
    """Telegram's refusals of a webhook that is not HTTPS or not on one of its four ports."""
    parts = urlsplit(url)
    if parts.scheme != "https":
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    try:
        port = parts.port or 443
    except ValueError:
        raise bad_request("bad webhook: invalid webhook URL specified") from None
    if port not in WEBHOOK_PORTS:
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
