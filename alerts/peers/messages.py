"""A CAP 1.2 message from a peer, read safely and believed only when its signature verifies.

Everything a peer sends is refused unless all of these hold, in this order (the cheap checks
first, nothing fetched from the network, no entity ever expanded):

1. at most MAX_BYTES, without a DOCTYPE (no entities at all: no XXE, no billion laughs);
2. well-formed XML, parsed by lxml with entities unresolved and the network off;
3. valid by the OASIS CAP 1.2 schema (the schema ships beside this module);
4. an enveloped XML-DSig signature over the whole `<alert>` that verifies with the peer's
   certificate (signxml); only the signed element is read after that, so nothing outside
   the signature (a wrapped or appended element) is ever believed;
5. `sender` is the peer's, `status` Actual, `scope` Public, `msgType` Alert, Update or Cancel.

Each refusal is a clear error: MessageRefused (400) for what is malformed, Forbidden (403) for
a signature that does not verify.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from importlib import resources

from lxml import etree
from signxml import XMLVerifier
from signxml.exceptions import SignXMLException

from alerts import errors
from alerts.i18n import N_
from alerts.partners.cap import CAP_NS

MAX_BYTES = 256 * 1024
NS = {"cap": CAP_NS}
MSG_TYPES = ("Alert", "Update", "Cancel")
# What a refused message is told (alerts/i18n: translated when the answer is written).
TOO_LARGE = N_("The message is too large.")
NO_DOCTYPE = N_("A DOCTYPE or an entity declaration is not accepted.")
NOT_XML = N_("The message is not well-formed XML.")
NOT_CAP = N_("The message is not a valid CAP 1.2 alert.")
NOT_ACTUAL = N_("Only actual, public alerts are taken from a peer.")
NOT_TYPE = N_("Only an Alert, an Update or a Cancel is taken from a peer.")
NO_REFERENCES = N_("An Update or a Cancel must reference the alert it changes.")


class MessageRefused(errors.AlertsError):
    """The message is not a valid CAP 1.2 alert."""

    status = 400


@dataclass(frozen=True, kw_only=True)
class Info:
    """One `<info>` block, the parts a peer's alert is mapped from."""

    language: str
    headline: str
    description: str
    onset: str
    expires: str
    area: str
    circle: str
    geocodes: dict[str, str]
    parameters: dict[str, str]


@dataclass(frozen=True, kw_only=True)
class PeerMessage:
    """What a verified message says."""

    identifier: str
    sender: str
    sent: datetime
    msg_type: str
    references: tuple[str, ...]  # the identifiers it references
    infos: tuple[Info, ...]


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
        remove_comments=False,
    )  # fmt: skip


@functools.cache
def _schema() -> etree.XMLSchema:
    source = resources.files(__package__).joinpath("cap-1.2.xsd").read_bytes()
    return etree.XMLSchema(etree.fromstring(source, _parser()))


def parse(body: bytes) -> etree._Element:
    """The `<alert>` of `body`, well-formed and valid by the CAP 1.2 schema; MessageRefused."""
    if len(body) > MAX_BYTES:
        raise MessageRefused(TOO_LARGE)
    if b"<!doctype" in body.lower() or b"<!entity" in body.lower():
        raise MessageRefused(NO_DOCTYPE)
    try:
        root = etree.fromstring(body, _parser())
    except etree.XMLSyntaxError:
        raise MessageRefused(NOT_XML) from None
    if root.getroottree().docinfo.internalDTD is not None:
        raise MessageRefused(NO_DOCTYPE)
    if not _schema().validate(root):
        raise MessageRefused(NOT_CAP)
    return root


def verify(body: bytes, certificate: str) -> etree._Element:
    """The signed `<alert>` of `body` (checked by `parse` first) when its enveloped signature
    verifies with `certificate`; Forbidden otherwise (unsigned, another key, changed)."""
    parse(body)
    try:
        result = XMLVerifier().verify(body, x509_cert=certificate, expect_references=1)
    except SignXMLException:
        raise errors.Forbidden(
            "The message's signature does not verify with this peer's certificate."
        ) from None
    except etree.XMLSyntaxError:
        raise MessageRefused(NOT_XML) from None
    signed = result[0] if isinstance(result, list) else result
    element = signed.signed_xml
    if element is None or element.tag != f"{{{CAP_NS}}}alert":
        raise errors.Forbidden("The signature does not cover the whole alert.")
    return element


def _text(element: etree._Element, path: str) -> str:
    found = element.find(path, NS)
    return (found.text or "").strip() if found is not None else ""


def read(element: etree._Element, sender: str) -> PeerMessage:
    """The verified `<alert>` as a PeerMessage; MessageRefused for what this service does not
    take from a peer (another sender, not an actual public alert)."""
    if _text(element, "cap:sender") != sender:
        raise errors.Forbidden("The message's sender is not this peer's.")
    if _text(element, "cap:status") != "Actual" or _text(element, "cap:scope") != "Public":
        raise MessageRefused(NOT_ACTUAL)
    msg_type = _text(element, "cap:msgType")
    if msg_type not in MSG_TYPES:
        raise MessageRefused(NOT_TYPE)
    references = tuple(
        ref.split(",")[1] for ref in _text(element, "cap:references").split() if ref.count(",") == 2
    )
    if msg_type != "Alert" and not references:
        raise MessageRefused(NO_REFERENCES)
    return PeerMessage(
        identifier=_text(element, "cap:identifier"),
        sender=sender,
        sent=datetime.fromisoformat(_text(element, "cap:sent")),
        msg_type=msg_type,
        references=references,
        infos=tuple(_info(info) for info in element.findall("cap:info", NS)),
    )


def _pairs(element: etree._Element, path: str) -> dict[str, str]:
    return {_text(pair, "cap:valueName"): _text(pair, "cap:value")
            for pair in element.findall(path, NS)}  # fmt: skip


def _info(info: etree._Element) -> Info:
    return Info(
        language=_text(info, "cap:language") or "en-US",
        headline=_text(info, "cap:headline"),
        description=_text(info, "cap:description"),
        onset=_text(info, "cap:onset"),
        expires=_text(info, "cap:expires"),
        area=_text(info, "cap:area/cap:areaDesc"),
        circle=_text(info, "cap:area/cap:circle"),
        geocodes=_pairs(info, "cap:area/cap:geocode"),
        parameters=_pairs(info, "cap:parameter"),
    )
