"""SQLite backend, records side: confirmation records (確認記録) and received provisions.

A record's allowed ids live in their own table, one row per id with its position, so the
record JSON stays small, a listing without ids never reads them, and the ids of one visitor
are found by index (disclosure on request, APPI Art. 33(5)).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cmp.model import ProvisionRecord, ReceivedProvision
from cmp.storage.codec import dumps, loads
from cmp.storage.contract.records import RecordStorage
from cmp.storage.sqlite_base import SQLiteBase, guard

_BATCH = 200


class RecordsMixin(SQLiteBase, RecordStorage):
    """Confirmation and received-provision records; mixed into ``SQLiteStorage``."""

    @guard
    def append_provision_record(self, record: ProvisionRecord) -> None:
        """Append one record and its ids in one transaction."""
        meta = record.to_dict()
        meta["allowed"] = []
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(
                "INSERT INTO provision_records "
                "(record_id, site, created_at, recipient, retention_until, data) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    record.record_id,
                    record.site,
                    record.created_at,
                    str(record.recipient.get("key", "")),
                    record.retention_until,
                    dumps(meta),
                ),
            )
            conn.executemany(
                "INSERT INTO provision_ids (record_id, pos, vid, receipt_id) VALUES (?, ?, ?, ?)",
                [(record.record_id, n, vid, rid) for n, (vid, rid) in enumerate(record.allowed)],
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _with_ids(self, record: ProvisionRecord) -> ProvisionRecord:
        rows = self._all_rows(
            "SELECT vid, receipt_id FROM provision_ids WHERE record_id = ? ORDER BY pos",
            (record.record_id,),
        )
        if rows:
            record.allowed = [[vid, rid] for vid, rid in rows]
        return record

    def _select(self, site: str, start: str, end: str, recipient: str) -> tuple[str, list[Any]]:
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
        return sql + " ORDER BY created_at, record_id", args

    @guard
    def query_provision_records(
        self,
        site: str,
        *,
        start: str = "",
        end: str = "",
        recipient: str = "",
        limit: int = 0,
        with_ids: bool = True,
    ) -> list[ProvisionRecord]:
        """Return records of a site in a time range, oldest first."""
        sql, args = self._select(site, start, end, recipient)
        if limit:
            sql += " LIMIT ?"
            args.append(limit)
        found = [ProvisionRecord.from_dict(loads(r[0])) for r in self._all_rows(sql, args)]
        return [self._with_ids(r) for r in found] if with_ids else found

    @guard
    def iter_provision_records(
        self,
        site: str,
        *,
        start: str = "",
        end: str = "",
        recipient: str = "",
        with_ids: bool = True,
    ) -> Iterator[ProvisionRecord]:
        """Yield records oldest first, a batch at a time."""
        sql, args = self._select(site, start, end, recipient)
        offset = 0
        while True:
            rows = self._all_rows(f"{sql} LIMIT {_BATCH} OFFSET {offset}", args)
            for (data,) in rows:
                record = ProvisionRecord.from_dict(loads(data))
                yield self._with_ids(record) if with_ids else record
            if len(rows) < _BATCH:
                return
            offset += _BATCH

    @guard
    def count_provision_records(self, site: str, *, start: str = "", end: str = "") -> int:
        """Count the site's records in a time range."""
        sql, args = self._select(site, start, end, "")
        return int(self._one(f"SELECT COUNT(*) FROM ({sql})", args))

    @guard
    def visitor_provision_records(self, site: str, visitor_id: str) -> list[ProvisionRecord]:
        """Return the records that allowed the visitor, through the id index."""
        rows = self._all_rows(
            "SELECT r.data, i.vid, i.receipt_id FROM provision_ids i "
            "JOIN provision_records r ON r.record_id = i.record_id "
            "WHERE i.vid = ? AND r.site = ? ORDER BY r.created_at, r.record_id, i.pos",
            (visitor_id, site),
        )
        out: dict[str, ProvisionRecord] = {}
        for data, vid, rid in rows:
            record = out.get(loads(data)["record_id"])
            if record is None:
                record = ProvisionRecord.from_dict(loads(data))
                record.allowed = []
                out[record.record_id] = record
            record.allowed.append([vid, rid])
        return list(out.values())

    @guard
    def purge_provision_records(self, now: str) -> int:
        """Delete records past retention, with their ids."""
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(
                "DELETE FROM provision_ids WHERE record_id IN "
                "(SELECT record_id FROM provision_records WHERE retention_until < ?)",
                (now,),
            )
            cur = conn.execute("DELETE FROM provision_records WHERE retention_until < ?", (now,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return cur.rowcount

    # -- received provisions (APPI Art. 30) ---------------------------------------------

    @guard
    def append_received_provision(self, record: ReceivedProvision) -> None:
        """Append one received-provision record."""
        self._conn().execute(
            "INSERT INTO received_provisions "
            "(record_id, site, created_at, retention_until, data) VALUES (?, ?, ?, ?, ?)",
            (
                record.record_id,
                record.site,
                record.created_at,
                record.retention_until,
                dumps(record.to_dict()),
            ),
        )

    @guard
    def query_received_provisions(
        self, site: str, *, start: str = "", end: str = "", limit: int = 0
    ) -> list[ReceivedProvision]:
        """Return received-provision records in a time range, oldest first."""
        sql = "SELECT data FROM received_provisions WHERE site = ?"
        args: list[Any] = [site]
        if start:
            sql += " AND created_at >= ?"
            args.append(start)
        if end:
            sql += " AND created_at < ?"
            args.append(end)
        sql += " ORDER BY created_at, record_id"
        if limit:
            sql += " LIMIT ?"
            args.append(limit)
        return [ReceivedProvision.from_dict(loads(r[0])) for r in self._all_rows(sql, args)]

    @guard
    def purge_received_provisions(self, now: str) -> int:
        """Delete received-provision records past retention."""
        cur = self._conn().execute(
            "DELETE FROM received_provisions WHERE retention_until < ?", (now,)
        )
        return cur.rowcount
