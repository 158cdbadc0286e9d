"""Who may use the store's faces: API keys, admin users, and the audit log of their actions."""

from __future__ import annotations

from abc import ABC, abstractmethod

from cmp.model import AdminUser, ApiKey, AuditEntry


class AccountStorage(ABC):
    """API keys (by secret hash), console users and the audit log."""

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

    @abstractmethod
    def append_audit(self, entry: AuditEntry) -> None:
        """Append one admin audit entry."""

    @abstractmethod
    def list_audit(self, site: str, limit: int = 100) -> list[AuditEntry]:
        """Return the site's newest audit entries first (``site=""``: global entries)."""
