"""Parse and write the banner's first-party ``cmp_consent`` cookie, for Python backends.

Format (version 1), fields joined by ``~``::

    1~<policy_version>~<visitor_id or empty>~<categories>~<recipients>~<gpc 0|1>~<decided_at>

where categories and recipients are the granted keys joined by ``+`` (each one of
:data:`cmp.rules.KEY`), the visitor id is the signed id (empty while the decision is still
queued in the browser) and ``decided_at`` is Unix seconds. Anything else is rejected: a backend must
treat an unreadable cookie as "no consent".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cmp import rules

COOKIE_NAME = "cmp_consent"
_VID = re.compile(r"^[A-Za-z0-9_-]{1,64}\.[A-Za-z0-9_-]{1,64}$")
_MAX = 4096


class CookieError(ValueError):
    """The cookie value is not a version-1 ``cmp_consent`` value."""


@dataclass(frozen=True)
class ConsentCookie:
    """The decision a browser carries."""

    policy_version: int
    visitor_id: str
    categories: frozenset[str] = field(default_factory=frozenset)
    recipients: frozenset[str] = field(default_factory=frozenset)
    gpc: bool = False
    decided_at: int = 0

    def allows(self, category: str) -> bool:
        """True if the category was granted."""
        return category in self.categories


def _keys(text: str) -> frozenset[str]:
    if not text:
        return frozenset()
    keys = text.split("+")
    if not all(rules.KEY.fullmatch(k) for k in keys):
        raise CookieError("malformed key list")
    return frozenset(keys)


def _number(text: str, name: str) -> int:
    if not text.isdigit() or len(text) > 12:
        raise CookieError(f"{name} must be a non-negative integer")
    return int(text)


def parse(value: str) -> ConsentCookie:
    """Parse a cookie value or raise :class:`CookieError`."""
    if not isinstance(value, str) or len(value) > _MAX:
        raise CookieError("not a cookie value")
    parts = value.split("~")
    if len(parts) != 7 or parts[0] != "1":
        raise CookieError("not a version-1 cmp_consent value")
    _, version, vid, cats, recips, gpc, decided = parts
    if vid and not _VID.match(vid):
        raise CookieError("malformed visitor id")
    if gpc not in ("0", "1"):
        raise CookieError("gpc must be 0 or 1")
    return ConsentCookie(
        policy_version=_number(version, "policy_version"),
        visitor_id=vid,
        categories=_keys(cats),
        recipients=_keys(recips),
        gpc=gpc == "1",
        decided_at=_number(decided, "decided_at"),
    )


def dump(cookie: ConsentCookie) -> str:
    """Write a cookie value that :func:`parse` reads back."""
    return "~".join(
        [
            "1",
            str(cookie.policy_version),
            cookie.visitor_id,
            "+".join(sorted(cookie.categories)),
            "+".join(sorted(cookie.recipients)),
            "1" if cookie.gpc else "0",
            str(cookie.decided_at),
        ]
    )
