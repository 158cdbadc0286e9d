"""SQLite backend: the per-site ``sync`` counter (server-side changes to visitors' states).

Kept in its own table and mixin so the counter stays apart from the rest of the schema.
One ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` statement bumps it, which SQLite runs
under its write lock: two processes bumping at once get two different values.
"""

from __future__ import annotations

import sqlite3

from cmp.storage.contract.sites import SyncStorage
from cmp.storage.errors import StorageError
from cmp.storage.sqlite_base import SQLiteBase, guard

SYNC_SCHEMA = "CREATE TABLE IF NOT EXISTS site_sync (site TEXT PRIMARY KEY, n INTEGER NOT NULL)"


class SyncMixin(SQLiteBase, SyncStorage):
    """``bump_sync`` / ``get_sync``; mixed into ``SQLiteStorage``."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        try:
            self._conn().execute(SYNC_SCHEMA)
        except sqlite3.Error as exc:
            raise StorageError(f"sqlite: cannot open {self.path}: {exc}") from exc

    @guard
    def bump_sync(self, site: str) -> int:
        """Add one to the site's counter and return the new value."""
        row = (
            self._conn()
            .execute(
                "INSERT INTO site_sync (site, n) VALUES (?, 1) "
                "ON CONFLICT (site) DO UPDATE SET n = n + 1 RETURNING n",
                (site,),
            )
            .fetchone()
        )
        return int(row[0])

    @guard
    def get_sync(self, site: str) -> int:
        """Return the site's counter (0 when nothing was ever bumped)."""
        return int(self._one("SELECT n FROM site_sync WHERE site = ?", (site,)) or 0)
