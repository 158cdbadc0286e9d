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
# fullmatch only: ``$`` would also take a key with a trailing newline.
KEY = re.compile(KEY_PATTERN)
KEY_HELP = "lowercase letters, digits and '-', up to 63, not starting with '-'"

# From the Unix epoch (the score of the Redis time indexes) to well past any retention.
MIN_YEAR, MAX_YEAR = 1970, 2200
_YEAR = "(19[7-9][0-9]|20[0-9][0-9]|21[0-9][0-9]|2200)"
# The days of each month; the parser refuses 29 February in the years that lack it.
_MONTH_DAY = (
    "((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)"
    "|02-(0[1-9]|1[0-9]|2[0-9]))"
)
_CLOCK = "T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]{1,6})?"
_OFFSET = "(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])"
#: The form of a time (the OpenAPI document declares it): a day, or a day and a clock time
#: with an optional offset (none: UTC). Only ASCII digits: ``\d`` would take other scripts'.
TIME_PATTERN = f"{_YEAR}-{_MONTH_DAY}({_CLOCK}{_OFFSET}?)?"
_TIME = re.compile(TIME_PATTERN)
_DAY = re.compile(f"{_YEAR}-{_MONTH_DAY}")
TIME_HELP = "a day (2026-01-31, a day in Japan) or an ISO 8601 time (2026-01-31T09:30:00+09:00)"


class BadTime(ValueError):
    """A time that is no day or ISO time, or lies outside MIN_YEAR..MAX_YEAR."""


def is_key(value: object) -> bool:
    """True if ``value`` is a well-formed site, category or recipient key."""
    return isinstance(value, str) and KEY.fullmatch(value) is not None


def parse_time(value: str | None) -> str:
    """Return ``value`` (a day or an ISO time) as an ISO UTC time, ``""`` if empty.

    A bare day is a Japanese calendar day: it starts at 00:00 JST (cmp.jst). Only years
    MIN_YEAR to MAX_YEAR (a day's own, a time's in UTC) are taken: outside them no record can
    be, and the extremes overflow on the way to UTC or when retention days are added.
    Raises :class:`BadTime` (its message says which of the two rules was broken).
    """
    if not value:
        return ""
    if not _TIME.fullmatch(value):
        raise BadTime("is not a day or ISO time")
    is_day = _DAY.fullmatch(value) is not None
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
