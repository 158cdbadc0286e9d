"""Pure checks of what operators type, shared by the forms.

Each check returns the cleaned value or raises :class:`Invalid`, whose ``key`` names a
message of :mod:`cmp.admin.messages` (the form shows it next to the field). Nothing here
needs a request, so the rules are easy to test on their own.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from cmp import items as items_rule
from cmp import rules
from cmp.decisions import MAX_LIFETIME_DAYS

#: Google Consent Mode v2 signals a category may grant.
GCM_SIGNALS = (
    "ad_storage",
    "analytics_storage",
    "ad_user_data",
    "ad_personalization",
    "functionality_storage",
    "personalization_storage",
    "security_storage",
)
#: RFC 6265 cookie-name characters, plus ``*`` as the wildcard of a pattern.
COOKIE_PATTERN = re.compile(r"^[A-Za-z0-9!#$%&'*+\-.^_`|~]{1,128}$")
COOKIE_NAME = re.compile(r"^[A-Za-z0-9!#$%&'+\-.^_`|~]{1,128}$")
ORIGIN = re.compile(r"^https?://(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$")
DOMAIN = re.compile(
    r"^\.?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"
)
MAX_ITEM = 200
MAX_ITEMS = 50


class Invalid(ValueError):
    """A value breaks a rule; ``key`` names the message, ``params`` fill it in."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def lines(text: str | None) -> list[str]:
    """Split a textarea into stripped, non-empty lines."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def key(value: str) -> str:
    """A site, category or recipient key (the one rule: :data:`cmp.rules.KEY`)."""
    value = (value or "").strip()
    if not rules.is_key(value):
        raise Invalid("err_key")
    return value


def http_url(value: str | None) -> str:
    """An absolute http(s) URL, or ``""`` when left empty."""
    value = (value or "").strip()
    if not value:
        return ""
    parts = urlsplit(value)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or len(value) > 2048
        or any(c.isspace() or ord(c) < 32 for c in value)
    ):
        raise Invalid("err_url")
    return value


def origins(text: str | None) -> list[str]:
    """Allowed origins, one per line, like ``https://www.example.jp`` (no path)."""
    out: list[str] = []
    for line in lines(text):
        origin = line.rstrip("/").lower()
        if not ORIGIN.match(origin):
            raise Invalid("err_origin", value=line)
        if origin not in out:
            out.append(origin)
    return out


def cookie_domain(value: str | None) -> str:
    """A cookie domain such as ``.example.jp``, or ``""``."""
    value = (value or "").strip().lower()
    if value and (len(value) > 253 or not DOMAIN.match(value)):
        raise Invalid("err_domain")
    return value


def cookie_patterns(text: str | None) -> list[str]:
    """Cookie names to delete on withdrawal, ``*`` as wildcard (``_ga_*``); never ``*`` alone."""
    out: list[str] = []
    for line in lines(text):
        if not COOKIE_PATTERN.match(line) or not line.strip("*"):
            raise Invalid("err_cookie_pattern", value=line)
        if line not in out:
            out.append(line)
    return out


def cookie_names(text: str | None) -> list[str]:
    """Plain cookie names (no wildcard), one per line."""
    out: list[str] = []
    for line in lines(text):
        if not COOKIE_NAME.match(line):
            raise Invalid("err_cookie_name", value=line)
        if line not in out:
            out.append(line)
    return out


def gcm(values: list[str]) -> list[str]:
    """Consent Mode signals, each one of :data:`GCM_SIGNALS`."""
    for value in values:
        if value not in GCM_SIGNALS:
            raise Invalid("err_gcm", value=value)
    return [s for s in GCM_SIGNALS if s in values]


def items(text: str | None, lang: str) -> list[str]:
    """The information sent, one item per line: non-empty, specific, no repeats."""
    out = lines(text)
    if not out:
        raise Invalid("err_items_empty")
    if len(out) > MAX_ITEMS:
        raise Invalid("err_items_many", n=MAX_ITEMS)
    for item in out:
        if len(item) > MAX_ITEM:
            raise Invalid("err_item_long", value=item[:40], n=MAX_ITEM)
        if items_rule.vague(item):
            raise Invalid("err_item_vague", value=item)
    if len(set(out)) != len(out):
        raise Invalid("err_items_repeat")
    return out


def lifetime(value: str | None) -> int:
    """Consent lifetime in days: a whole number from 1 to 1095 (three years)."""
    try:
        days = int(str(value or "").strip())
    except ValueError as exc:
        raise Invalid("err_lifetime") from exc
    if not 1 <= days <= MAX_LIFETIME_DAYS:
        raise Invalid("err_lifetime")
    return days
