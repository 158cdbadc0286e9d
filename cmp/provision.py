"""Provision checks (APPI Art. 31): a verdict per identifier and one confirmation record.

The bulk path reads every state with one pipelined call (per node on a cluster), evaluates
the pure rule of :mod:`cmp.decisions` once per distinct choice rather than once per visitor
(visitors who decided alike share one ``Choice``; only the expiry differs per visitor),
reads receipts only for states that were not set on the banner, and writes one record.
Signed ids are verified with :func:`cmp.ids.verifier` (HMAC key derived once per process).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cmp import (
    aliases,
    clock,
    confirmation,
    decisions,
    ids,
    joint_use,
    jst,
    lookup,
    periods,
    personal,
)
from cmp.gate import ProvisionError, legal_gate
from cmp.model import ConsentSummary, ProvisionRecord, Recipient, Site
from cmp.storage import Storage


@dataclass
class CheckResult:
    """Verdicts in request order (inputs as given) and the record written."""

    record: ProvisionRecord
    allowed: list[Any] = field(default_factory=list)
    denied: list[tuple[Any, str]] = field(default_factory=list)
    #: Per distinct visitor id given: its lookup id (:mod:`cmp.lookup`), None if invalid.
    lookup_ids: dict[str, str | None] = field(default_factory=dict)


def recipient_snapshot(recipient: Recipient) -> dict[str, Any]:
    """Return the recipient as the record keeps it (Rule 28: name, address, representative)."""
    foreign = recipient.foreign
    return {
        "key": recipient.key,
        "name": recipient.name.get("ja") or next(iter(recipient.name.values()), ""),
        "name_en": recipient.name.get("en", ""),
        "address": recipient.address,
        "representative": recipient.representative,
        "country": recipient.country.get("ja") or recipient.country.get("en", ""),
        "service": recipient.service.get("ja", ""),
        "links_personal_data": recipient.links_personal_data,
        "foreign": (
            {k: v.get("ja") or v.get("en", "") for k, v in foreign.items()} if foreign else None
        ),
        **confirmation.snapshot_extra(recipient),
    }


def new_record_id(prefix: str = "pr") -> str:
    """Return a record id that sorts by creation time, to the microsecond (records made in
    the same second are listed in the order they were made)."""
    return f"{prefix}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S.%f')}-{secrets.token_hex(3)}"


#: The latest time a date can hold; a retention that would end later keeps it "forever".
_LAST = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)


def retention_until(last: datetime, days: int) -> str:
    """Return the ISO time ``days`` days after ``last``, capped at the end of year 9999.

    The retention days come from configuration with no upper bound, so the sum can pass
    what a date holds; keeping the record longer is the safe side of that overflow.
    """
    try:
        return clock.iso(min(clock.add_days(last, days), _LAST))
    except OverflowError:
        return clock.iso(_LAST)


def _rule(
    store: Storage,
    site: str,
    recipient: Recipient,
    versions: set[int],
    cache: dict,
    personal_data: bool = False,
):
    missing = [v for v in versions if v not in cache]
    for version in missing:
        policy = store.get_policy(site, version)
        cache[version] = policy.snapshot if policy else {}
    rule = decisions.provision_rule(recipient, cache)
    return personal.rule_of(rule) if personal_data else rule


def verdicts(
    store: Storage,
    site: Site,
    recipient: Recipient,
    raw_ids: Sequence[str],
    now: int,
    personal_data: bool = False,
) -> tuple[dict[str, str | None], dict[str, int]]:
    """Return ``(verdict per raw id, receipt seq behind each allowed id)``; with
    ``personal_data``, by the personal-data route's rule (:func:`cmp.personal.rule_of`)."""
    summaries = store.get_consent_summaries(site.key, raw_ids)
    snapshots: dict[int, Any] = {}
    versions = {s.choice.policy_version for s in summaries if s is not None}
    rule = _rule(
        store, site.key, recipient, versions | {site.policy_version}, snapshots, personal_data
    )
    out: dict[str, str | None] = {}
    seqs: dict[str, int] = {}
    memo: dict[tuple[int, bool], tuple[str | None, bool]] = {}
    later: list[tuple[str, ConsentSummary]] = []
    for raw, summary in zip(raw_ids, summaries, strict=True):
        if summary is None:
            out[raw] = decisions.UNKNOWN_VISITOR
            continue
        expired = bool(summary.expires and summary.expires <= now)
        key = (id(summary.choice), expired)
        known = memo.get(key)
        if known is None:
            basis = decisions.display_basis(summary, rule)
            if basis is None and decisions.refusal(summary, rule) is None and not expired:
                known = (None, True)  # needs the receipts: decided below
            else:
                known = (decisions.provision_verdict(summary, rule, now, basis), False)
            memo[key] = known
        if known[1]:
            later.append((raw, summary))
        else:
            out[raw] = known[0]
            if known[0] is None:
                seqs[raw] = summary.seq
    if later:
        histories = store.get_receipts_many(site.key, [raw for raw, _ in later])
        bases = [
            decisions.receipts_basis(h, rule, s.seq)
            for (_, s), h in zip(later, histories, strict=True)
        ]
        versions = {b.policy_version for b in bases if b is not None} - set(snapshots)
        if versions:
            rule = _rule(store, site.key, recipient, versions, snapshots, personal_data)
        for (raw, summary), basis, history in zip(later, bases, histories, strict=True):
            if not decisions.ever_decided(history, summary.seq):
                # Opt-outs alone (states written before they were put under no version
                # included): nothing was ever consented to.
                out[raw] = decisions.OUTDATED
                continue
            out[raw] = decisions.provision_verdict(summary, rule, now, basis)
            if out[raw] is None:
                seqs[raw] = basis.receipt_seq if basis else summary.seq
    return out, seqs


