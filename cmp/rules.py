"""What keys and times typed by people look like: one home for the admin, the API and the CLI.

Each rule is a pure function or pattern; the callers only turn a refusal into their own
answer (a message beside the admin field, a problem+json 422, a ``click.BadParameter``), so
the three front doors accept and refuse the same inputs (tests/test_rules.py).
"""

from __future__ import annotations

import re

from cmp import clock, jst

#: A site, category or recipient key. It starts with a letter or digit: a key starting with
#: ``-`` would read as an option on the command line (``cmp create-api-key --site -x``). It
#: has no ``_``, ``+`` or ``~``: the banner's cookie joins keys with ``+`` and fields with
#: ``~`` (cmp.cookie), and ``_`` is the site-wide scope of lookup ids (cmp.lookup).
KEY_PATTERN = r"[a-z0-9][a-z0-9-]{0,62}"
KEY = re.compile(rf"^{KEY_PATTERN}$")
KEY_HELP = "lowercase letters, digits and '-', up to 63, not starting with '-'"

# From the Unix epoch (the score of the Redis time indexes) to well past any retention.
MIN_YEAR, MAX_YEAR = 1970, 2200
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TIME_HELP = "a day (2026-01-31, a day in Japan) or an ISO 8601 time"


class BadTime(ValueError):
    """A time that is no day or ISO time, or lies outside MIN_YEAR..MAX_YEAR."""


def is_key(value: object) -> bool:
    """True if ``value`` is a well-formed site, category or recipient key."""
    return isinstance(value, str) and KEY.match(value) is not None


def parse_time(value: str | None) -> str:
    """Return ``value`` (a day or an ISO time) as an ISO UTC time, ``""`` if empty.

    A bare day is a Japanese calendar day: it starts at 00:00 JST (cmp.jst). Only years
    MIN_YEAR to MAX_YEAR (a day's own, a time's in UTC) are taken: outside them no record can
    be, and the extremes overflow on the way to UTC or when retention days are added.
    Raises :class:`BadTime` (its message says which of the two rules was broken).
    """
    if not value:
        return ""
    is_day = _DAY.match(value) is not None
    text = f"{value}T00:00:00+09:00" if is_day else value
    out_of_range = BadTime(f"must be a time in the years {MIN_YEAR} to {MAX_YEAR}")
    try:
        moment = clock.parse(text)
    except OverflowError as exc:
        raise out_of_range from exc
    except ValueError as exc:
        raise BadTime("is not a day or ISO time") from exc
    year = moment.astimezone(jst.JST).year if is_day else moment.year
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise out_of_range
    return clock.iso(moment)
