"""Pure consent rules: what a decision means, when it expires, how GPC and opt-outs apply,
and whether a visitor's information may be provided to a recipient (APPI Art. 31).

Nothing here does I/O; the faces call these functions and the storage contract stores the
results. Tested directly (tests/test_decisions.py), with hypothesis where inputs vary.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cmp import clock
from cmp.model import Category, ConsentState, ConsentSummary, Receipt, Recipient

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
    (APPI Art. 31) must also be consented by name, unless it obtains that consent itself
    (a declaration, Rule 26(1)); the others follow their category unless the decision
    turns them off by name (an explicit ``false``: the banner's iframe placeholder grants one
    recipient of a category and no other).
    """
    known = {r.key for r in recipients}
    unknown = sorted(set(requested) - known)
    if unknown:
        raise DecisionError("unknown_recipient", f"unknown recipient: {', '.join(unknown)}")
    chosen: dict[str, bool] = {}
    for recipient in recipients:
        category_on = bool(categories.get(recipient.category, False))
        # A recipient that obtains the linking consent itself (Rule 26(1) declaration) is
        # not asked about by name here: it follows its category like the others.
        named = recipient.links_personal_data and recipient.consent_method != "declaration"
        if named or recipient.receives_personal_data:
            chosen[recipient.key] = category_on and bool(requested.get(recipient.key, False))
        else:
            chosen[recipient.key] = category_on and requested.get(recipient.key) is not False
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


#: The longest consent lifetime a site may set (three years).
MAX_LIFETIME_DAYS = 1095


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


# -- provision checks (APPI Art. 31) -------------------------------------------------------

UNKNOWN_VISITOR, INVALID_VISITOR_ID = "unknown_visitor", "invalid_visitor_id"
OPTED_OUT, NO_CONSENT = "opted_out", "no_consent"
RECIPIENT_NOT_CONSENTED, FOREIGN_INFO_NOT_SHOWN = (
    "recipient_not_consented",
    "foreign_info_not_shown",
)
#: Every denial reason, in the order a verdict tests them (the first that applies is given).
REASONS = (
    UNKNOWN_VISITOR,
    INVALID_VISITOR_ID,
    OPTED_OUT,
    NO_CONSENT,
    EXPIRED,
    OUTDATED,
    RECIPIENT_NOT_CONSENTED,
    FOREIGN_INFO_NOT_SHOWN,
)
#: Methods whose decisions the visitor made on the banner or settings, seeing the notice.
DISPLAY_METHODS = frozenset({"banner", "preferences"})
#: Recipient fields whose change means the visitor consented to something else.
MATERIAL_FIELDS = (
    "category name service items purpose recipient_purpose links_personal_data".split()
)
#: Fields the provision rule also compares between versions, with their defaults (a
#: snapshot written before a field existed holds the default): who obtains the consent.
RULE_FIELDS = {"consent_method": "", "receives_personal_data": False}


@dataclass(frozen=True)
class ProvisionRule:
    """A provision check's question, resolved against the registry and the policy versions."""

    recipient: str
    category: str
    links_personal_data: bool
    foreign: bool
    #: Policy versions under which the recipient and its items were as they are now.
    unchanged_versions: frozenset[int]
    #: Policy versions whose notice showed the recipient's current country information.
    foreign_shown_versions: frozenset[int]
    #: The recipient declared (Rule 26(1)) that it obtained the consent itself, so named
    #: consent and the foreign information are confirmed by its declaration, not receipts.
    by_declaration: bool = False


@dataclass(frozen=True)
class Basis:
    """The decision a consent rests on: the visitor's last one made seeing the notice."""

    policy_version: int
    recipient_granted: bool
    receipt_seq: int


def _shown(values: Any) -> bool:
    # The banner falls back to another language when one is missing, so any text is shown.
    return isinstance(values, Mapping) and any(isinstance(v, str) and v for v in values.values())


def foreign_info_complete(recipient: Mapping[str, Any]) -> bool:
    """True if a recipient dict has all Rule 17(2) information (country, system, measures)."""
    foreign = recipient.get("foreign")
    return (
        _shown(recipient.get("country"))
        and isinstance(foreign, Mapping)
        and _shown(foreign.get("system"))
        and _shown(foreign.get("measures"))
    )


