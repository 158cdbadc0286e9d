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

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from cmp import clock
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
    store: Storage, visitor_id: str, site: str | None = None
) -> tuple[int, list[Finding]] | None:
    """Check one visitor's chain (all sites: it is one chain) and the state on each site.

    Returns how many receipts were checked (on ``site`` if given) and the findings, or None
    when ``site`` is given and the visitor has no receipt there. The whole chain is checked
    even then, since a removal anywhere breaks every later link.
    """
    try:
        receipts = store.get_receipts(None, visitor_id)
    except StorageError:
        raise
    except Exception as exc:  # noqa: BLE001 - a record too damaged to decode is a finding
        return 0, [Finding(visitor_id, site or "", f"receipts unreadable: {exc!r}")]
    head = store.get_head(visitor_id)
    sites = sorted({r.site for r in receipts})
    if site is not None and site not in sites and receipts:
        return None
    where = site or ",".join(sites)
    findings = [Finding(visitor_id, where, p) for p in verify_chain(receipts, head)]
    if not receipts and head:
        findings.append(Finding(visitor_id, where, "every receipt missing (head hash kept)"))
    for name in [site] if site is not None else sites:
        findings += _check_state(store, visitor_id, name, receipts)
    return sum(1 for r in receipts if site is None or r.site == site), findings


def _check_state(
    store: Storage, visitor_id: str, site: str, receipts: list[Receipt]
) -> list[Finding]:
    try:
        state = store.get_state(site, visitor_id)
    except StorageError:
        raise
    except Exception as exc:  # noqa: BLE001 - an undecodable state is a finding too
        return [Finding(visitor_id, site, f"state unreadable: {exc!r}")]
    problem = state_mismatch(state, [r for r in receipts if r.site == site])
    return [Finding(visitor_id, site, problem)] if problem else []


def state_mismatch(state: ConsentState | None, on_site: list[Receipt]) -> str | None:
    """Return what is wrong with a visitor's state on a site, given that site's receipts
    (oldest first), or None when the state is exactly what the newest receipt decided.

    Provision checks answer from the state alone, so a state edited in the store (a refusal
    turned into a consent, an expiry pushed out) must be caught here even though every
    receipt is intact. An opt-out keeps the policy version and expiry of the decision it
    withdraws from, so those are compared with the newest decision that was not an opt-out.
    """
    if state is None:
        return "state missing for recorded receipts"
    newest = on_site[-1] if on_site else None
    if newest is None or state.receipt_id != newest.receipt_id:
        found = newest.receipt_id if newest else "none"
        return f"state points at receipt {state.receipt_id or '-'}, newest is {found}"
    basis = next((r for r in reversed(on_site) if r.method != "opt-out"), newest)
    differs = [
        name
        for name, mine, theirs in (
            ("categories", state.categories, newest.categories),
            ("recipients", state.recipients, newest.recipients),
            ("opted_out", sorted(state.opted_out), sorted(newest.opted_out)),
            ("gpc", state.gpc, newest.gpc),
            ("method", state.method, newest.method),
            ("updated_at", state.updated_at, newest.created_at),
            ("policy_version", state.policy_version, basis.policy_version),
        )
        if mine != theirs
    ]
    if not _expiry_plausible(state.expires_at, basis.created_at):
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
    hours. A visitor the batch flags is checked once more on its own before anything is
    reported: on a live store a decision can land between the two reads, and that must not
    look like tampering, while a tampered record fails both times.

    ``progress`` is called with the number of visitors done after each batch (a progress
    bar's ``update``). Raises :class:`StorageError` if the store stops answering: a partial
    walk must not look like a clean one.
    """
    report = Report()
    source = visitors if visitors is not None else store.iter_visitors()
    for batch in _batches(source, BATCH):
        for checked in _check_batch(store, batch, site):
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
    store: Storage, batch: list[str], site: str | None
) -> list[tuple[int, list[Finding]] | None]:
    """Check a batch with bulk reads; re-check one by one what it flags (or cannot decode)."""
    try:
        chains = store.get_chains(batch)
    except StorageError:
        raise
    except Exception:  # noqa: BLE001 - one damaged record: the single path names it
        return [check_visitor(store, v, site) for v in batch]
    results: list[tuple[int, list[Finding]] | None] = []
    wanted: dict[str, list[int]] = {}  # site -> positions whose state must be checked
    for position, (visitor_id, (receipts, head)) in enumerate(zip(batch, chains, strict=True)):
        sites = sorted({r.site for r in receipts})
        if site is not None and site not in sites and receipts:
            results.append(None)
            continue
        where = site or ",".join(sites)
        findings = [Finding(visitor_id, where, p) for p in verify_chain(receipts, head)]
        if not receipts and head:
            findings.append(Finding(visitor_id, where, "every receipt missing (head hash kept)"))
        for name in [site] if site is not None else sites:
            wanted.setdefault(name, []).append(position)
        checked = sum(1 for r in receipts if site is None or r.site == site)
        results.append((checked, findings))
    for name, positions in wanted.items():
        try:
            states = store.get_states(name, [batch[i] for i in positions])
        except StorageError:
            raise
        except Exception:  # noqa: BLE001 - an undecodable state: the single path names it
            states = [_UNREAD] * len(positions)
        for i, state in zip(positions, states, strict=True):
            entry = results[i]
            if entry is None:
                continue
            on_site = [r for r in chains[i][0] if r.site == name]
            if state is _UNREAD or state_mismatch(state, on_site):
                # A marker only: flagged visitors are checked again one by one below, and
                # what that second check finds is what gets reported.
                entry[1].append(Finding(batch[i], name, "state"))
    return [
        check_visitor(store, batch[i], site) if entry is not None and entry[1] else entry
        for i, entry in enumerate(results)
    ]


_UNREAD: object = object()
