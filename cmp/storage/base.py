"""The storage contract every backend implements: :class:`Storage`, the sum of its concerns.

Views, the API and the CLI talk to one store object of this type (``open_store``); none of
them imports a driver. The contract is split by concern, one small abstract class each, in
:mod:`cmp.storage.contract`; a backend implements each concern in a module of its own
(``sqlite_<concern>.py``, ``redis_<concern>.py``) and combines them with this class:

============================  ======================================================
concern                       what it keeps
============================  ======================================================
``SiteStorage``               sites, categories, recipients, policy versions
``StatsStorage``              daily counters of decisions
``SyncStorage``               the site's ``sync`` counter (server-side state changes)
``VisitorStorage``            decisions, states, receipts and their chain
``AliasStorage``              aliases of visitors and their provenance
``RecordStorage``             confirmation and received-provision records (APPI)
``AccountStorage``            API keys, admin users, the audit log
``SessionStorage``            console sessions
``LimitStorage``              sign-in counters and slots
``LawStorage``                periodic checks of foreign recipients
``ScanStorage``               the scanner's reports
============================  ======================================================

Each backend turns its driver's errors into :class:`StorageError` (:mod:`.errors`), which the
faces answer with 503; nothing else escapes. All times are ISO 8601 UTC strings
(``2026-11-22T00:00:00Z``); days are ``YYYY-MM-DD``.
"""

from __future__ import annotations

from abc import abstractmethod

from cmp.storage.contract.accounts import AccountStorage
from cmp.storage.contract.aliases import ALIAS_CONFLICT, AliasLink, AliasStorage
from cmp.storage.contract.law import LawStorage
from cmp.storage.contract.records import RecordStorage
from cmp.storage.contract.scans import ScanStorage
from cmp.storage.contract.sessions import LimitStorage, SessionStorage
from cmp.storage.contract.sites import SiteStorage, StatsStorage, SyncStorage
from cmp.storage.contract.visitors import DecisionMaker, VisitorStorage
from cmp.storage.errors import StorageError, error_guard

__all__ = [
    "ALIAS_CONFLICT",
    "AliasLink",
    "DecisionMaker",
    "Storage",
    "StorageError",
    "error_guard",
]


class Storage(
    SiteStorage,
    StatsStorage,
    SyncStorage,
    VisitorStorage,
    AliasStorage,
    RecordStorage,
    AccountStorage,
    SessionStorage,
    LimitStorage,
    LawStorage,
    ScanStorage,
):
    """One contract for SQLite, Redis and Redis Cluster: every concern, plus the lifecycle."""

    url: str = ""

    @abstractmethod
    def ping(self) -> None:
        """Raise :class:`StorageError` unless the store answers."""

    @abstractmethod
    def close(self) -> None:
        """Release connections; the object may not be used afterwards."""
