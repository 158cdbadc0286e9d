"""A site's configuration and its counters: settings, categories, recipients, published
policy versions, daily statistics and the ``sync`` counter.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from cmp.model import Category, PolicyVersion, Recipient, Site


class SiteStorage(ABC):
    """Sites and what the console configures on them (small values, read often)."""

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


class StatsStorage(ABC):
    """The daily counters a decision adds to (``VisitorStorage.record_decision``)."""

    @abstractmethod
    def get_stats(self, site: str, days: Sequence[str]) -> dict[str, dict[str, int]]:
        """Return ``{day: {counter: n}}`` for the given days (days without data are omitted)."""


class SyncStorage(ABC):
    """The site's ``sync`` counter: server-side changes to visitors' states."""

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
