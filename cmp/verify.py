"""Walking every visitor's receipt chain and reporting altered or removed receipts.

Receipts are legal evidence, so an operator (or an auditor) must be able to show that none
was changed or deleted after the fact. Each receipt's hash covers its content and the hash
of the visitor's previous receipt, and the store keeps the newest hash apart (the head), so
:func:`cmp.receipts.verify_chain` finds an altered receipt, a removed one in the middle and
a removed newest one. This module walks the whole store through the storage contract and
also checks that each site's current state points at that site's newest receipt: a state
that says "opted out by receipt 7" when receipt 7 is gone is as much a problem as a gap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from cmp import clock
from cmp.consents import NO_POLICY
from cmp.decisions import MAX_LIFETIME_DAYS
from cmp.model import ConsentState, Receipt
from cmp.receipts import verify_chain
from cmp.storage import Storage, StorageError


@dataclass(frozen=True)
class Finding:
    """One problem in one visitor's records."""

    visitor_id: str
    site: str
    problem: str


@dataclass
class Report:
    """What a walk found: how much it checked and every problem."""

    visitors: int = 0
    receipts: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.findings


def check_visitor(
    store: Storage,
    visitor_id: str,
    site: str | None = None,
    all_sites: Sequence[str] | None = None,
) -> tuple[int, list[Finding]] | None:
    """Check one visitor's chain (all sites: it is one chain) and its state on every site
    (``all_sites``, read from the store when not given), or on ``site`` alone.

    Returns how many receipts were checked (on ``site`` if given) and the findings, or None
    when ``site`` is given and the visitor has neither a receipt nor a state there. The
    whole chain is checked even then, since a removal anywhere breaks every later link.
    """
    try:
        receipts = store.get_receipts(None, visitor_id)
    except StorageError:
        raise
    except Exception as exc:
        return 0, [Finding(visitor_id, site or "", f"receipts unreadable: {exc!r}")]
    checked, findings = _chain(visitor_id, receipts, store.get_head(visitor_id), site)
    names = [site] if site is not None else _site_keys(store, all_sites)
    relevant = site is None
    for name in names:
        on_site = [r for r in receipts if r.site == name]
        try:
            state = store.get_state(name, visitor_id)
        except StorageError:
            raise
        except Exception as exc:
            findings.append(Finding(visitor_id, name, f"state unreadable: {exc!r}"))
            relevant = True
            continue
        relevant = relevant or bool(on_site) or state is not None
        problem = state_mismatch(state, on_site)
        if problem:
            findings.append(Finding(visitor_id, name, problem))
    return (checked, findings) if relevant else None


def _chain(
    visitor_id: str, receipts: list[Receipt], head: str, site: str | None
) -> tuple[int, list[Finding]]:
    """The receipts counted (on ``site`` if given) and what is wrong with the chain."""
    where = site or ",".join(sorted({r.site for r in receipts}))
    findings = [Finding(visitor_id, where, p) for p in verify_chain(receipts, head)]
    if not receipts and head:
        findings.append(Finding(visitor_id, where, "every receipt missing (head hash kept)"))
    return sum(1 for r in receipts if site is None or r.site == site), findings


def _site_keys(store: Storage, given: Sequence[str] | None) -> list[str]:
    return list(given) if given is not None else [s.key for s in store.list_sites()]


