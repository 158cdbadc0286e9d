"""Rate-limit counters in a SQLite file, shared by every process on the machine.

Flask-Limiter (on the ``limits`` library) kept its counters in process memory beside the
SQLite store, so each gunicorn worker had a budget of its own (issue 12, finding 12: 46 of 50
sign-ins passed a limit of 20 a minute). This registers a ``limits`` storage for the scheme
``cmp+sqlite:///path`` that keeps fixed-window counters in a small file of their own beside the
store: one upsert per hit, run under SQLite's write lock, so every worker and every ``cmp
serve`` on the machine spends one budget. The file holds only counters (no durability
needed: ``synchronous=OFF``) and expired rows are swept as it goes, so it stays small.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time

from limits.storage import Storage

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS limits (key TEXT PRIMARY KEY, n INTEGER NOT NULL, "
    "expiry REAL NOT NULL)"
)
_SWEEP_EVERY = 1000


def limits_path(store_path: str) -> str:
    """The counters' file for a store file: beside it, with its own name."""
    return f"{store_path}.limits"


class SQLiteLimits(Storage):
    """A ``limits`` storage (fixed and sliding window counters) in one SQLite file."""

    STORAGE_SCHEME = ["cmp+sqlite"]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options: object) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        path = uri.removeprefix("cmp+sqlite://")
        self.path = path[1:] if path.startswith("/") else path
        os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        self._local = threading.local()
        self._hits = 0
        self._conn().execute(_SCHEMA)

    @property
    def base_exceptions(self) -> type[Exception]:
        """What the driver raises (Flask-Limiter swallows these: a request never fails)."""
        return sqlite3.Error

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        # A connection never crosses a fork: a worker forked after the limiter was set up
        # opens its own.
        if conn is None or self._local.pid != os.getpid():
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=5)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=OFF")
            conn.execute("PRAGMA busy_timeout=5000")
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        """Add ``amount`` to the counter, starting a new window if the old one ended."""
        now = time.time()
        conn = self._conn()
        row = conn.execute(
            "INSERT INTO limits (key, n, expiry) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE "
            "SET n = CASE WHEN limits.expiry > ? THEN limits.n + excluded.n ELSE excluded.n END,"
            " expiry = CASE WHEN limits.expiry > ? THEN limits.expiry ELSE excluded.expiry END "
            "RETURNING n",
            (key, amount, now + expiry, now, now),
        ).fetchone()
        self._hits += 1
        if self._hits % _SWEEP_EVERY == 0:
            conn.execute("DELETE FROM limits WHERE expiry <= ?", (now,))
        return int(row[0])

    def get(self, key: str) -> int:
        """The counter of a window still open (0 otherwise)."""
        row = (
            self._conn()
            .execute("SELECT n FROM limits WHERE key = ? AND expiry > ?", (key, time.time()))
            .fetchone()
        )
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        """When the key's window ends (epoch seconds; now if there is none)."""
        row = self._conn().execute("SELECT expiry FROM limits WHERE key = ?", (key,)).fetchone()
        return float(row[0]) if row else time.time()

    def check(self) -> bool:
        """True if the file answers."""
        try:
            self._conn().execute("SELECT 1")
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        """Forget every counter; return how many there were."""
        cur = self._conn().execute("DELETE FROM limits")
        return cur.rowcount

    def clear(self, key: str) -> None:
        """Forget one counter."""
        self._conn().execute("DELETE FROM limits WHERE key = ?", (key,))
