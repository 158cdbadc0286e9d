"""SQLite backend, console side: admin sessions and the sign-in counters (issue 12).

Sessions and counters carry their own expiry (epoch seconds); a read ignores what has
expired, and writes sweep it away now and then. Counting runs in one ``BEGIN IMMEDIATE``
transaction, so two workers (processes) counting the same key never both read the old
value: the count is exact on one machine, which is all SQLite serves.
"""

from __future__ import annotations

import sqlite3
import time

from cmp.storage.contract.sessions import LimitStorage, SessionStorage
from cmp.storage.errors import StorageError
from cmp.storage.sqlite_base import SQLiteBase, guard

SESSIONS_SCHEMA = """
CREATE TABLE IF NOT EXISTS admin_sessions (
    token TEXT PRIMARY KEY, username TEXT NOT NULL, expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS counters (
    key TEXT PRIMARY KEY, n INTEGER NOT NULL, expires REAL NOT NULL);
"""


class SessionsMixin(SQLiteBase, SessionStorage, LimitStorage):
    """Admin sessions and counters; mixed into ``SQLiteStorage``."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        try:
            self._conn().executescript(SESSIONS_SCHEMA)
        except sqlite3.Error as exc:
            raise StorageError(f"sqlite: cannot open {self.path}: {exc}") from exc

    def _immediate(self) -> sqlite3.Connection:
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        return conn

    @guard
    def put_admin_session(self, token_hash: str, username: str, ttl_seconds: float) -> None:
        """Store the session and sweep expired ones."""
        now = time.time()
        conn = self._immediate()
        try:
            conn.execute("DELETE FROM admin_sessions WHERE expires < ?", (now,))
            conn.execute(
                "INSERT OR REPLACE INTO admin_sessions (token, username, expires) VALUES (?, ?, ?)",
                (token_hash, username, now + ttl_seconds),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    @guard
    def get_admin_session(self, token_hash: str) -> str | None:
        """Return the session's user while it lives."""
        return self._one(
            "SELECT username FROM admin_sessions WHERE token = ? AND expires >= ?",
            (token_hash, time.time()),
        )

    @guard
    def delete_admin_session(self, token_hash: str) -> None:
        """End the session."""
        self._conn().execute("DELETE FROM admin_sessions WHERE token = ?", (token_hash,))

    @guard
    def hit_counter(
        self, key: str, *, window_seconds: float, lock_at: int = 0, lock_seconds: float = 0
    ) -> tuple[int, float]:
        """Count one hit inside one write transaction."""
        now = time.time()
        conn = self._immediate()
        try:
            row = conn.execute("SELECT n, expires FROM counters WHERE key = ?", (key,)).fetchone()
            if row is None or row[1] < now:
                count, expires = 1, now + window_seconds
                if row is None:  # now and then, sweep what has expired
                    conn.execute("DELETE FROM counters WHERE expires < ?", (now,))
            else:
                count, expires = int(row[0]) + 1, float(row[1])
            if lock_at and count == lock_at:
                expires = now + lock_seconds
            conn.execute(
                "INSERT OR REPLACE INTO counters (key, n, expires) VALUES (?, ?, ?)",
                (key, count, expires),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return count, max(expires - now, 0.0)

    @guard
    def get_counter(self, key: str) -> int:
        """Return the live count."""
        found = self._one(
            "SELECT n FROM counters WHERE key = ? AND expires >= ?", (key, time.time())
        )
        return int(found or 0)

    @guard
    def reset_counter(self, key: str) -> None:
        """Remove the counter."""
        self._conn().execute("DELETE FROM counters WHERE key = ?", (key,))

    @guard
    def take_slot(self, key: str, seconds: float) -> bool:
        """Claim the slot unless a live one exists (a row ``slot:<key>`` among the counters)."""
        now = time.time()
        conn = self._immediate()
        try:
            held = conn.execute(
                "SELECT 1 FROM counters WHERE key = ? AND expires >= ?", (f"slot:{key}", now)
            ).fetchone()
            if held is None:
                conn.execute(
                    "INSERT OR REPLACE INTO counters (key, n, expires) VALUES (?, 1, ?)",
                    (f"slot:{key}", now + seconds),
                )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return held is None
