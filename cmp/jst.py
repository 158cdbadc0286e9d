"""Japanese calendar days (the dates of Japanese records
are Japan Standard Time, UTC+9): a record's dates are days in Asia/Tokyo.

Instants stay ISO 8601 with an offset (stored in UTC, ``Z``); a *day* a person reads or
types (a batch's first and last day, a check's date, the admin's columns) is a JST day.
Japan has kept UTC+9 without daylight saving since 1951, so a fixed offset is exact for
every date cmp can hold and needs no time-zone database.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from cmp import clock

JST = timezone(timedelta(hours=9), "JST")


def day(moment: datetime | str) -> str:
    """Return the JST calendar day (``YYYY-MM-DD``) of an instant or an ISO time."""
    if isinstance(moment, str):
        if not moment:
            return ""
        moment = clock.parse(moment)
    return moment.astimezone(JST).strftime("%Y-%m-%d")


def today(now: datetime | None = None) -> date:
    """Return today's date in Japan."""
    return (now or clock.now()).astimezone(JST).date()


def day_start(text: str) -> datetime:
    """Return the instant (UTC) a JST day ``YYYY-MM-DD`` begins: 00:00 JST."""
    return datetime.fromisoformat(text).replace(tzinfo=JST).astimezone(UTC)


def iso_jst(moment: datetime | str) -> str:
    """Return an instant as ISO 8601 in JST with its offset (``…T09:00:00+09:00``)."""
    if isinstance(moment, str):
        if not moment:
            return ""
        moment = clock.parse(moment)
    return moment.astimezone(JST).isoformat(timespec="seconds")
