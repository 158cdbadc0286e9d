"""The storage contract every backend implements.

Views, the API and the CLI talk only to this class. Each backend turns its driver's errors
into :class:`StorageError`, which the faces answer with 503; nothing else escapes.

Visitor ids here are the *raw* ids (the random part, without the signature): signing and
verifying happen at the edge (:mod:`cmp.ids`) before the store is touched.
"""

from __future__ import annotations

import functools
import inspect
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, NamedTuple, TypeVar

from cmp.model import (
    AdminUser,
    Alias,
    ApiKey,
    AuditEntry,
    Category,
    ConsentState,
    ConsentSummary,
    PolicyVersion,
    ProvisionRecord,
    Receipt,
    ReceivedProvision,
    Recipient,
    Site,
    TransferCheck,
    summary_of,
)
from cmp.storage.scans_base import ScanStorage

#: Builds the new state and its (unsealed) receipt from the visitor's prior state.
DecisionMaker = Callable[[ConsentState | None], tuple[ConsentState, Receipt]]


#: What an alias holds once decisions of two different visitors have claimed it, followed by
#: the visitor who held it first: it then resolves to no visitor until the keyed API links it
#: to that first holder (a link never moves an alias to another visitor).
ALIAS_CONFLICT = "!"


class AliasLink(NamedTuple):
    """Whom an alias resolves to, and how it was linked: ``origin`` is ``"banner"`` (claimed
    by an unauthenticated banner decision: may only narrow, see :mod:`cmp.aliases`) or
    ``"api"`` (linked through the keyed API)."""

    visitor_id: str
    origin: str


class StorageError(Exception):
    """The store could not be reached or refused an operation (the API answers 503)."""


T = TypeVar("T")


def error_guard(
    errors: tuple[type[BaseException], ...], describe: Callable[[BaseException], str]
) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Return a decorator that turns ``errors`` into :class:`StorageError` (``describe``
    words the message), for a backend's methods, generators included."""

    def guard(method: Callable[..., T]) -> Callable[..., T]:
        if inspect.isgeneratorfunction(method):
            # A generator's body runs only when the caller iterates, after a plain wrapper
            # has returned, so the conversion must wrap the iteration itself.
            @functools.wraps(method)
            def generator(*args: Any, **kwargs: Any) -> Iterator[Any]:
                try:
                    return (yield from method(*args, **kwargs))
                except errors as exc:
                    raise StorageError(describe(exc)) from exc

            return generator  # type: ignore[return-value]

        @functools.wraps(method)
        def wrapper(*args: Any, **kwargs: Any) -> T:
            try:
                return method(*args, **kwargs)
            except errors as exc:
                raise StorageError(describe(exc)) from exc

        return wrapper

    return guard