def check(
    store: Storage,
    site: Site,
    recipients: Sequence[Recipient],
    *,
    secret_key: str,
    recipient_key: str,
    items: Sequence[str],
    visitor_ids: Sequence[Any] = (),
    identifiers: Sequence[tuple[str, str]] = (),
    created_by: str,
    retention_days: int,
    provided_from: str = "",
    provided_to: str = "",
    now: datetime | None = None,
    lookup_secret: str = "",
    lookup_scope: str = "",
) -> CheckResult:
    """Check ``visitor_ids`` (signed or lookup ids) and/or alias ``identifiers`` for
    provision of ``items`` to ``recipient_key``; append and return the confirmation record.

    The verdict lists never carry a signed id: a signed input is answered by its lookup id
    for ``lookup_scope`` (default: the recipient; keys from ``lookup_secret``, default
    ``secret_key``), a lookup id or an invalid input as given. Raise
    :class:`ProvisionError` for an unknown recipient or an item it was never registered
    (and so never shown) for. Repeated inputs get one verdict each.
    """
    recipient = next((r for r in recipients if r.key == recipient_key), None)
    if recipient is None:
        raise ProvisionError("unknown_recipient", f"no recipient '{recipient_key}' on {site.key}")
    unknown = [
        i
        for i in decisions.unknown_items(recipient, items)
        if not (recipient.receives_personal_data and personal.is_label(i))
    ]
    if unknown:
        raise ProvisionError(
            "unknown_item",
            f"not registered for {recipient_key}: {', '.join(unknown)}",
            items=unknown,
        )
    moment = now or clock.now()
    route = personal.kind_of(list(identifiers))
    if route is None:
        raise ProvisionError(
            "mixed_identifier_kinds",
            "hashed e-mail addresses are personal data: check them in a call of their own",
        )
    if route == personal.PERSONAL_DATA and not recipient.receives_personal_data:
        raise ProvisionError(
            personal.NOT_REGISTERED,
            f"{recipient_key} is not registered as receiving personal data (a hashed e-mail"
            " is personal data, never provided on cookie consent)",
        )
    judged = personal.rule_recipient(recipient) if route == personal.PERSONAL_DATA else recipient
    last_check = legal_gate(store, site, judged, moment)
    verifier = ids.verifier(secret_key)
    given_ids = list(dict.fromkeys(visitor_ids))
    raws = [verifier.raw(v) for v in given_ids]
    codec = lookup.codec(lookup_secret or secret_key, site.key, lookup_scope or recipient.key)
    if None in raws:
        made = iter(codec.make_many([r for r in raws if r is not None]))
        shown = [next(made) if r is not None else v for v, r in zip(given_ids, raws, strict=True)]
    else:
        shown = codec.make_many(raws)
    if None in raws:
        for i, (given, raw) in enumerate(zip(given_ids, raws, strict=True)):
            if raw is None and lookup.is_lookup_id(given):
                # A lookup id is answered as given (never turned into another scope's id).
                raws[i] = lookup.parse(lookup_secret or secret_key, site.key, given)
    pairs = list(dict.fromkeys(identifiers))
    links = store.resolve_alias_links(site.key, pairs) if pairs else []
    alias_raws = [link.visitor_id if link else None for link in links]
    raw_ids = list(dict.fromkeys(r for r in raws + alias_raws if r is not None))
    # The registered recipient is compared with what each version showed; the personal-data
    # route then asks for consent by name on cmp's own screen (personal.rule_of).
    on_personal = route == personal.PERSONAL_DATA
    found, seqs = verdicts(store, site, recipient, raw_ids, int(moment.timestamp()), on_personal)
    periods.apply_period(store, site.key, found, seqs, provided_from, moment)
    periods.apply_expiry(store, site.key, found, seqs, provided_to, moment)
    result = CheckResult(record=_record(site, recipient, items, moment, created_by))
    # ``judged``: on the personal-data route no declaration stands for what was shown.
    result.record.foreign_info_confirmation = confirmation.foreign_text(judged, last_check)
    result.record.consent_confirmation += joint_use.record_note(site, recipient)
    allowed, denied = result.allowed.append, result.denied.append
    provided: set[str] = set()
    for raw, answer in zip(raws, shown, strict=True):
        verdict = found[raw] if raw is not None else decisions.INVALID_VISITOR_ID
        if verdict is None:
            allowed(answer)
        else:
            denied((answer, verdict))
    result.lookup_ids = {
        given: (answer if raw is not None else None)
        for given, raw, answer in zip(given_ids, raws, shown, strict=True)
    }
    for (kind, value), link in zip(pairs, links, strict=True):
        if link is None:
            verdict = decisions.UNKNOWN_VISITOR
        else:
            # A banner claim only narrows: its visitor's refusal applies, never an allow.
            verdict = aliases.narrow(found[link.visitor_id], link.origin)
        if verdict is None:
            allowed({"type": kind, "value": value})
            provided.add(link.visitor_id)
        else:
            denied(({"type": kind, "value": value}, verdict))
    record = result.record
    if pairs:
        # Keep in the record only the ids actually allowed (not those only banner-claimed).
        provided.update(r for r in raws if r is not None and found[r] is None)
        seqs = {raw: seq for raw, seq in seqs.items() if raw in provided}
    if route == personal.PERSONAL_DATA:
        record.kind, record.consent_confirmation = route, personal.consent_text(recipient)
        record.identified = [[a["type"], a["value"]] for a in result.allowed]
        record.items = personal.with_personal_items(record.items, "ja", (t for t, _ in pairs))
    record.allowed = [[raw, f"{raw}-{seq}"] for raw, seq in seqs.items()]
    record.allowed_count, record.denied_count = len(result.allowed), len(result.denied)
    when = clock.iso(moment)
    record.provided_from = provided_from or when
    record.provided_to = provided_to or when
    record.first_day, record.last_day = jst.day(record.provided_from), jst.day(record.provided_to)
    planned = clock.parse(record.provided_from) > moment
    begun = clock.parse(record.provided_from) < moment
    days = (record.first_day, record.last_day)
    record.consent_confirmation = confirmation.stated_consent(
        record.consent_confirmation,
        record.allowed_count,
        confirmation.method(recipient, route == personal.PERSONAL_DATA),
        days if planned else None,
        days if begun else None,
    )
    last = max(moment, clock.parse(record.provided_to))
    record.retention_until = retention_until(last, retention_days)
    store.append_provision_record(record)
    return result


def _record(
    site: Site, recipient: Recipient, items: Sequence[str], now: datetime, created_by: str
) -> ProvisionRecord:
    return ProvisionRecord(
        record_id=new_record_id(),
        site=site.key,
        recipient=recipient_snapshot(recipient),
        items=list(items),
        purpose=recipient.recipient_purpose.get("ja") or recipient.purpose.get("ja", ""),
        consent_confirmation=confirmation.consent_text(recipient),
        foreign_info_confirmation=confirmation.foreign_text(recipient),
        provided_from="",
        provided_to="",
        allowed_count=0,
        denied_count=0,
        retention_until="",
        created_by=created_by,
        created_at=clock.iso(now),
    )
