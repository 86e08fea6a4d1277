"""Requests nobody's browser sends, written byte by byte: a header that is not UTF-8, a damaged
cookie of ours, a Content-Type without a boundary or with an unknown charset, a form that is not
UTF-8. Each gets a 400 with a short message (in the visitor's language on the public pages),
never a 500 with a traceback; and no response names the server's software or version."""

from __future__ import annotations

import random
from typing import Any

from aiohttp.test_utils import TestClient

from alerts.i18n import in_language
from alerts.web.protocol import MALFORMED_BODY, MALFORMED_HEADER, SERVER
from tests.support.raw_http import RawResponse, raw_request

Client = TestClient[Any, Any]
FORM = b"application/x-www-form-urlencoded"
CT = b"Content-Type"

ATTACKS: dict[str, tuple[str, str, list[tuple[bytes, bytes]], bytes]] = {
    "api token not UTF-8": ("GET", "/api/cases", [(b"Authorization", b"Bearer \xff\xfe")], b""),
    "session cookie not UTF-8": ("GET", "/console", [(b"Cookie", b"session=\xff")], b""),
    "session cookie not ASCII": ("GET", "/console", [(b"Cookie", "session=é".encode())], b""),
    "csrf cookie not UTF-8": ("GET", "/login", [(b"Cookie", b"csrf=\xff")], b""),
    "press cookie not ASCII": (
        "GET",
        "/press",
        [(b"Cookie", "press=1.9999999999.é".encode())],
        b"",
    ),  # fmt: skip
    "press cookie not UTF-8": ("GET", "/press", [(b"Cookie", b"press=\xff\xfe")], b""),
    "Accept-Language not UTF-8": ("GET", "/login", [(b"Accept-Language", b"\xff\xfe")], b""),
    "Host not UTF-8": ("GET", "/login", [(b"Host", b"\xff")], b""),
    "X-Forwarded-For not UTF-8": ("GET", "/login", [(b"X-Forwarded-For", b"\xff, 1.2.3.4")], b""),
    "If-None-Match not UTF-8": ("GET", "/static/public.css", [(b"If-None-Match", b"\xff")], b""),
    "CSRF header not UTF-8": ("POST", "/logout", [(b"X-CSRF-Token", b"\xff")], b""),
    "multipart without boundary": (
        "POST",
        "/login",
        [(b"Content-Type", b"multipart/form-data")],
        b"hello",
    ),  # fmt: skip
    "multipart boundary not UTF-8": (
        "POST",
        "/login",
        [(b"Content-Type", b"multipart/form-data; boundary=\xff")],
        b"hello",
    ),  # fmt: skip
    "multipart boundary too long": (
        "POST",
        "/login",
        [(b"Content-Type", b"multipart/form-data; boundary=" + b"b" * 71)],
        b"hello",
    ),  # fmt: skip
    "unknown charset": ("POST", "/login", [(CT, FORM + b"; charset=nonsense")], b"a=b"),
    "charset not for text": ("POST", "/login", [(CT, FORM + b"; charset=rot13")], b"a"),
    "form not UTF-8": ("POST", "/login", [(b"Content-Type", FORM)], b"username=\xff\xfe"),
}


def assert_refused(response: RawResponse, status: int = 400) -> None:
    assert response.status == status, response.body[:500]
    assert b"Traceback" not in response.body and b"Something went wrong" not in response.body
    assert response.header("Server") == [SERVER]


async def test_a_malformed_header_cookie_or_body_gets_a_400(client: Client) -> None:
    """Each attack on one server (a database each would take a second apiece)."""
    wrong = {}
    for name, (method, path, headers, body) in ATTACKS.items():
        response = await raw_request(client.port, method, path, headers, body)
        try:
            assert_refused(response)
        except AssertionError:
            wrong[name] = (response.status, response.header("Server"))

    assert wrong == {}


async def test_the_message_is_in_the_visitors_language_and_the_bad_cookie_is_deleted(
    client: Client,
) -> None:
    headers = [(b"Accept-Language", b"fr-BE,fr;q=0.9"), (b"Cookie", b"press=\xc3\xa9; other=1")]

    response = await raw_request(client.port, "GET", "/press", headers)

    assert_refused(response)
    assert in_language("fr", MALFORMED_HEADER).encode() in response.body.replace(b"&#39;", b"'")
    assert any(c.startswith("press=;") or c.startswith('press="";')
               for c in response.header("Set-Cookie"))  # fmt: skip


async def test_the_api_answers_json(client: Client) -> None:
    headers = [(b"Content-Type", b"application/json; charset=nonsense")]

    response = await raw_request(client.port, "POST", "/api/cases", headers, b"{}")

    assert_refused(response)
    assert response.header("Content-Type")[0].startswith("application/json")
    assert MALFORMED_BODY.encode() in response.body


async def test_a_header_too_large_is_refused_without_versions(client: Client) -> None:
    response = await raw_request(client.port, "GET", "/login", [(b"X-Big", b"y" * 20_000)])

    assert response.status in (400, 431)
    assert response.header("Server") == [SERVER]


async def test_readable_oddities_are_served_as_usual(client: Client) -> None:
    """What is odd but readable is not refused: a strange Accept-Language, a date that is not
    one, someone else's cookie with any text in it."""
    cases = [
        ("/login", [(b"Accept-Language", b";;;,,q=nan;q=1e999,*;q=inf")]),
        ("/static/public.css", [(b"If-Modified-Since", b"yesterday-ish")]),
        ("/static/public.css", [(b"Range", b"bytes=zz-")]),
        ("/login", [(b"Cookie", '"";;;=\\x; theirs=é'.encode())]),
    ]
    for path, headers in cases:
        response = await raw_request(client.port, "GET", path, headers)
        assert response.status in (200, 416), (path, headers, response.status)
        assert response.header("Server") == [SERVER]


async def test_no_response_names_the_software_or_its_version(client: Client) -> None:
    paths = ["/login", "/press", "/api/cases", "/healthz", "/static/public.css", "/no/such/page"]
    for path in paths:
        response = await client.get(path, allow_redirects=False)
        assert response.headers.getall("Server") == [SERVER], path


async def test_random_header_bytes_never_get_a_server_error(client: Client) -> None:
    """Seeded fuzzing: random bytes (no CR or LF) in the headers that are read, on pages of
    each audience. Whatever the bytes, the answer is below 500."""
    rng = random.Random(17)
    names = [b"Cookie", b"Authorization", b"Accept-Language", b"Content-Type", b"X-CSRF-Token",
             b"If-None-Match", b"X-Forwarded-For", b"X-Telegram-Bot-Api-Secret-Token"]  # fmt: skip
    alphabet = bytes(b for b in range(256) if b not in b"\r\n")
    prefixes = [b"", b"session=", b"csrf=", b"press=", b"Bearer ", b"multipart/form-data; "]
    for _ in range(120):
        method, path = rng.choice([("GET", "/login"), ("GET", "/press"), ("GET", "/api/cases"),
                                   ("POST", "/login"), ("POST", "/telegram/webhook")])  # fmt: skip
        value = rng.choice(prefixes) + bytes(rng.choices(alphabet, k=rng.randint(0, 40)))
        value = value.strip(b" \t") or b"x"
        headers = [(rng.choice(names), value)]
        response = await raw_request(client.port, method, path, headers, b"a=b")
        assert response.status < 500, (method, path, headers, response.body[:300])
        assert response.header("Server") == [SERVER]