class Storage(ScanStorage, ABC):
    """One contract for SQLite, Redis and Redis Cluster.

    All times are ISO 8601 UTC strings (``2026-11-22T00:00:00Z``); days are ``YYYY-MM-DD``.
    """

    url: str = ""

    # -- lifecycle ---------------------------------------------------------------------------

    @abstractmethod
    def ping(self) -> None:
        """Raise :class:`StorageError` unless the store answers."""

    @abstractmethod
    def close(self) -> None:
        """Release connections; the object may not be used afterwards."""

    # -- sites, categories, recipients, policy versions ---------------------------------------

    @abstractmethod
    def put_site(self, site: Site) -> None:
        """Create or replace a site's settings (not its categories or recipients)."""

    @abstractmethod
    def get_site(self, key: str) -> Site | None:
        """Return the site, or None if there is no such site."""

    @abstractmethod
    def list_sites(self) -> list[Site]:
        """Return every site, ordered by key."""

    @abstractmethod
    def put_categories(self, site: str, categories: Sequence[Category]) -> None:
        """Replace the site's categories with this ordered list."""

    @abstractmethod
    def get_categories(self, site: str) -> list[Category]:
        """Return the site's categories in their display order (empty if none)."""

    @abstractmethod
    def put_recipients(self, site: str, recipients: Sequence[Recipient]) -> None:
        """Replace the site's recipients with this ordered list."""

    @abstractmethod
    def get_recipients(self, site: str) -> list[Recipient]:
        """Return the site's recipients in their display order (empty if none)."""

    @abstractmethod
    def put_policy(self, policy: PolicyVersion) -> None:
        """Store a published policy version (write-once: an existing version is kept)."""

    @abstractmethod
    def get_policy(self, site: str, version: int) -> PolicyVersion | None:
        """Return one published version, or None."""

    @abstractmethod
    def list_policies(self, site: str) -> list[PolicyVersion]:
        """Return every published version of the site, oldest first."""

    # -- decisions ---------------------------------------------------------------------------

    @abstractmethod
    def record_decision(
        self,
        site: str,
        visitor_id: str,
        make: DecisionMaker,
        *,
        day: str,
        counters: Callable[[ConsentState, Receipt], dict[str, int]] | None = None,
        aliases: Iterable[Alias] = (),
        fresh: bool = False,
    ) -> tuple[ConsentState, Receipt]:
        """Record one decision atomically and return the stored state and sealed receipt.

        ``make`` receives the visitor's current state on this site (or None) and returns
        the new state and its receipt. The backend seals the receipt onto the visitor's
        chain (:func:`cmp.chain.seal`: sequence number, previous hash, own hash) and
        writes state and receipt in one atomic step; if another decision for the same
        visitor lands in between, ``make`` is called again with the newer state, so two
        concurrent decisions both end up in the history, in order. The daily counters that
        ``counters`` returns are added to the site's statistics for ``day``, and ``aliases``
        are claimed for the visitor: an alias no one holds is linked to it with origin
        ``banner``, one this visitor holds keeps its link (and origin), one another visitor
        holds through a banner claim becomes :data:`ALIAS_CONFLICT` (plus the first holder),
        which resolves to no one, and one another visitor holds through an ``api`` link is
        left as it is (the claim is dropped). Anyone can send a decision with any cookie
        value, so a decision must never move an identifier away from the visitor who had it,
        nor make it allow, nor undo an operator's authenticated link. ``fresh`` says the id was
        issued for this very decision (no history can exist), which lets a backend skip
        reading the prior state.
        """

    @abstractmethod
    def get_state(self, site: str, visitor_id: str) -> ConsentState | None:
        """Return the visitor's current state on the site, or None."""

    @abstractmethod
    def get_states(self, site: str, visitor_ids: Sequence[str]) -> list[ConsentState | None]:
        """Bulk :meth:`get_state`: one entry per id, in order (pipelined per node)."""

    def get_consent_summaries(
        self, site: str, visitor_ids: Sequence[str]
    ) -> list[ConsentSummary | None]:
        """Bulk read for provision checks: one summary (or None) per id, in order.

        Visitors with the same choice share one :class:`~cmp.storage.types.Choice` object.
        This generic form goes through :meth:`get_states`; a backend may decode less.
        """
        memo: dict[object, object] = {}
        out: list[ConsentSummary | None] = []
        for state in self.get_states(site, visitor_ids):
            if state is None:
                out.append(None)
                continue
            summary = summary_of(state)
            out.append(summary._replace(choice=memo.setdefault(summary.choice, summary.choice)))
        return out

    @abstractmethod
    def get_receipts(self, site: str | None, visitor_id: str) -> list[Receipt]:
        """Return the visitor's receipts, oldest first; ``site=None`` returns every site's."""

    def get_receipts_many(self, site: str, visitor_ids: Sequence[str]) -> list[list[Receipt]]:
        """Bulk :meth:`get_receipts` for one site (pipelined per node where it matters)."""
        return [self.get_receipts(site, v) for v in visitor_ids]

    @abstractmethod
    def get_head(self, visitor_id: str) -> str:
        """Return the stored hash of the visitor's newest receipt ('' if none)."""

    def get_chains(self, visitor_ids: Sequence[str]) -> list[tuple[list[Receipt], str]]:
        """Return each visitor's receipts on every site (oldest first) with the stored head.

        For walking the whole store (``cmp verify-receipts``). A backend that keeps both in
        one record reads them together, in one round trip per node for the whole batch, so
        that a decision landing meanwhile cannot make them disagree.
        """
        return [(self.get_receipts(None, v), self.get_head(v)) for v in visitor_ids]

    @abstractmethod
    def iter_visitors(self) -> Iterator[str]:
        """Yield every visitor id that has a receipt or a state (any order, no repeats)."""

    # -- aliases -----------------------------------------------------------------------------

    @abstractmethod
    def put_aliases(self, aliases: Iterable[Alias]) -> list[Alias]:
        """Link each alias to its visitor with origin ``api`` if the alias is free, already
        that visitor's (a banner claim is upgraded), or in a conflict that visitor held first
        (the conflict is settled); return the others, left unchanged, in order.

        For the keyed API: the operator's own backend states which visitor an identifier
        belongs to. Its proof (cmp's cookie and the alias in one first-party request) does
        not show that no one else has the alias: a value such as ``_ga`` can be copied into
        another browser. So a link never moves an alias another visitor holds, or that is
        in conflict with another first holder (the API answers 409): the holder's refusals
        keep applying through it, and nobody else becomes allowed by it.
        """

    @abstractmethod
    def resolve_alias_links(
        self, site: str, pairs: Sequence[tuple[str, str]]
    ) -> list[AliasLink | None]:
        """Return each ``(type, value)`` pair's :class:`AliasLink` in order; None for an
        alias that is unknown or in conflict (claimed by decisions of two visitors).

        A link made by :meth:`record_decision` has origin ``banner`` and keeps it until
        :meth:`put_aliases` links the alias; a decision of the visitor who holds an ``api``
        link leaves it ``api``. Links stored before provenance was kept count as ``banner``
        (fail closed).
        """

    def resolve_aliases(self, site: str, pairs: Sequence[tuple[str, str]]) -> list[str | None]:
        """Return the visitor id for each ``(type, value)`` pair in order, whatever the
        provenance; None for an alias that is unknown or in conflict."""
        return [link.visitor_id if link else None for link in self.resolve_alias_links(site, pairs)]

    # -- statistics --------------------------------------------------------------------------

    @abstractmethod
    def get_stats(self, site: str, days: Sequence[str]) -> dict[str, dict[str, int]]:
        """Return ``{day: {counter: n}}`` for the given days (days without data are omitted)."""

    # -- API keys and admin users ------------------------------------------------------------

    @abstractmethod
    def put_api_key(self, key: ApiKey) -> None:
        """Create or replace an API key (looked up by ``secret_hash`` and ``key_id``)."""

    @abstractmethod
    def get_api_key(self, secret_hash: str) -> ApiKey | None:
        """Return the key whose secret hashes to ``secret_hash``, or None."""

    @abstractmethod
    def list_api_keys(self, site: str) -> list[ApiKey]:
        """Return the site's keys (revoked ones too), oldest first."""

    @abstractmethod
    def touch_api_key(self, key_id: str, when: str) -> None:
        """Set the key's ``last_used_at`` (a no-op for an unknown key)."""

    @abstractmethod
    def put_admin(self, user: AdminUser) -> None:
        """Create or replace an admin user."""

    @abstractmethod
    def get_admin(self, username: str) -> AdminUser | None:
        """Return the admin user, or None."""

    @abstractmethod
    def list_admins(self) -> list[AdminUser]:
        """Return every admin user, ordered by name."""

    # -- provision records and audit ---------------------------------------------------------

    @abstractmethod
    def append_provision_record(self, record: ProvisionRecord) -> None:
        """Append one confirmation record (records are never changed afterwards)."""

    @abstractmethod
    def query_provision_records(
        self,
        site: str,
        *,
        start: str = "",
        end: str = "",
        recipient: str = "",
        limit: int = 0,
        with_ids: bool = True,
    ) -> list[ProvisionRecord]:
        """Return records with ``start <= created_at < end`` (empty bound: open), oldest
        first, optionally only for one recipient key; ``limit`` 0 means all."""

    @abstractmethod
    def iter_provision_records(
        self,
        site: str,
        *,
        start: str = "",
        end: str = "",
        recipient: str = "",
        with_ids: bool = True,
    ) -> Iterator[ProvisionRecord]:
        """Yield what :meth:`query_provision_records` returns, fetching in batches (exports).
        ``with_ids=False`` leaves ``allowed`` empty, which is far cheaper for large records."""

    @abstractmethod
    def count_provision_records(self, site: str, *, start: str = "", end: str = "") -> int:
        """Count the site's records with ``start <= created_at < end`` (any recipient)."""

    @abstractmethod
    def visitor_provision_records(self, site: str, visitor_id: str) -> list[ProvisionRecord]:
        """Return every record that allowed ``visitor_id`` (oldest first), each with
        ``allowed`` reduced to that visitor's entries: disclosure on request (Art. 33(5))."""

    @abstractmethod
    def purge_provision_records(self, now: str) -> int:
        """Delete every record whose ``retention_until`` is before ``now``; return the count."""

    @abstractmethod
    def append_received_provision(self, record: ReceivedProvision) -> None:
        """Append one record of information received from a provider (Art. 30)."""

    @abstractmethod
    def query_received_provisions(
        self, site: str, *, start: str = "", end: str = "", limit: int = 0
    ) -> list[ReceivedProvision]:
        """Return received-provision records with ``start <= created_at < end``, oldest
        first; ``limit`` 0 means all."""

    @abstractmethod
    def purge_received_provisions(self, now: str) -> int:
        """Delete received-provision records past ``retention_until``; return the count."""

    @abstractmethod
    def append_audit(self, entry: AuditEntry) -> None:
        """Append one admin audit entry."""

    @abstractmethod
    def list_audit(self, site: str, limit: int = 100) -> list[AuditEntry]:
        """Return the site's newest audit entries first (``site=""``: global entries)."""

    # -- admin sessions and sign-in counters (issue 12; see .sqlite_sessions/.redis_sessions) --

    @abstractmethod
    def put_admin_session(self, token_hash: str, username: str, ttl_seconds: float) -> None:
        """Remember a signed-in console session for ``ttl_seconds`` (by the hash of its token)."""

    @abstractmethod
    def get_admin_session(self, token_hash: str) -> str | None:
        """Return the user name of a live session, or None (never started, ended, expired)."""

    @abstractmethod
    def delete_admin_session(self, token_hash: str) -> None:
        """End a session (log-out); a no-op for an unknown one."""

    @abstractmethod
    def hit_counter(
        self, key: str, *, window_seconds: float, lock_at: int = 0, lock_seconds: float = 0
    ) -> tuple[int, float]:
        """Add one to the counter ``key`` atomically (across processes and hosts) and return
        ``(count, seconds until it expires)``.

        A counter that does not exist (or has expired) starts at 1 and expires after
        ``window_seconds``; the hit that makes it reach ``lock_at`` (when given) moves its
        expiry to ``lock_seconds`` from now, once. For sign-in throttling.
        """

    @abstractmethod
    def get_counter(self, key: str) -> int:
        """Return the live count of ``key`` (0 when absent or expired)."""

    @abstractmethod
    def reset_counter(self, key: str) -> None:
        """Remove the counter ``key``."""

    @abstractmethod
    def take_slot(self, key: str, seconds: float) -> bool:
        """Atomically claim ``key`` for ``seconds`` if no one holds it; True when claimed."""

    # -- the site's sync counter (server-side state changes) ---------------------------------

    @abstractmethod
    def bump_sync(self, site: str) -> int:
        """Add one to the site's ``sync`` counter atomically and return the new value.

        Called after every change to a visitor's state on the site that the visitor's own
        banner did not make (an opt-out through the API, an admin action), so the banner
        learns from the config that it must read the state again. Two concurrent bumps from
        any processes yield two different values.
        """

    @abstractmethod
    def get_sync(self, site: str) -> int:
        """Return the site's ``sync`` counter (0 if it was never bumped)."""

    # -- periodic checks of a foreign recipient's 基準適合体制 (Art. 28(3), Rule 18) ------

    @abstractmethod
    def append_transfer_check(self, check: TransferCheck) -> None:
        """Append one periodic check to the log (entries are never changed)."""

    @abstractmethod
    def list_transfer_checks(self, site: str, recipient: str) -> list[TransferCheck]:
        """Return the checks of one recipient, in the order they were appended."""
