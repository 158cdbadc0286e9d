"""The embedded default backend: one SQLite file in WAL mode.

Records are kept as JSON next to the few columns that are queried. A decision runs inside
``BEGIN IMMEDIATE``, which takes the write lock up front, so reading the visitor's chain
head and appending the next receipt cannot interleave with another writer.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from cmp.model import (
    AdminUser,
    Alias,
    ApiKey,
    AuditEntry,
    Category,
    ConsentState,
    PolicyVersion,
    ProvisionRecord,
    Receipt,
    Recipient,
    Site,
)
from cmp.receipts import seal
from cmp.storage.base import DecisionMaker, Storage, StorageError
from cmp.storage.codec import dumps, loads

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
    created_at TEXT NOT NULL, PRIMARY KEY (site, type, value));
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
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT, site TEXT NOT NULL, data TEXT NOT NULL);
"""

T = TypeVar("T")


def _guard(method: Callable[..., T]) -> Callable[..., T]:
    """Turn any sqlite3 error into :class:`StorageError`."""

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            return method(*args, **kwargs)
        except sqlite3.Error as exc:
            raise StorageError(f"sqlite: {exc}") from exc

    return wrapper


class SQLiteStorage(Storage):
    """Storage in one SQLite file; one connection per thread."""

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

    @_guard
    def ping(self) -> None:
        """Run a trivial query."""
        self._one("SELECT 1")

    def close(self) -> None:
        """Close every thread's connection."""
        for conn in self._all:
            conn.close()
        self._all.clear()
        self._local = threading.local()

    # -- sites ---------------------------------------------------------------------------

    @_guard
    def put_site(self, site: Site) -> None:
        """Create or replace a site."""
        self._conn().execute(
            "INSERT OR REPLACE INTO sites (key, data) VALUES (?, ?)",
            (site.key, dumps(site.to_dict())),
        )

    @_guard
    def get_site(self, key: str) -> Site | None:
        """Return the site or None."""
        data = self._one("SELECT data FROM sites WHERE key = ?", (key,))
        return Site.from_dict(loads(data)) if data else None

    @_guard
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

    @_guard
    def put_categories(self, site: str, categories: Sequence[Category]) -> None:
        """Replace the site's categories."""
        self._put_list(site, "categories", categories)

    @_guard
    def get_categories(self, site: str) -> list[Category]:
        """Return the site's categories in order."""
        return [Category.from_dict(d) for d in self._get_list(site, "categories")]

    @_guard
    def put_recipients(self, site: str, recipients: Sequence[Recipient]) -> None:
        """Replace the site's recipients."""
        self._put_list(site, "recipients", recipients)

    @_guard
    def get_recipients(self, site: str) -> list[Recipient]:
        """Return the site's recipients in order."""
        return [Recipient.from_dict(d) for d in self._get_list(site, "recipients")]

    @_guard
    def put_policy(self, policy: PolicyVersion) -> None:
        """Store a policy version once."""
        self._conn().execute(
            "INSERT OR IGNORE INTO policies (site, version, data) VALUES (?, ?, ?)",
            (policy.site, policy.version, dumps(policy.to_dict())),
        )

    @_guard
    def get_policy(self, site: str, version: int) -> PolicyVersion | None:
        """Return one policy version or None."""
        data = self._one(
            "SELECT data FROM policies WHERE site = ? AND version = ?", (site, version)
        )
        return PolicyVersion.from_dict(loads(data)) if data else None

    @_guard
    def list_policies(self, site: str) -> list[PolicyVersion]:
        """Return the site's policy versions, oldest first."""
        rows = self._all_rows("SELECT data FROM policies WHERE site = ? ORDER BY version", (site,))
        return [PolicyVersion.from_dict(loads(r[0])) for r in rows]

    # -- decisions -----------------------------------------------------------------------

    @_guard
    def record_decision(
        self,
        site: str,
        visitor_id: str,
        make: DecisionMaker,
        *,
        day: str,
        counters: Callable[[ConsentState, Receipt], dict[str, int]] | None = None,
        aliases: Iterable[Alias] = (),
        fresh: bool = False,
    ) -> tuple[ConsentState, Receipt]:
        """Record a decision in one IMMEDIATE transaction (``fresh`` changes nothing here)."""
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            data = self._one(
                "SELECT data FROM states WHERE vid = ? AND site = ?", (visitor_id, site)
            )
            prior = ConsentState.from_dict(loads(data)) if data else None
            head = self._one("SELECT hash FROM heads WHERE vid = ?", (visitor_id,)) or ""
            seq = self._one("SELECT COUNT(*) FROM receipts WHERE vid = ?", (visitor_id,))
            state, receipt = make(prior)
            receipt = seal(receipt, head, seq + 1)
            state.receipt_id = receipt.receipt_id
            conn.execute(
                "INSERT OR REPLACE INTO states (vid, site, data) VALUES (?, ?, ?)",
                (visitor_id, site, dumps(state.to_dict())),
            )
            conn.execute(
                "INSERT INTO receipts (vid, seq, site, data) VALUES (?, ?, ?, ?)",
                (visitor_id, receipt.seq, site, dumps(receipt.to_dict())),
            )
            conn.execute(
                "INSERT OR REPLACE INTO heads (vid, hash) VALUES (?, ?)", (visitor_id, receipt.hash)
            )
            for name, n in (counters(state, receipt) if counters else {}).items():
                conn.execute(
                    "INSERT INTO stats (site, day, name, n) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (site, day, name) DO UPDATE SET n = n + excluded.n",
                    (site, day, name, n),
                )
            self._insert_aliases(aliases)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return state, receipt

    @_guard
    def get_state(self, site: str, visitor_id: str) -> ConsentState | None:
        """Return the visitor's state or None."""
        data = self._one("SELECT data FROM states WHERE vid = ? AND site = ?", (visitor_id, site))
        return ConsentState.from_dict(loads(data)) if data else None

    @_guard
    def get_states(self, site: str, visitor_ids: Sequence[str]) -> list[ConsentState | None]:
        """Return states for many ids, in chunks that fit SQLite's parameter limit."""
        found: dict[str, ConsentState] = {}
        ids = list(visitor_ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._all_rows(
                f"SELECT vid, data FROM states WHERE site = ? AND vid IN ({marks})",
                (site, *chunk),
            )
            for vid, data in rows:
                found[vid] = ConsentState.from_dict(loads(data))
        return [found.get(v) for v in ids]

    @_guard
    def get_receipts(self, site: str | None, visitor_id: str) -> list[Receipt]:
        """Return the visitor's receipts, oldest first."""
        if site is None:
            rows = self._all_rows(
                "SELECT data FROM receipts WHERE vid = ? ORDER BY seq", (visitor_id,)
            )
        else:
            rows = self._all_rows(
                "SELECT data FROM receipts WHERE vid = ? AND site = ? ORDER BY seq",
                (visitor_id, site),
            )
        return [Receipt.from_dict(loads(r[0])) for r in rows]

    @_guard
    def get_head(self, visitor_id: str) -> str:
        """Return the stored hash of the visitor's newest receipt ('' if none)."""
        return self._one("SELECT hash FROM heads WHERE vid = ?", (visitor_id,)) or ""

    @_guard
    def iter_visitors(self) -> Iterator[str]:
        """Yield every visitor with receipts."""
        for (vid,) in self._all_rows("SELECT DISTINCT vid FROM receipts"):
            yield vid

    # -- aliases -------------------------------------------------------------------------

    def _insert_aliases(self, aliases: Iterable[Alias]) -> None:
        self._conn().executemany(
            "INSERT OR REPLACE INTO aliases (site, type, value, vid, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [(a.site, a.type, a.value, a.visitor_id, a.created_at) for a in aliases],
        )

    @_guard
    def put_aliases(self, aliases: Iterable[Alias]) -> None:
        """Link aliases to visitors."""
        self._insert_aliases(aliases)

    @_guard
    def resolve_aliases(self, site: str, pairs: Sequence[tuple[str, str]]) -> list[str | None]:
        """Return the visitor id of each alias or None."""
        out: list[str | None] = []
        for kind, value in pairs:
            out.append(
                self._one(
                    "SELECT vid FROM aliases WHERE site = ? AND type = ? AND value = ?",
                    (site, kind, value),
                )
            )
        return out

    # -- statistics ----------------------------------------------------------------------

    @_guard
    def get_stats(self, site: str, days: Sequence[str]) -> dict[str, dict[str, int]]:
        """Return the counters of the given days."""
        out: dict[str, dict[str, int]] = {}
        wanted = list(days)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._all_rows(
                f"SELECT day, name, n FROM stats WHERE site = ? AND day IN ({marks})",
                (site, *chunk),
            )
            for d, name, n in rows:
                out.setdefault(d, {})[name] = n
        return out

    # -- keys and admins -----------------------------------------------------------------

    @_guard
    def put_api_key(self, key: ApiKey) -> None:
        """Create or replace an API key."""
        self._conn().execute(
            "INSERT OR REPLACE INTO api_keys (key_id, site, secret_hash, created_at, data) "
            "VALUES (?, ?, ?, ?, ?)",
            (key.key_id, key.site, key.secret_hash, key.created_at, dumps(key.to_dict())),
        )

    @_guard
    def get_api_key(self, secret_hash: str) -> ApiKey | None:
        """Return the key by secret hash or None."""
        data = self._one("SELECT data FROM api_keys WHERE secret_hash = ?", (secret_hash,))
        return ApiKey.from_dict(loads(data)) if data else None

    @_guard
    def list_api_keys(self, site: str) -> list[ApiKey]:
        """Return the site's keys, oldest first."""
        rows = self._all_rows(
            "SELECT data FROM api_keys WHERE site = ? ORDER BY created_at, key_id", (site,)
        )
        return [ApiKey.from_dict(loads(r[0])) for r in rows]

    @_guard
    def touch_api_key(self, key_id: str, when: str) -> None:
        """Record the key's last use."""
        self._conn().execute(
            "UPDATE api_keys SET data = json_set(data, '$.last_used_at', ?) WHERE key_id = ?",
            (when, key_id),
        )

    @_guard
    def put_admin(self, user: AdminUser) -> None:
        """Create or replace an admin user."""
        self._conn().execute(
            "INSERT OR REPLACE INTO admins (username, data) VALUES (?, ?)",
            (user.username, dumps(user.to_dict())),
        )

    @_guard
    def get_admin(self, username: str) -> AdminUser | None:
        """Return the admin user or None."""
        data = self._one("SELECT data FROM admins WHERE username = ?", (username,))
        return AdminUser.from_dict(loads(data)) if data else None

    @_guard
    def list_admins(self) -> list[AdminUser]:
        """Return every admin user by name."""
        rows = self._all_rows("SELECT data FROM admins ORDER BY username")
        return [AdminUser.from_dict(loads(r[0])) for r in rows]

    # -- records and audit ---------------------------------------------------------------

    @_guard
    def append_provision_record(self, record: ProvisionRecord) -> None:
        """Append one confirmation record."""
        self._conn().execute(
            "INSERT INTO provision_records "
            "(record_id, site, created_at, recipient, retention_until, data) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                record.record_id,
                record.site,
                record.created_at,
                str(record.recipient.get("key", "")),
                record.retention_until,
                dumps(record.to_dict()),
            ),
        )

    @_guard
    def query_provision_records(
        self,
        site: str,
        *,
        start: str = "",
        end: str = "",
        recipient: str = "",
        limit: int = 0,
    ) -> list[ProvisionRecord]:
        """Return records of a site in a time range, oldest first."""
        sql = "SELECT data FROM provision_records WHERE site = ?"
        args: list[Any] = [site]
        if start:
            sql += " AND created_at >= ?"
            args.append(start)
        if end:
            sql += " AND created_at < ?"
            args.append(end)
        if recipient:
            sql += " AND recipient = ?"
            args.append(recipient)
        sql += " ORDER BY created_at, record_id"
        if limit:
            sql += " LIMIT ?"
            args.append(limit)
        return [ProvisionRecord.from_dict(loads(r[0])) for r in self._all_rows(sql, args)]

    @_guard
    def purge_provision_records(self, now: str) -> int:
        """Delete records past retention."""
        cur = self._conn().execute(
            "DELETE FROM provision_records WHERE retention_until < ?", (now,)
        )
        return cur.rowcount

    @_guard
    def append_audit(self, entry: AuditEntry) -> None:
        """Append one audit entry."""
        self._conn().execute(
            "INSERT INTO audit (site, data) VALUES (?, ?)", (entry.site, dumps(entry.to_dict()))
        )

    @_guard
    def list_audit(self, site: str, limit: int = 100) -> list[AuditEntry]:
        """Return the newest audit entries first."""
        rows = self._all_rows(
            "SELECT data FROM audit WHERE site = ? ORDER BY id DESC LIMIT ?", (site, limit)
        )
        return [AuditEntry.from_dict(loads(r[0])) for r in rows]
