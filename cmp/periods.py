"""A batch's provision period against the consents it relies on (issue 11 gap 5).

A confirmation record may cover a period (``provided_from`` .. ``provided_to``). A consent
covers provision from the moment it was given, never before: an id whose consent (the
receipt the verdict rests on) is later than the period's start is denied with
:data:`CONSENT_AFTER_START`. cmp denies rather than splits: one record is one period, and
a shorter period is the caller's to send as its own check (the answer says which ids).
This is strict on purpose: a visitor who re-confirmed consent after the start is denied
too, because the record can only prove the consent it names.

Nor may a period outlast the consent: an id whose consent expires before the end of the
period's last day (a JST day) is denied with :data:`CONSENT_EXPIRES_IN_PERIOD` (a check
today for a period next year would otherwise confirm a consent that will have lapsed).

Only a period that starts before the check, or ends after it, costs anything (the receipts
or the states of the allowed ids are read once, in bulk); the usual check, dated now, reads
nothing more.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from cmp import clock, jst
from cmp.storage import Storage

CONSENT_AFTER_START = "consent_after_period_start"
#: The consent expires before the period ends (a period beyond the consent's lifetime).
CONSENT_EXPIRES_IN_PERIOD = "consent_expires_in_period"
#: The verdicts this module adds to those of :mod:`cmp.decisions`.
REASONS = (CONSENT_AFTER_START, CONSENT_EXPIRES_IN_PERIOD)


def consent_precedes(consented_at: str, provided_from: str) -> bool:
    """True if a consent given at ``consented_at`` covers a period from ``provided_from``."""
    return clock.parse(consented_at) <= clock.parse(provided_from)


def apply_period(
    store: Storage,
    site: str,
    found: dict[str, str | None],
    seqs: dict[str, int],
    provided_from: str,
    moment: datetime,
) -> None:
    """Deny (in ``found``, removing from ``seqs``) every allowed id whose consent is later
    than ``provided_from``; nothing to do for a period starting at or after ``moment``."""
    if not provided_from or not seqs or clock.parse(provided_from) >= moment:
        return
    raws = list(seqs)
    for raw, history in zip(raws, store.get_receipts_many(site, raws), strict=True):
        seq = seqs[raw]
        receipt = next((r for r in history if r.seq == seq), None)
        if receipt is None or not consent_precedes(receipt.created_at, provided_from):
            found[raw] = CONSENT_AFTER_START
            del seqs[raw]


def apply_expiry(
    store: Storage,
    site: str,
    found: dict[str, str | None],
    seqs: dict[str, int],
    provided_to: str,
    moment: datetime,
) -> None:
    """Deny (in ``found``, removing from ``seqs``) every allowed id whose consent expires
    before the end of the JST day of ``provided_to``; nothing to do for a period ending
    before ``moment`` (the verdict already checked the expiry at ``moment``)."""
    if not provided_to or not seqs or clock.parse(provided_to) <= moment:
        return
    end = jst.day_start(jst.day(provided_to)) + timedelta(days=1)
    raws = list(seqs)
    for raw, summary in zip(raws, store.get_consent_summaries(site, raws), strict=True):
        if summary is None or (summary.expires and summary.expires < end.timestamp()):
            found[raw] = CONSENT_EXPIRES_IN_PERIOD
            del seqs[raw]
