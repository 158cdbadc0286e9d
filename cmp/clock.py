"""Time helpers: every stored time is an ISO 8601 UTC string with a trailing ``Z``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def now() -> datetime:
    """Return the current time, timezone-aware UTC, truncated to whole seconds."""
    return datetime.now(UTC).replace(microsecond=0)


def iso(moment: datetime) -> str:
    """Format an aware datetime as ``YYYY-MM-DDTHH:MM:SSZ``."""
    # isoformat, not strftime: strftime goes through the C library's locale-aware
    # formatter, ~8 µs a call here, and a decision write formats five times.
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="seconds")[:-6] + "Z"


def parse(text: str) -> datetime:
    """Parse a time written by :func:`iso` (or any ISO 8601 form with an offset)."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def day(moment: datetime) -> str:
    """Return the UTC day of ``moment`` as ``YYYY-MM-DD`` (the statistics bucket)."""
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.date().isoformat()


def add_days(moment: datetime, days: int) -> datetime:
    """Return ``moment`` plus ``days`` days."""
    return moment + timedelta(days=days)
