"""Visitor identifiers: issued by the server, signed, verified before the store is touched.

A visitor id is 16 random bytes in base64url (22 characters). Outside the server it travels
signed as ``<id>.<signature>`` (itsdangerous's signer format, salt ``cmp.visitor``); the store
keeps the raw id only, which saves memory per visitor and means a forged id can never name a
stored key.
"""

from __future__ import annotations

import base64
import hmac
import re
import secrets
from binascii import b2a_base64
from functools import lru_cache

from itsdangerous import Signer

SALT = "cmp.visitor"
#: A raw id: 16 bytes in base64url, no padding.
RAW_PATTERN = r"[A-Za-z0-9_-]{22}"
#: A signed id as it travels (the OpenAPI document declares it): the raw id, ``.``, and the
#: base64url HMAC of the signer's digest (SHA-1 by itsdangerous's default: 27 characters).
_SIGNATURE = (Signer("-", salt=SALT).digest_method().digest_size * 8 + 5) // 6
SIGNED_PATTERN = rf"{RAW_PATTERN}\.[A-Za-z0-9_-]{{{_SIGNATURE}}}"
_RAW = re.compile(rf"^{RAW_PATTERN}$")
_URLSAFE = bytes.maketrans(b"+/", b"-_")


class InvalidVisitorId(ValueError):
    """The id is malformed or its signature does not match."""


class Verifier:
    """Signs and verifies ids exactly as itsdangerous's ``Signer`` with our salt does, with
    the HMAC key derived once: the lookup and provision paths verify ids by the thousand."""

    def __init__(self, secret_key: str) -> None:
        signer = Signer(secret_key, salt=SALT)
        self.key = signer.derive_key()
        # By name, so that hmac.digest takes OpenSSL's one-shot path (a Python hash
        # constructor, as itsdangerous passes, is several times slower per id).
        self.digest = signer.digest_method().name
        self.sep = signer.sep.decode() if isinstance(signer.sep, bytes) else signer.sep

    def _signature(self, value: str) -> bytes:
        mac = hmac.digest(self.key, value.encode(), self.digest)
        return b2a_base64(mac, newline=False).translate(_URLSAFE).rstrip(b"=")

    def raw(self, signed: object) -> str | None:
        """Return the raw id inside ``signed``, or None if it is forged or malformed."""
        if not isinstance(signed, str) or len(signed) > 100:
            return None
        value, sep, signature = signed.rpartition(self.sep)
        if not sep or not hmac.compare_digest(self._signature(value), signature.encode()):
            return None
        return value if _RAW.match(value) else None

    def sign(self, raw: str) -> str:
        """Return the public form ``<id>.<signature>`` of a raw id."""
        return f"{raw}{self.sep}{self._signature(raw).decode()}"


@lru_cache(maxsize=8)
def verifier(secret_key: str) -> Verifier:
    """The :class:`Verifier` of a secret key (built once per key and process)."""
    return Verifier(secret_key)


def new_raw_id() -> str:
    """Return a fresh raw visitor id (16 random bytes, base64url, no padding)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(16)).rstrip(b"=").decode()


def sign(secret_key: str, raw_id: str) -> str:
    """Return the public form ``<id>.<signature>`` of a raw id."""
    return verifier(secret_key).sign(raw_id)


def verify(secret_key: str, signed_id: object) -> str:
    """Return the raw id inside ``signed_id`` or raise :class:`InvalidVisitorId`."""
    raw = verifier(secret_key).raw(signed_id)
    if raw is None:
        raise InvalidVisitorId("visitor id is forged or malformed")
    return raw


def issue(secret_key: str) -> tuple[str, str]:
    """Return a new ``(raw_id, signed_id)`` pair."""
    raw = new_raw_id()
    return raw, sign(secret_key, raw)
