"""SQLite backend plumbing: the schema, one connection per thread, errors as StorageError.

Records are kept as JSON next to the few columns that are queried. The backend itself is
assembled in :mod:`.sqlite` from this base and the visitor and record mixins.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Sequence
from typing import Any

from cmp.storage.errors import StorageError, error_guard

SCHEMA = """
CREATE TABLE IF NOT EXISTS sites (key TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS site_lists (
    site TEXT NOT NULL, kind TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (site, kind));
CREATE TABLE IF NOT EXISTS policies (
    site TEXT NOT NULL, version INTEGER NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (site, version));
CREATE TABLE IF NOT EXISTS states (
    vid TEXT NOT NULL, site TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (vid, site));
CREATE TABLE IF NOT EXISTS receipts (
    vid TEXT NOT NULL, seq INTEGER NOT NULL, site TEXT NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (vid, seq));
CREATE TABLE IF NOT EXISTS heads (vid TEXT PRIMARY KEY, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS aliases (
    site TEXT NOT NULL, type TEXT NOT NULL, value TEXT NOT NULL, vid TEXT NOT NULL,
    created_at TEXT NOT NULL, origin TEXT NOT NULL DEFAULT 'banner',
    PRIMARY KEY (site, type, value));
CREATE TABLE IF NOT EXISTS stats (
    site TEXT NOT NULL, day TEXT NOT NULL, name TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (site, day, name));
CREATE TABLE IF NOT EXISTS api_keys (
    key_id TEXT PRIMARY KEY, site TEXT NOT NULL, secret_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS admins (username TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS provision_records (
    record_id TEXT PRIMARY KEY, site TEXT NOT NULL, created_at TEXT NOT NULL,
    recipient TEXT NOT NULL, retention_until TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS provision_by_time ON provision_records (site, created_at);
CREATE INDEX IF NOT EXISTS provision_by_retention ON provision_records (retention_until);
CREATE TABLE IF NOT EXISTS provision_ids (
    record_id TEXT NOT NULL, pos INTEGER NOT NULL, vid TEXT NOT NULL, receipt_id TEXT NOT NULL,
    PRIMARY KEY (record_id, pos)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS provision_ids_by_vid ON provision_ids (vid);
CREATE TABLE IF NOT EXISTS received_provisions (
    record_id TEXT PRIMARY KEY, site TEXT NOT NULL, created_at TEXT NOT NULL,
    retention_until TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS received_by_time ON received_provisions (site, created_at);
CREATE TABLE IF NOT EXISTS transfer_checks (
    id INTEGER PRIMARY KEY AUTOINCREMENT, site TEXT NOT NULL, recipient TEXT NOT NULL,
    data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT, site TEXT NOT NULL, data TEXT NOT NULL);
"""

#: Decorator for the SQLite backend's methods: sqlite3 errors become StorageError.
guard = error_guard((sqlite3.Error,), lambda exc: f"sqlite: {exc}")


def _migrate(conn: sqlite3.Connection) -> None:
    """Bring a file made by an older cmp up to :data:`SCHEMA` (columns added since)."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(aliases)")}
    if "origin" not in columns:
        # Links stored before provenance was kept may be banner claims: they count as such
        # (they can deny, never allow) until the operator's backend links them again.
        conn.execute("ALTER TABLE aliases ADD COLUMN origin TEXT NOT NULL DEFAULT 'banner'")


class SQLiteBase:
    """Connection handling shared by the SQLite mixins; one connection per thread."""

    def __init__(self, url: str) -> None:
        self.url = url
        path = url.removeprefix("sqlite://")
        # sqlite:///rel/path -> "rel/path"; sqlite:////abs/path -> "/abs/path".
        self.path = path[1:] if path.startswith("/") else path
        if not self.path:
            raise StorageError(f"sqlite URL has no path: {url}")
        folder = os.path.dirname(os.path.abspath(self.path))
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"sqlite: cannot create {folder}: {exc}") from exc
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        with self._lock:
            conn = self._conn()
            try:
                conn.executescript(SCHEMA)
                _migrate(conn)
            except sqlite3.Error as exc:
                raise StorageError(f"sqlite: cannot open {self.path}: {exc}") from exc

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(
                    self.path, isolation_level=None, check_same_thread=False, timeout=10
                )
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute("PRAGMA busy_timeout=10000")
            except sqlite3.Error as exc:
                raise StorageError(f"sqlite: cannot open {self.path}: {exc}") from exc
            self._local.conn = conn
            self._all.append(conn)
        return conn

    def _one(self, sql: str, args: Sequence[Any] = ()) -> Any:
        row = self._conn().execute(sql, args).fetchone()
        return row[0] if row else None

    def _all_rows(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._conn().execute(sql, args).fetchall()

    @guard
    def ping(self) -> None:
        """Run a trivial query."""
        self._one("SELECT 1")

    def close(self) -> None:
        """Close every thread's connection."""
        for conn in self._all:
            conn.close()
        self._all.clear()
        self._local = threading.local()
