"""The APPI records: confirmation records of provisions to third parties (確認記録, Art. 31)
and records of information received from providers (Art. 30).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator

from cmp.model import ProvisionRecord, ReceivedProvision


class RecordStorage(ABC):
    """Append-only records with retention, searched by time, recipient and visitor."""

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
