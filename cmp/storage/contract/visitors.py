"""Decisions and what is read per visitor: states, receipts and their chain, summaries.

Visitor ids here are the *raw* ids (the random part, without the signature): signing and
verifying happen at the edge (:mod:`cmp.ids`) before the store is touched.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import NamedTuple, Protocol

from cmp.model import Alias, ConsentState, ConsentSummary, Receipt, summary_of

#: Builds the new state and its (unsealed) receipt from the visitor's prior state.
DecisionMaker = Callable[[ConsentState | None], tuple[ConsentState, Receipt]]


class Charge(NamedTuple):
    """One rate-limit counter a decision spends in its own write (:mod:`cmp.ratelimit`).

    The counter is the limiter's own (a fixed window): ``key`` its full name on the store,
    ``limit`` the requests its window allows, ``expiry`` the window in seconds, set when
    the counter is created.
    """

    key: str
    limit: int
    expiry: int


class Charges(Protocol):
    """A request's rate-limit charges, handed to its decision write (:mod:`cmp.ratelimit`).

    Each is spent exactly once, one of two ways: :meth:`fold` hands them to the decision's
    own atomic write (called right before it is sent, so a write that fails earlier leaves
    them to the limiter); :meth:`spend` spends them at once, on their own, for a request
    that must write something before its decision (a new intern-table entry), so that a
    request over its limit writes nothing at all.
    """

    def fold(self) -> Sequence[Charge]:
        """The charges for the decision's write (empty once spent)."""
        ...

    def spend(self) -> None:
        """Spend them now, unless spent; raise the limiter's error if over a limit."""
        ...


class ChargeExceeded(Exception):
    """Nothing was written: charge number ``index`` went over its limit, and its window
    ends in ``retry_after`` seconds."""

    def __init__(self, index: int, retry_after: int) -> None:
        super().__init__(f"rate-limit charge {index} exceeded")
        self.index = index
        self.retry_after = retry_after


class VisitorStorage(ABC):
    """One decision written atomically, and every read of a visitor's records."""

    #: True when :meth:`record_decision` can spend ``charges`` in the same atomic round
    #: trip as the decision (a single Redis node: the counters live beside the visitor).
    #: Elsewhere the limiter spends them on its own before the decision.
    folds_charges: bool = False

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
        charges: Charges | None = None,
    ) -> tuple[ConsentState, Receipt]:
        """Record one decision atomically and return the stored state and sealed receipt.

        ``make`` receives the visitor's current state on this site (or None) and returns
        the new state and its receipt, new objects on every call (the backend may seal
        the receipt in place). The backend seals the receipt onto the visitor's chain
        (:func:`cmp.chain.place`: sequence number, previous hash, own hash) and
        writes state and receipt in one atomic step; if another decision for the same
        visitor lands in between, ``make`` is called again with the newer state, so two
        concurrent decisions both end up in the history, in order. The daily counters that
        ``counters`` returns are added to the site's statistics for ``day``, and ``aliases``
        are claimed for the visitor: an alias no one holds is linked to it with origin
        ``banner``, one this visitor holds keeps its link (and origin), one another visitor
        holds through a banner claim becomes ``ALIAS_CONFLICT`` (plus the first holder),
        which resolves to no one, and one another visitor holds through an ``api`` link is
        left as it is (the claim is dropped). Anyone can send a decision with any cookie
        value, so a decision must never move an identifier away from the visitor who had it,
        nor make it allow, nor undo an operator's authenticated link. ``fresh`` says the id was
        issued for this very decision (no history can exist), which lets a backend skip
        reading the prior state.

        ``charges`` (only where :attr:`folds_charges`; else :class:`ValueError`) are the
        request's rate-limit counters (:class:`Charges`): each is counted once, in order, in
        the same atomic step and before anything else; at the first that goes over its
        limit nothing is written and :class:`ChargeExceeded` is raised. A retry after a
        concurrent decision does not count them again. A decision that must first add
        something to the store (a new intern entry) spends them on their own before that.
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