def state_mismatch(state: ConsentState | None, on_site: list[Receipt]) -> str | None:
    """Return what is wrong with a visitor's state on a site, given that site's receipts
    (oldest first), or None when the state is exactly what the newest receipt decided (or
    there is neither state nor receipt).

    Provision checks answer from the state alone, so a state edited in the store (a refusal
    turned into a consent, an expiry pushed out, a state written where the visitor never
    decided) must be caught here even though every receipt is intact. An opt-out keeps the
    policy version and expiry of the decision it withdraws from (the first opt-out, if the
    visitor never decided otherwise), so those are compared with that decision; states
    written before opt-outs kept them carry the opt-out's own, which is accepted too.
    """
    if not on_site:
        return None if state is None else "state without any receipt on this site"
    if state is None:
        return "state missing for recorded receipts"
    newest = on_site[-1]
    if state.receipt_id != newest.receipt_id:
        return f"state points at receipt {state.receipt_id or '-'}, newest is {newest.receipt_id}"
    differs = [
        name
        for name, mine, theirs in (
            ("categories", state.categories, newest.categories),
            ("recipients", state.recipients, newest.recipients),
            ("opted_out", sorted(state.opted_out), sorted(newest.opted_out)),
            ("gpc", state.gpc, newest.gpc),
            ("method", state.method, newest.method),
            ("updated_at", state.updated_at, newest.created_at),
        )
        if mine != theirs
    ]
    decided = next((r for r in reversed(on_site) if r.method != "opt-out"), None)
    basis = decided or on_site[0]
    # (version, decision time) pairs the state may carry: the decision it keeps; for an
    # opt-out also the opt-out's own (states written before opt-outs kept the version);
    # for a visitor who only ever opted out, no version at all.
    allowed = [(basis.policy_version, basis.created_at)]
    if newest.method == "opt-out":
        allowed.append((newest.policy_version, newest.created_at))
    if decided is None:
        allowed.append((NO_POLICY, basis.created_at))
    if not any(state.policy_version == version for version, _ in allowed):
        differs.append("policy_version")
    elif not any(
        state.policy_version == version and _expiry_plausible(state.expires_at, when)
        for version, when in allowed
    ):
        differs.append("expires_at")
    if differs:
        return f"state differs from receipt {newest.receipt_id}: {', '.join(differs)}"
    return None


def _expiry_plausible(expires_at: str, decided_at: str) -> bool:
    """True when the expiry lies after the decision and within the longest lifetime a site
    can set (the exact lifetime then in force is not kept)."""
    try:
        decided, expires = clock.parse(decided_at), clock.parse(expires_at)
    except ValueError:
        return False
    return decided < expires <= clock.add_days(decided, MAX_LIFETIME_DAYS)


BATCH = 1000


def verify_store(
    store: Storage,
    site: str | None = None,
    *,
    visitors: Iterable[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Walk every visitor (or the given ones) and return the :class:`Report`.

    Visitors are read in batches (:meth:`Storage.get_chains` and :meth:`Storage.get_states`,
    one round trip per node each), so a walk of millions of visitors takes minutes, not
    hours. A visitor the batch flags is checked once more on its own, and what that second
    check finds is reported: on a live store a decision can land between the two reads of
    the batch, and that must not look like tampering, while a tampered record fails again.

    ``progress`` is called with the number of visitors done after each batch (a progress
    bar's ``update``). Raises :class:`StorageError` if the store stops answering: a partial
    walk must not look like a clean one.
    """
    report = Report()
    source = visitors if visitors is not None else store.iter_visitors()
    all_sites = _site_keys(store, None)
    for batch in _batches(source, BATCH):
        for checked in _check_batch(store, batch, site, all_sites):
            if checked is None:
                continue
            report.visitors += 1
            report.receipts += checked[0]
            report.findings += checked[1]
        if progress:
            progress(len(batch))
    return report


def _batches(source: Iterable[str], size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    for visitor_id in source:
        batch.append(visitor_id)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _check_batch(
    store: Storage, batch: list[str], site: str | None, all_sites: Sequence[str]
) -> list[tuple[int, list[Finding]] | None]:
    """Check a batch with bulk reads; re-check one by one what it flags (or cannot decode)."""
    try:
        chains = store.get_chains(batch)
    except StorageError:
        raise
    except Exception:
        return [check_visitor(store, v, site, all_sites) for v in batch]
    results = [
        _chain(vid, receipts, head, site)
        for vid, (receipts, head) in zip(batch, chains, strict=True)
    ]
    relevant = [site is None] * len(batch)
    for name in [site] if site is not None else all_sites:
        try:
            states = store.get_states(name, batch)
        except StorageError:
            raise
        except Exception:
            states = [_UNREAD] * len(batch)
        for i, state in enumerate(states):
            on_site = [r for r in chains[i][0] if r.site == name]
            relevant[i] = relevant[i] or bool(on_site) or state is not None
            if state is _UNREAD or state_mismatch(state, on_site):
                # A marker only: flagged visitors are checked again one by one below, and
                # what that second check finds is what gets reported.
                results[i][1].append(Finding(batch[i], name, "state"))
    out: list[tuple[int, list[Finding]] | None] = []
    for vid, entry, counts in zip(batch, results, relevant, strict=True):
        if not counts:
            out.append(None)
        elif entry[1]:
            out.append(check_visitor(store, vid, site, all_sites))
        else:
            out.append(entry)
    return out


_UNREAD: object = object()
