"""Aliases: other identifiers (an ad id, a CRM id) that resolve to a visitor, with their
provenance (:mod:`cmp.aliases` holds the rules this storage keeps).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from cmp.model import Alias

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


class AliasStorage(ABC):
    """Keyed-API links and alias lookups (a decision's own claims go with the decision)."""

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
