"""The optional XML signature of CAP messages: enveloped XML-DSig (signxml), RSA or EC with
SHA-256, the certificate carried in `ds:KeyInfo`, with the key and certificate named by
CAP_SIGNING_KEY and CAP_SIGNING_CERT. Off when either is empty."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from lxml import etree
from signxml import SignatureMethod, XMLSigner, XMLVerifier, methods

from alerts.config import Settings


def enabled(settings: Settings) -> bool:
    """True when a key and a certificate are configured."""
    return bool(settings.cap_signing_key and settings.cap_signing_cert)


def sign(document: bytes, key_pem: bytes, cert_pem: bytes) -> bytes:
    """`document` (one CAP `<alert>`) with an enveloped signature appended to its root."""
    root = etree.fromstring(document, etree.XMLParser(resolve_entities=False, no_network=True))
    # signxml signs with RSA-SHA256 unless told otherwise, which an EC key cannot do.
    is_ec = isinstance(load_pem_private_key(key_pem, password=None), ec.EllipticCurvePrivateKey)
    algorithm = SignatureMethod.ECDSA_SHA256 if is_ec else SignatureMethod.RSA_SHA256
    signer = XMLSigner(method=methods.enveloped, signature_algorithm=algorithm)
    signed = signer.sign(root, key=key_pem, cert=cert_pem.decode("ascii"))
    return bytes(etree.tostring(signed, xml_declaration=True, encoding="utf-8"))


def sign_configured(settings: Settings, document: bytes) -> bytes:
    """`document` signed with the configured key, or as it is when signing is off."""
    if not enabled(settings):
        return document
    key = Path(settings.cap_signing_key).read_bytes()
    cert = Path(settings.cap_signing_cert).read_bytes()
    return sign(document, key, cert)


def verify(document: bytes, cert_pem: bytes) -> bytes:
    """The signed `<alert>` of `document` if its signature is valid for `cert_pem`; raises
    signxml's InvalidSignature otherwise."""
    result = XMLVerifier().verify(document, x509_cert=cert_pem.decode("ascii"))
    assert not isinstance(result, list)  # one signature expected
    return bytes(etree.tostring(result.signed_xml))
