"""The embedded default backend: one SQLite file in WAL mode (``sqlite:///path``).

This module holds the site configuration, API keys, admin users and the audit log;
:mod:`.sqlite_visitors` the decisions and per-visitor records, :mod:`.sqlite_records` the
confirmation and received-provision records, on the shared plumbing of :mod:`.sqlite_base`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cmp.model import AdminUser, ApiKey, AuditEntry, Category, PolicyVersion, Recipient, Site
from cmp.storage.base import Storage
from cmp.storage.codec import dumps, loads
from cmp.storage.sqlite_base import guard
from cmp.storage.sqlite_law import LawMixin
from cmp.storage.sqlite_records import RecordsMixin
from cmp.storage.sqlite_scans import ScansMixin
from cmp.storage.sqlite_sessions import SessionsMixin
from cmp.storage.sqlite_sync import SyncMixin
from cmp.storage.sqlite_visitors import VisitorsMixin


class SQLiteStorage(
    SyncMixin, ScansMixin, VisitorsMixin, RecordsMixin, SessionsMixin, LawMixin, Storage
):
    """Storage in one SQLite file; one connection per thread."""

    # -- sites ---------------------------------------------------------------------------

    @guard
    def put_site(self, site: Site) -> None:
        """Create or replace a site."""
        self._conn().execute(
            "INSERT OR REPLACE INTO sites (key, data) VALUES (?, ?)",
            (site.key, dumps(site.to_dict())),
        )

    @guard
    def get_site(self, key: str) -> Site | None:
        """Return the site or None."""
        data = self._one("SELECT data FROM sites WHERE key = ?", (key,))
        return Site.from_dict(loads(data)) if data else None

    @guard
    def list_sites(self) -> list[Site]:
        """Return every site by key."""
        rows = self._all_rows("SELECT data FROM sites ORDER BY key")
        return [Site.from_dict(loads(r[0])) for r in rows]

    def _put_list(self, site: str, kind: str, items: Sequence[Any]) -> None:
        self._conn().execute(
            "INSERT OR REPLACE INTO site_lists (site, kind, data) VALUES (?, ?, ?)",
            (site, kind, dumps([i.to_dict() for i in items])),
        )

    def _get_list(self, site: str, kind: str) -> list[dict[str, Any]]:
        data = self._one("SELECT data FROM site_lists WHERE site = ? AND kind = ?", (site, kind))
        return loads(data) if data else []

    @guard
    def put_categories(self, site: str, categories: Sequence[Category]) -> None:
        """Replace the site's categories."""
        self._put_list(site, "categories", categories)

    @guard
    def get_categories(self, site: str) -> list[Category]:
        """Return the site's categories in order."""
        return [Category.from_dict(d) for d in self._get_list(site, "categories")]

    @guard
    def put_recipients(self, site: str, recipients: Sequence[Recipient]) -> None:
        """Replace the site's recipients."""
        self._put_list(site, "recipients", recipients)

    @guard
    def get_recipients(self, site: str) -> list[Recipient]:
        """Return the site's recipients in order."""
        return [Recipient.from_dict(d) for d in self._get_list(site, "recipients")]

    @guard
    def put_policy(self, policy: PolicyVersion) -> None:
        """Store a policy version once."""
        self._conn().execute(
            "INSERT OR IGNORE INTO policies (site, version, data) VALUES (?, ?, ?)",
            (policy.site, policy.version, dumps(policy.to_dict())),
        )

    @guard
    def get_policy(self, site: str, version: int) -> PolicyVersion | None:
        """Return one policy version or None."""
        data = self._one(
            "SELECT data FROM policies WHERE site = ? AND version = ?", (site, version)
        )
        return PolicyVersion.from_dict(loads(data)) if data else None

    @guard
    def list_policies(self, site: str) -> list[PolicyVersion]:
        """Return the site's policy versions, oldest first."""
        rows = self._all_rows("SELECT data FROM policies WHERE site = ? ORDER BY version", (site,))
        return [PolicyVersion.from_dict(loads(r[0])) for r in rows]

    # -- keys and admins -----------------------------------------------------------------

    @guard
    def put_api_key(self, key: ApiKey) -> None:
        """Create or replace an API key."""
        self._conn().execute(
            "INSERT OR REPLACE INTO api_keys (key_id, site, secret_hash, created_at, data) "
            "VALUES (?, ?, ?, ?, ?)",
            (key.key_id, key.site, key.secret_hash, key.created_at, dumps(key.to_dict())),
        )

    @guard
    def get_api_key(self, secret_hash: str) -> ApiKey | None:
        """Return the key by secret hash or None."""
        data = self._one("SELECT data FROM api_keys WHERE secret_hash = ?", (secret_hash,))
        return ApiKey.from_dict(loads(data)) if data else None

    @guard
    def list_api_keys(self, site: str) -> list[ApiKey]:
        """Return the site's keys, oldest first."""
        rows = self._all_rows(
            "SELECT data FROM api_keys WHERE site = ? ORDER BY created_at, key_id", (site,)
        )
        return [ApiKey.from_dict(loads(r[0])) for r in rows]

    @guard
    def touch_api_key(self, key_id: str, when: str) -> None:
        """Record the key's last use."""
        self._conn().execute(
            "UPDATE api_keys SET data = json_set(data, '$.last_used_at', ?) WHERE key_id = ?",
            (when, key_id),
        )

    @guard
    def put_admin(self, user: AdminUser) -> None:
        """Create or replace an admin user."""
        self._conn().execute(
            "INSERT OR REPLACE INTO admins (username, data) VALUES (?, ?)",
            (user.username, dumps(user.to_dict())),
        )

    @guard
    def get_admin(self, username: str) -> AdminUser | None:
        """Return the admin user or None."""
        data = self._one("SELECT data FROM admins WHERE username = ?", (username,))
        return AdminUser.from_dict(loads(data)) if data else None

    @guard
    def list_admins(self) -> list[AdminUser]:
        """Return every admin user by name."""
        rows = self._all_rows("SELECT data FROM admins ORDER BY username")
        return [AdminUser.from_dict(loads(r[0])) for r in rows]

    # -- audit ---------------------------------------------------------------------------

    @guard
    def append_audit(self, entry: AuditEntry) -> None:
        """Append one audit entry."""
        self._conn().execute(
            "INSERT INTO audit (site, data) VALUES (?, ?)", (entry.site, dumps(entry.to_dict()))
        )

    @guard
    def list_audit(self, site: str, limit: int = 100) -> list[AuditEntry]:
        """Return the newest audit entries first."""
        rows = self._all_rows(
            "SELECT data FROM audit WHERE site = ? ORDER BY id DESC LIMIT ?", (site, limit)
        )
        return [AuditEntry.from_dict(loads(r[0])) for r in rows]