def provision_rule(
    recipient: Recipient, snapshots: Mapping[int, Mapping[str, Any]]
) -> ProvisionRule:
    """Build the rule for ``recipient`` from published policy snapshots (version -> snapshot).

    A version counts as unchanged when its snapshot lists the recipient with the same
    material fields as now; it showed the foreign information when the snapshot also had the
    same, complete, country and foreign-system information as now.
    """
    live = recipient.to_dict()
    unchanged, shown = set(), set()
    for version, snapshot in snapshots.items():
        then = next(
            (r for r in snapshot.get("recipients", []) if r.get("key") == recipient.key), None
        )
        if then is None or any(then.get(f) != live[f] for f in MATERIAL_FIELDS):
            continue
        if any(then.get(f, default) != live[f] for f, default in RULE_FIELDS.items()):
            continue
        unchanged.add(version)
        same_foreign = (
            then.get("country") == live["country"] and then.get("foreign") == live["foreign"]
        )
        if same_foreign and foreign_info_complete(then):
            shown.add(version)
    return ProvisionRule(
        recipient=recipient.key,
        category=recipient.category,
        links_personal_data=recipient.links_personal_data,
        foreign=recipient.foreign is not None,
        unchanged_versions=frozenset(unchanged),
        foreign_shown_versions=frozenset(shown),
        by_declaration=recipient.links_personal_data and recipient.consent_method == "declaration",
    )


def unknown_items(recipient: Recipient, items: Iterable[str]) -> list[str]:
    """Return the requested items the recipient was never registered (and shown) for."""
    known = {item for values in recipient.items.values() for item in values}
    return [item for item in items if item not in known]


def display_basis(summary: ConsentSummary, rule: ProvisionRule) -> Basis | None:
    """Return the basis of a state decided on the banner or settings (None otherwise)."""
    choice = summary.choice
    if choice.method not in DISPLAY_METHODS:
        return None
    return Basis(choice.policy_version, rule.recipient in choice.recipients, summary.seq)


def receipts_basis(receipts: Sequence[Receipt], rule: ProvisionRule, up_to: int) -> Basis | None:
    """Return the basis of a state set without display (opt-out, API): the last decision
    with display at or before receipt ``up_to``, or None."""
    for receipt in reversed(receipts):
        if receipt.seq <= up_to and receipt.method in DISPLAY_METHODS:
            granted = bool(receipt.recipients.get(rule.recipient))
            return Basis(receipt.policy_version, granted, receipt.seq)
    return None


def ever_decided(receipts: Sequence[Receipt], up_to: int) -> bool:
    """True if any receipt at or before ``up_to`` is a decision, not an opt-out: a state
    made of opt-outs alone grants nothing."""
    return any(r.seq <= up_to and r.method != "opt-out" for r in receipts)


def refusal(summary: ConsentSummary, rule: ProvisionRule) -> str | None:
    """Return ``opted_out`` or ``no_consent`` when the visitor's own choice refuses."""
    if rule.category in summary.choice.opted_out:
        return OPTED_OUT
    if rule.category not in summary.choice.categories:
        return NO_CONSENT
    return None


def provision_verdict(
    summary: ConsentSummary | None, rule: ProvisionRule, now: int, basis: Basis | None
) -> str | None:
    """Return why providing to ``rule``'s recipient is denied, or None when it is allowed.

    In order: no state; the visitor's refusal (opt-out, category off), which stands whatever
    its age or version; expiry (``now``: epoch seconds); a recipient changed since the version
    the consent was given under (``outdated``); for a recipient linking the data to personal
    data, consent to it by name, now and on the banner (``basis``: the decision made seeing
    the notice); for a foreign recipient, the country information shown with that consent.
    """
    if summary is None:
        return UNKNOWN_VISITOR
    refused = refusal(summary, rule)
    if refused:
        return refused
    if summary.expires and summary.expires <= now:
        return EXPIRED
    version = basis.policy_version if basis else summary.choice.policy_version
    if version not in rule.unchanged_versions:
        return OUTDATED
    if rule.by_declaration:
        return None
    if rule.links_personal_data and (
        rule.recipient not in summary.choice.recipients or not (basis and basis.recipient_granted)
    ):
        return RECIPIENT_NOT_CONSENTED
    if rule.foreign and (basis is None or version not in rule.foreign_shown_versions):
        return FOREIGN_INFO_NOT_SHOWN
    return None
