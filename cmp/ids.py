"""Visitor identifiers: issued by the server, signed, verified before the store is touched.

A visitor id is 16 random bytes in base64url (22 characters). Outside the server it travels
signed as ``<id>.<signature>`` (itsdangerous, salt ``cmp.visitor``); the store keeps the raw
id only, which saves memory per visitor and means a forged id can never name a stored key.
"""

from __future__ import annotations

import base64
import re
import secrets
from functools import lru_cache

from itsdangerous import BadSignature, Signer

SALT = "cmp.visitor"
_RAW = re.compile(r"^[A-Za-z0-9_-]{22}$")


class InvalidVisitorId(ValueError):
    """The id is malformed or its signature does not match."""


@lru_cache(maxsize=8)
def _signer(secret_key: str) -> Signer:
    # One Signer per key: building it derives the HMAC key, which is wasted work per request.
    return Signer(secret_key, salt=SALT)


def new_raw_id() -> str:
    """Return a fresh raw visitor id (16 random bytes, base64url, no padding)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(16)).rstrip(b"=").decode()


def sign(secret_key: str, raw_id: str) -> str:
    """Return the public form ``<id>.<signature>`` of a raw id."""
    return _signer(secret_key).sign(raw_id).decode()


def verify(secret_key: str, signed_id: object) -> str:
    """Return the raw id inside ``signed_id`` or raise :class:`InvalidVisitorId`."""
    if not isinstance(signed_id, str) or len(signed_id) > 100:
        raise InvalidVisitorId("visitor id must be a string of at most 100 characters")
    try:
        raw = _signer(secret_key).unsign(signed_id).decode()
    except BadSignature as exc:
        raise InvalidVisitorId("visitor id signature does not match") from exc
    if not _RAW.match(raw):
        raise InvalidVisitorId("visitor id is malformed")
    return raw


def issue(secret_key: str) -> tuple[str, str]:
    """Return a new ``(raw_id, signed_id)`` pair."""
    raw = new_raw_id()
    return raw, sign(secret_key, raw)
