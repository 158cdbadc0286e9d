"""Lookup-only visitor ids: what partners and exports receive instead of the signed id.

The signed id (``<raw>.<signature>``, :mod:`cmp.ids`) is the visitor's credential: whoever
holds it can send a banner decision as that visitor. A lookup id names the same visitor
but is accepted only by the keyed lookup and provision endpoints, never by the public
decision POST, so handing it to a partner or writing it to a file gives no way to change
anyone's consent.

Form: ``lk.<scope>.<payload>``. ``scope`` is the recipient key the id was made for, or
``_`` for the site (``CMP_LOOKUP_ID_SCOPE=site``). The payload is a deterministic
authenticated encryption of the raw id (the SIV construction with keyed BLAKE2b as the
PRF): ``tag = PRF(k_tag, raw)`` (112 bits), ``ct = raw XOR PRF(k_enc, tag)``, payload =
base64url(tag + ct), 48 characters. The keys derive from ``CMP_LOOKUP_SECRET`` (default:
the secret key), the site and the scope, so:

- cmp reads the raw id back without storing anything per visitor;
- a forged or altered id fails the tag before the store is touched;
- the same visitor has a different id per recipient (and per site): two partners cannot
  join their lists on it, and an id made for one site means nothing on another.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from binascii import Error as B64Error
from binascii import a2b_base64, b2a_base64
from functools import lru_cache

from cmp import ids, rules

PREFIX = "lk."
#: The scope of a site-wide lookup id (not a possible recipient key).
SITE_SCOPE = "_"
_SCOPE = re.compile(rf"_|{rules.KEY_PATTERN}")
_RAW = re.compile(rf"^{ids.RAW_PATTERN}$")
_TAG, _LEN = 14, 22  # 36 bytes: 48 base64 characters, no padding
_TEXT = 48
#: A lookup id as it travels (the OpenAPI document declares it).
PATTERN = rf"lk\.(?:_|{rules.KEY_PATTERN})\.[A-Za-z0-9_-]{{{_TEXT}}}"
_TO_URL, _FROM_URL = bytes.maketrans(b"+/", b"-_"), bytes.maketrans(b"-_", b"+/")


class Codec:
    """Makes and reads the lookup ids of one site and scope (keys derived once)."""

    def __init__(self, secret: str, site: str, scope: str) -> None:
        if not _SCOPE.fullmatch(scope):
            raise ValueError(f"bad lookup scope {scope!r}")
        root = hmac.digest(secret.encode(), f"cmp.lookup\0{site}\0{scope}".encode(), "sha256")
        self._tag = hashlib.blake2b(key=hmac.digest(root, b"tag", "sha256"), digest_size=_TAG)
        self._enc = hashlib.blake2b(key=hmac.digest(root, b"enc", "sha256"), digest_size=_LEN)
        self.prefix = f"{PREFIX}{scope}."

    def _pad(self, tag: bytes) -> int:
        h = self._enc.copy()
        h.update(tag)
        return int.from_bytes(h.digest())

    def make(self, raw: str) -> str:
        """Return the lookup id of the raw visitor id ``raw``."""
        return self.make_many([raw])[0]

    def make_many(self, raws: list[str]) -> list[str]:
        """Return the lookup ids of many raw ids, in order (the provision path's bulk form:
        one base64 pass for the whole batch)."""
        tagger, enc, blobs = self._tag, self._enc, []
        append = blobs.append
        for raw in raws:
            data = raw.encode()
            h = tagger.copy()
            h.update(data)
            tag = h.digest()
            h = enc.copy()
            h.update(tag)
            append(tag + (int.from_bytes(data) ^ int.from_bytes(h.digest())).to_bytes(_LEN))
        text = b2a_base64(b"".join(blobs), newline=False).translate(_TO_URL).decode()
        prefix = self.prefix
        return [prefix + text[i : i + _TEXT] for i in range(0, len(text), _TEXT)]

    def raw(self, payload: str) -> str | None:
        """Return the raw id inside ``payload`` (the part after the scope), or None."""
        if len(payload) != _TEXT or not payload.isascii():
            return None
        try:
            blob = a2b_base64(payload.encode().translate(_FROM_URL), strict_mode=True)
        except (B64Error, ValueError):
            return None
        tag, ct = blob[:_TAG], blob[_TAG:]
        data = (int.from_bytes(ct) ^ self._pad(tag)).to_bytes(_LEN)
        h = self._tag.copy()
        h.update(data)
        if not hmac.compare_digest(h.digest(), tag):
            return None
        raw = data.decode("ascii", "replace")
        return raw if _RAW.match(raw) else None


@lru_cache(maxsize=256)
def codec(secret: str, site: str, scope: str) -> Codec:
    """The :class:`Codec` of a site and scope (cached: a site has few recipients)."""
    return Codec(secret, site, scope)


def is_lookup_id(value: object) -> bool:
    """Whether ``value`` has the form of a lookup id (not whether it is genuine)."""
    return isinstance(value, str) and value.startswith(PREFIX)


def parse(secret: str, site: str, value: object) -> str | None:
    """Return the raw id inside the lookup id ``value`` made for ``site``, or None."""
    if not is_lookup_id(value) or len(value) > 120:
        return None
    scope, dot, payload = value[len(PREFIX) :].partition(".")
    if not dot or not _SCOPE.fullmatch(scope):
        return None
    return codec(secret, site, scope).raw(payload)


def make(secret: str, site: str, scope: str, raw: str) -> str:
    """Return the lookup id of ``raw`` on ``site`` for ``scope`` (a recipient key or ``_``)."""
    return codec(secret, site, scope).make(raw)


class Namer:
    """Names the visitors of a site's confirmation records in exports and listings: the
    lookup id for the record's recipient (or the site-wide one with ``per_recipient``
    False), the same id the provision check answered the recipient with."""

    def __init__(self, secret: str, site: str, per_recipient: bool = True) -> None:
        self.secret, self.site, self.per_recipient = secret, site, per_recipient

    def __call__(self, raw: str, recipient: str = "") -> str:
        """Return the lookup id of ``raw`` in a record for ``recipient``."""
        scope = (
            recipient if self.per_recipient and _SCOPE.fullmatch(recipient or "") else SITE_SCOPE
        )
        return codec(self.secret, self.site, scope).make(raw)
