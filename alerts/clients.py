"""Who is asking: a keyed hash that stands for a client's address (or Telegram user), never
the address itself, the same for every limit of the service (logins, sign-ups, sightings)."""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import secrets
import socket

from alerts.config import Settings

_PROCESS_KEY = secrets.token_bytes(32)
_V4_MAPPED = bytes(10) + b"\xff\xff"


def sender_address(peer: str | None, forwarded: str | None, trusted: tuple[str, ...]) -> str:
    """The sender's address: the peer's, or, when the peer is a trusted proxy, the nearest
    address in X-Forwarded-For that is not one (anything further left can be forged)."""
    if not trusted:
        return peer or ""
    networks = _networks(trusted)
    chain = [peer or ""] + [hop.strip() for hop in reversed((forwarded or "").split(","))]
    for hop in chain:
        try:
            address = ipaddress.ip_address(hop)
        except ValueError:
            return hop  # not an address (a Unix socket): hashed as it is
        if not any(address in net for net in networks):
            return hop
    return chain[-1]


@functools.cache
def _networks(
    trusted: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(net, strict=False) for net in trusted)


def client_key(settings: Settings, address: str) -> str:
    """The keyed hash that stands for an address: the whole IPv4 address, or the IPv6 /64
    (one phone or one home; the rest of the address is the device's to change at will)."""
    return _keyed(settings.secret_key, _subject(address))


def _subject(address: str) -> str:
    # socket's parsers, not ipaddress's: this runs for every report, and they are C.
    try:
        packed = socket.inet_pton(socket.AF_INET6 if ":" in address else socket.AF_INET, address)
    except OSError:
        return f"other:{address}"
    if len(packed) == 4:
        return f"ip:{socket.inet_ntop(socket.AF_INET, packed)}"
    if packed[:12] == _V4_MAPPED:
        return f"ip:{socket.inet_ntop(socket.AF_INET, packed[12:])}"
    return f"ip6:{packed[:8].hex()}/64"


def telegram_key(settings: Settings, user_id: int) -> str:
    """The keyed hash that stands for a Telegram user."""
    return _keyed(settings.secret_key, f"telegram:{user_id}")


def _keyed(secret: str, subject: str) -> str:
    return hmac.new(_hash_key(secret), subject.encode(), hashlib.sha256).hexdigest()[:32]


@functools.cache
def _hash_key(secret: str) -> bytes:
    # A key of its own, so these hashes mean nothing to other users of SECRET_KEY. Without
    # SECRET_KEY the key lives only in this process: nothing stored can be turned back into an
    # address, but reports from one sender before and after a restart no longer match.
    if not secret:
        return _PROCESS_KEY
    return hmac.new(secret.encode(), b"sighting-senders", hashlib.sha256).digest()
