"""The parsers of the settings' values (alerts.config), each raising a ValueError that says what
was expected."""

from __future__ import annotations

import ipaddress

from alerts.i18n import LANGUAGES


def _bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected a boolean (true/false), got {value!r}")


def _languages(value: str) -> tuple[str, ...]:
    langs = tuple(part.strip() for part in value.split(",") if part.strip())
    unknown = set(langs) - set(LANGUAGES)
    if unknown or not langs:
        raise ValueError(f"languages must be among nl, fr, de, en; got {value!r}")
    return langs


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(f"expected a whole number of at least 1, got {value!r}")
    return number


def _networks(value: str) -> tuple[str, ...]:
    """Comma-separated addresses or CIDR networks, checked and kept as text."""
    parts = tuple(part.strip() for part in value.split(",") if part.strip())
    for part in parts:
        ipaddress.ip_network(part, strict=False)  # ValueError names the bad one
    return parts


STAFF_ROLES = ("case_manager", "supervisor", "admin")


def _roles(value: str) -> tuple[str, ...]:
    roles = tuple(part.strip() for part in value.split(",") if part.strip())
    unknown = set(roles) - set(STAFF_ROLES)
    if unknown or not roles:
        raise ValueError(f"roles must be among {', '.join(STAFF_ROLES)}; got {value!r}")
    return roles


PASSWORD_HASH_PROFILES = ("standard", "fast-insecure-for-tests")


def _hash_profile(value: str) -> str:
    if value not in PASSWORD_HASH_PROFILES:
        raise ValueError(f"expected one of {', '.join(PASSWORD_HASH_PROFILES)}, got {value!r}")
    return value


def _tile_url(value: str) -> str:
    """A Leaflet tile URL template on http(s) with {z}, {x} and {y}, or empty (no tiles)."""
    url = value.strip()
    if not url:
        return ""
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0]
    placeholders = all(part in url for part in ("{z}", "{x}", "{y}"))
    if scheme not in ("https", "http") or not host or not placeholders:
        raise ValueError(f"expected an http(s) URL template with {{z}}, {{x}} and {{y}}: {value!r}")
    if any(ch in url for ch in " ;,'\"\\<>") or any(ch in host.replace("{s}", "a") for ch in "{}@"):
        raise ValueError(f"the tile URL holds characters a page's policy cannot carry: {value!r}")
    return url


def tile_origin(url: str) -> str:
    """The scheme and host of a tile URL template, as a Content-Security-Policy source ('' if
    there are no tiles); a {s} subdomain becomes a wildcard."""
    if not url:
        return ""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0].replace('{s}', '*')}"


def _level_map(value: str) -> tuple[tuple[int, int], ...]:
    """`level:number` pairs, comma-separated (`3:24,2:168`), levels 1 to 3, numbers >= 0."""
    pairs = []
    for part in (p.strip() for p in value.split(",")):
        if not part:
            continue
        level, sep, number = part.partition(":")
        if not sep or not level.strip().isdigit() or not number.strip().isdigit():
            raise ValueError(f"expected level:number pairs such as 3:24, got {part!r}")
        if not 1 <= int(level) <= 3:
            raise ValueError(f"levels go from 1 to 3, got {part!r}")
        pairs.append((int(level), int(number)))
    return tuple(pairs)


def _levels(value: str) -> tuple[int, ...]:
    """Comma-separated publication levels (1 to 3)."""
    levels = tuple(int(p) for p in value.split(",") if p.strip())
    if any(not 1 <= level <= 3 for level in levels):
        raise ValueError(f"levels go from 1 to 3, got {value!r}")
    return levels
