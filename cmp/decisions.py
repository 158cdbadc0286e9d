"""Pure consent rules: what a decision means, when it expires, how GPC and opt-outs apply.

Nothing here does I/O; the faces call these functions and the storage contract stores the
results. Tested directly (tests/test_decisions.py), with hypothesis where inputs vary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from cmp import clock
from cmp.model import Category, ConsentState, Recipient

ACTIVE, EXPIRED, OUTDATED = "active", "expired", "outdated"


class DecisionError(ValueError):
    """A decision names something the site does not have; ``code`` is the API's error code."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def choose_categories(
    categories: Sequence[Category],
    requested: Mapping[str, bool],
    *,
    gpc: bool = False,
    method: str = "banner",
) -> dict[str, bool]:
    """Return the full category map a decision grants.

    Required categories are always on; a category the request leaves out is off (consent
    needs an act). Under GPC with no explicit choice (method ``gpc``), every category
    marked for GPC is off whatever was sent.
    """
    known = {c.key for c in categories}
    unknown = sorted(set(requested) - known)
    if unknown:
        raise DecisionError("unknown_category", f"unknown category: {', '.join(unknown)}")
    chosen: dict[str, bool] = {}
    for category in categories:
        granted = bool(requested.get(category.key, False))
        if gpc and method == "gpc" and category.gpc:
            granted = False
        chosen[category.key] = True if category.required else granted
    return chosen


def choose_recipients(
    recipients: Sequence[Recipient],
    categories: Mapping[str, bool],
    requested: Mapping[str, bool],
) -> dict[str, bool]:
    """Return the full recipient map a decision grants.

    A recipient is on only if its category is on. One that links data to personal data
    (APPI Art. 31) must also be consented by name; the others follow their category.
    """
    known = {r.key for r in recipients}
    unknown = sorted(set(requested) - known)
    if unknown:
        raise DecisionError("unknown_recipient", f"unknown recipient: {', '.join(unknown)}")
    chosen: dict[str, bool] = {}
    for recipient in recipients:
        category_on = bool(categories.get(recipient.category, False))
        if recipient.links_personal_data:
            chosen[recipient.key] = category_on and bool(requested.get(recipient.key, False))
        else:
            chosen[recipient.key] = category_on
    return chosen


def carry_opt_outs(prior: Sequence[str], categories: Mapping[str, bool]) -> list[str]:
    """Keep earlier opt-outs except for categories this decision explicitly grants again."""
    return sorted(c for c in set(prior) if not categories.get(c, False))


def apply_opt_out(
    categories: Sequence[Category],
    current: Mapping[str, bool] | None,
    opt_out: Sequence[str] | str,
    prior_opted_out: Sequence[str] = (),
) -> tuple[dict[str, bool], list[str]]:
    """Return ``(categories, opted_out)`` after opting out of ``opt_out`` (or ``"all"``).

    Required categories cannot be opted out of; naming one is an error, as is an unknown key.
    """
    optional = [c.key for c in categories if not c.required]
    if opt_out == "all":
        targets = optional
    else:
        known = {c.key for c in categories}
        unknown = sorted(set(opt_out) - known)
        if unknown:
            raise DecisionError("unknown_category", f"unknown category: {', '.join(unknown)}")
        required = sorted(set(opt_out) - set(optional))
        if required:
            raise DecisionError(
                "required_category", f"cannot opt out of required category: {', '.join(required)}"
            )
        targets = list(opt_out)
    base = {
        c.key: (True if c.required else bool((current or {}).get(c.key, False))) for c in categories
    }
    for key in targets:
        base[key] = False
    return base, sorted(set(prior_opted_out) | set(targets))


def expires_at(decided: datetime, lifetime_days: int) -> datetime:
    """Return when a decision made at ``decided`` stops counting as consent."""
    return clock.add_days(decided, lifetime_days)


def status(state: ConsentState, policy_version: int, now: datetime) -> str:
    """Return ``expired`` past the lifetime, ``outdated`` under an older policy, else ``active``."""
    if state.expires_at and clock.parse(state.expires_at) <= now:
        return EXPIRED
    if state.policy_version != policy_version:
        return OUTDATED
    return ACTIVE


def category_allowed(
    state: ConsentState | None, category: str, policy_version: int, now: datetime
) -> bool:
    """True if ``state`` grants ``category`` now: active, granted and not opted out."""
    if state is None or status(state, policy_version, now) != ACTIVE:
        return False
    return bool(state.categories.get(category)) and category not in state.opted_out
