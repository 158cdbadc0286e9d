"""SQLite backend, scan reports: one row per report, the report compressed."""

from __future__ import annotations

import sqlite3

from cmp.scan.model import KEEP_SCANS, ScanRecord
from cmp.storage.codec import dumps, loads
from cmp.storage.contract.scans import ScanStorage
from cmp.storage.scan_codec import pack_report, unpack_report
from cmp.storage.sqlite_base import SQLiteBase, guard

_SCHEMA = """
CREATE TABLE IF NOT EXISTS scans (
    site TEXT NOT NULL, scan_id TEXT NOT NULL, started_at TEXT NOT NULL, head TEXT NOT NULL,
    report BLOB NOT NULL, PRIMARY KEY (site, scan_id));
CREATE INDEX IF NOT EXISTS scans_by_time ON scans (site, started_at);
"""


class ScansMixin(SQLiteBase, ScanStorage):
    """Scan reports; mixed into ``SQLiteStorage`` (the table is made on first use)."""

    _scans_ready = False

    def _scans(self) -> sqlite3.Connection:
        conn = self._conn()
        if not self._scans_ready:
            conn.executescript(_SCHEMA)
            self._scans_ready = True
        return conn

    @guard
    def put_scan(self, record: ScanRecord) -> None:
        """Store the report and trim the site's oldest, in one transaction."""
        conn = self._scans()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(
                "INSERT OR REPLACE INTO scans (site, scan_id, started_at, head, report) "
                "VALUES (?, ?, ?, ?, ?)",
                (record.site, record.scan_id, record.started_at, dumps(record.head()),
                 pack_report(record.report)),
            )  # fmt: skip
            conn.execute(
                "DELETE FROM scans WHERE site = ? AND scan_id NOT IN (SELECT scan_id FROM scans"
                " WHERE site = ? ORDER BY started_at DESC, scan_id DESC LIMIT ?)",
                (record.site, record.site, KEEP_SCANS),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    @guard
    def list_scans(self, site: str, limit: int = 50) -> list[ScanRecord]:
        """The site's reports newest first, summaries only."""
        rows = self._scans().execute(
            "SELECT head FROM scans WHERE site = ? ORDER BY started_at DESC, scan_id DESC LIMIT ?",
            (site, limit),
        )
        return [ScanRecord.from_dict(loads(r[0])) for r in rows.fetchall()]

    @guard
    def get_scan(self, site: str, scan_id: str) -> ScanRecord | None:
        """One report, whole."""
        row = (
            self._scans()
            .execute(
                "SELECT head, report FROM scans WHERE site = ? AND scan_id = ?", (site, scan_id)
            )
            .fetchone()
        )
        if row is None:
            return None
        record = ScanRecord.from_dict(loads(row[0]))
        record.report = unpack_report(row[1])
        return record
