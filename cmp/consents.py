"""Recording decisions and opt-outs, and presenting a visitor's state.

The faces validate input and call these; these apply :mod:`cmp.decisions` and write through
the storage contract in one :meth:`~cmp.storage.base.Storage.record_decision` call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cmp import clock, decisions, ids, lookup
from cmp.model import Alias, AuditEntry, Category, ConsentState, Receipt, Recipient, Site
from cmp.receipts import shown_receipt_id
from cmp.storage import Charges, Storage

#: The policy version of a state that no decision on the banner backs (an opt-out only).
NO_POLICY = 0


@dataclass
class Context:
    """Who is deciding and from what client: goes into the receipt."""

    lang: str = "ja"
    user_agent: dict[str, Any] = field(default_factory=dict)
    ip: str = ""
    texts_hash: str = ""
    source: str = ""
    note: str = ""


def counters(state: ConsentState, receipt: Receipt) -> dict[str, int]:
    """Return the daily counters one decision adds; bots count only as bots."""
    if receipt.ua.get("bot"):
        return {"bots": 1}
    out = {"decisions": 1, f"method:{receipt.method}": 1}
    for key, on in state.categories.items():
        side = "on" if on else "off"
        out[f"cat:{key}:{side}"] = 1
        # Opt-in rate per method (banner vs preferences vs GPC) needs the cross count.
        out[f"cat:{key}:{side}:m:{receipt.method}"] = 1
    return out


def record(
    store: Storage,
    site: Site,
    categories: Sequence[Category],
    recipients: Sequence[Recipient],
    visitor_id: str,
    requested: dict[str, bool],
    requested_recipients: dict[str, bool],
    *,
    method: str,
    gpc: bool,
    ctx: Context,
    aliases: Sequence[tuple[str, str]] = (),
    now: datetime | None = None,
    fresh: bool = False,
    charges: Callable[[], Charges | None] | None = None,
) -> tuple[ConsentState, Receipt]:
    """Record a decision from the banner (or the API); raise ``DecisionError`` on bad keys.

    ``fresh`` means ``visitor_id`` was issued for this decision and has no history yet;
    ``charges`` gives the request's rate-limit counters, for a store that spends them in the
    same write (:func:`cmp.ratelimit.take_charges`); it is called once the decision's keys
    are known to be good, right before the write, so a bad request keeps its limit to be
    spent on its own (and so does a write that fails before its script is sent).
    """
    moment = now or clock.now()
    chosen = decisions.choose_categories(categories, requested, gpc=gpc, method=method)
    chosen_recipients = decisions.choose_recipients(recipients, chosen, requested_recipients)

    reversed_: list[str] = []

    def make(prior: ConsentState | None) -> tuple[ConsentState, Receipt]:
        opted = decisions.carry_opt_outs(prior.opted_out if prior else [], chosen)
        built = _build(site, visitor_id, chosen, chosen_recipients, opted, method, gpc, ctx, moment)
        # Every opt-out was recorded by the operator (API, admin): a decision granting one
        # again is flagged on its receipt, counted and written to the audit log.
        reversed_[:] = sorted(set(prior.opted_out) - set(opted)) if prior else []
        if reversed_:
            built[1].note = REVERSAL_NOTE + ", ".join(reversed_)
        return built

    def count(state: ConsentState, receipt: Receipt) -> dict[str, int]:
        out = counters(state, receipt)
        return {**out, REVERSAL_COUNTER: 1} if reversed_ else out

    links = [Alias(site.key, t, v, visitor_id, clock.iso(moment)) for t, v in aliases]
    state, receipt = store.record_decision(
        site.key,
        visitor_id,
        make,
        day=clock.day(moment),
        counters=count,
        aliases=links,
        fresh=fresh,
        charges=charges() if charges else None,
    )
    if reversed_:
        _audit_reversal(store, site.key, receipt, reversed_)
    return state, receipt


#: How the receipt of a decision that reverses an operator-recorded opt-out starts its note.
REVERSAL_NOTE = "reverses opt-out: "
#: The daily statistics counter of such decisions.
REVERSAL_COUNTER = "opt_out_reversed"


def _audit_reversal(store: Storage, site: str, receipt: Receipt, categories: list[str]) -> None:
    """Write the audit entry that shows the operator a grant undoing its opt-out, naming
    the opt-out receipt (and its ``source``, e.g. ``support-desk``) it reverses."""
    undone = [
        r
        for r in store.get_receipts(site, receipt.visitor_id)
        if r.method == "opt-out" and r.seq < receipt.seq and set(r.opted_out) & set(categories)
    ]
    last = undone[-1] if undone else None
    store.append_audit(
        AuditEntry(
            site=site,
            actor=f"visitor ({receipt.method})",
            action=REVERSAL_COUNTER,
            target=receipt.receipt_id,
            created_at=receipt.created_at,
            before={
                "opted_out": categories,
                "opt_out_receipt": last.receipt_id if last else "",
                "source": last.source if last else "",
            },
            after={"categories": {c: receipt.categories.get(c, False) for c in categories}},
        )
    )


def opt_out(
    store: Storage,
    site: Site,
    categories: Sequence[Category],
    recipients: Sequence[Recipient],
    visitor_id: str,
    targets: Sequence[str] | str,
    *,
    ctx: Context,
    now: datetime | None = None,
) -> tuple[ConsentState, Receipt]:
    """Record an opt-out (a decision with method ``opt-out``) on top of the current state."""
    moment = now or clock.now()
    # Validate before touching the store: an unknown or required category is a 422.
    decisions.apply_opt_out(categories, None, targets)

    def make(prior: ConsentState | None) -> tuple[ConsentState, Receipt]:
        chosen, opted = decisions.apply_opt_out(
            categories,
            prior.categories if prior else None,
            targets,
            prior.opted_out if prior else (),
        )
        wanted = prior.recipients if prior else {}
        chosen_recipients = decisions.choose_recipients(
            recipients,
            chosen,
            {k: v for k, v in wanted.items() if k in {r.key for r in recipients}},
        )
        gpc = prior.gpc if prior else False
        state, receipt = _build(
            site, visitor_id, chosen, chosen_recipients, opted, "opt-out", gpc, ctx, moment
        )
        if prior is not None:
            # Withdrawing consent must not refresh what is left of it: the remaining grants
            # keep the policy version they were given under and their expiry.
            state.policy_version, state.expires_at = prior.policy_version, prior.expires_at
        else:
            # An opt-out from a visitor who never decided grants nothing, not even what is
            # always on (required categories): under no policy version, so every check
            # answers "outdated" until the visitor decides on the banner.
            state.policy_version = NO_POLICY
        return state, receipt

    return store.record_decision(
        site.key, visitor_id, make, day=clock.day(moment), counters=counters
    )


def _build(
    site: Site,
    visitor_id: str,
    chosen: dict[str, bool],
    chosen_recipients: dict[str, bool],
    opted: list[str],
    method: str,
    gpc: bool,
    ctx: Context,
    moment: datetime,
) -> tuple[ConsentState, Receipt]:
    when = clock.iso(moment)
    state = ConsentState(
        visitor_id=visitor_id,
        site=site.key,
        policy_version=site.policy_version,
        categories=dict(chosen),
        recipients=dict(chosen_recipients),
        opted_out=list(opted),
        gpc=gpc,
        method=method,
        updated_at=when,
        expires_at=clock.iso(decisions.expires_at(moment, site.consent_lifetime_days)),
    )
    receipt = Receipt(
        receipt_id="",
        visitor_id=visitor_id,
        site=site.key,
        created_at=when,
        policy_version=site.policy_version,
        texts_hash=ctx.texts_hash,
        categories=dict(chosen),
        recipients=dict(chosen_recipients),
        opted_out=list(opted),
        method=method,
        lang=ctx.lang,
        gpc=gpc,
        source=ctx.source,
        note=ctx.note,
        ua=dict(ctx.user_agent),
        ip=ctx.ip,
    )
    return state, receipt


def present_state(
    secret_key: str,
    state: ConsentState,
    site: Site,
    now: datetime | None = None,
    shown_id: str = "",
) -> dict[str, Any]:
    """Return the API form of a state: the visitor id (``shown_id`` as the caller gave it,
    else signed: only the visitor's own banner gets that) and the computed status."""
    out = state.to_dict()
    out["visitor_id"] = shown_id or ids.sign(secret_key, state.visitor_id)
    if lookup.is_lookup_id(shown_id):
        out["receipt_id"] = shown_receipt_id(shown_id, state.receipt_id)
    out["status"] = decisions.status(state, site.policy_version, now or clock.now())
    return out


def present_receipt(receipt: Receipt, shown_id: str) -> dict[str, Any]:
    """Return the API form of a receipt, its visitor named by ``shown_id`` (the id the
    caller gave: a keyed answer never turns a lookup id into the signed one)."""
    out = receipt.to_dict()
    out["visitor_id"] = shown_id
    if lookup.is_lookup_id(shown_id):
        out["receipt_id"] = shown_receipt_id(shown_id, receipt.receipt_id)
    return out
