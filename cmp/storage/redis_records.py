"""Redis backend, records side: confirmation records (確認記録) and received provisions.

Every record of a site carries the site as hash tag, so a record and its two indexes (by
creation time, by retention) are written by one script on one slot, and a search for one
visitor runs inside Redis over a batch of records at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cmp.model import ProvisionRecord, ReceivedProvision
from cmp.storage import keys
from cmp.storage.codec import dumps, loads
from cmp.storage.contract.records import RecordStorage
from cmp.storage.lua import source
from cmp.storage.records_codec import (
    FIXED,
    TEXT,
    VID_WIDTH,
    pack_allowed,
    text_needle,
    unpack_allowed,
)
from cmp.storage.redis_conn import guard, score

_BATCH = 200
#: Records read per round trip with their ids: each may list PROVISION_MAX_IDS ids, so an
#: export holds a handful of records' ids at a time, not 200 (bounded memory).
_ID_BATCH = 4


def _range(start: str, end: str) -> tuple[Any, Any]:
    return (score(start) if start else "-inf"), (f"({score(end)}" if end else "+inf")


class RecordsMixin(RecordStorage):
    """Confirmation and received-provision records; mixed into ``RedisStorage``."""

    client: Any
    raw: Any

    def _init_records(self) -> None:
        self._append = self.raw.register_script(source("append_record"))
        self._find = self.raw.register_script(source("find_visitor"))
        self._purge_script = self.client.register_script(source("purge_records"))

    @guard
    def append_provision_record(self, record: ProvisionRecord) -> None:
        """Append one record with its time and retention indexes, atomically."""
        meta = record.to_dict()
        meta.pop("allowed")
        kind, ids, seqs = pack_allowed(record.allowed)
        self._append(
            keys=[
                keys.provision_record(record.site, record.record_id),
                keys.provision_index(record.site),
                keys.provision_retention(record.site),
            ],
            args=[
                dumps(meta),
                kind,
                ids,
                seqs,
                score(record.created_at),
                score(record.retention_until),
                record.record_id,
            ],
        )

    @guard
    def _load(self, site: str, record_ids: list[str], with_ids: bool) -> list[ProvisionRecord]:
        pipe = self.raw.pipeline(transaction=False)
        for record_id in record_ids:
            name = keys.provision_record(site, record_id)
            if with_ids:
                pipe.hmget(name, ["m", "k", "v", "s"])
            else:
                pipe.hmget(name, ["m"])
        out = []
        for row in pipe.execute():
            if not row or row[0] is None:
                continue
            record = ProvisionRecord.from_dict(loads(row[0]))
            if with_ids:
                record.allowed = unpack_allowed(row[1], row[2] or b"", row[3] or b"")
            out.append(record)
        return out

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
        """Yield records oldest first, fetched a batch at a time."""
        ids = self.client.zrangebyscore(keys.provision_index(site), *_range(start, end))
        step = _ID_BATCH if with_ids else _BATCH
        for begin in range(0, len(ids), step):
            for record in self._load(site, ids[begin : begin + step], with_ids):
                if not recipient or record.recipient.get("key") == recipient:
                    yield record

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
        out: list[ProvisionRecord] = []
        for record in self.iter_provision_records(
            site, start=start, end=end, recipient=recipient, with_ids=with_ids
        ):
            out.append(record)
            if limit and len(out) >= limit:
                break
        return out

    @guard
    def count_provision_records(self, site: str, *, start: str = "", end: str = "") -> int:
        """Count the site's records in a time range."""
        return int(self.client.zcount(keys.provision_index(site), *_range(start, end)))

    @guard
    def visitor_provision_records(self, site: str, visitor_id: str) -> list[ProvisionRecord]:
        """Search every record of the site inside Redis, a batch of records per script."""
        ids = self.client.zrange(keys.provision_index(site), 0, -1)
        out: list[ProvisionRecord] = []
        for begin in range(0, len(ids), _BATCH):
            chunk = ids[begin : begin + _BATCH]
            hits = self._find(
                keys=[keys.provision_record(site, i) for i in chunk],
                args=[visitor_id, VID_WIDTH, FIXED, TEXT, text_needle(visitor_id)],
            )
            for record in self._load(site, [chunk[int(n) - 1] for n in hits], True):
                record.allowed = [p for p in record.allowed if p[0] == visitor_id]
                out.append(record)
        return out

    def _purge(self, site: str, now: str, index: str, retention: str, name: Any) -> int:
        cutoff = f"({score(now)}"
        removed = 0
        ids = self.client.zrangebyscore(retention, "-inf", cutoff)
        for begin in range(0, len(ids), 500):
            chunk = ids[begin : begin + 500]
            # One script per chunk: record and index entries go together (one slot per site).
            removed += int(
                self._purge_script(
                    keys=[*(name(site, i) for i in chunk), index, retention], args=chunk
                )
            )
        return removed

    @guard
    def purge_provision_records(self, now: str) -> int:
        """Delete confirmation records past retention, site by site."""
        return sum(
            self._purge(
                site,
                now,
                keys.provision_index(site),
                keys.provision_retention(site),
                keys.provision_record,
            )
            for site in self.client.smembers(keys.SITES)
        )

    # -- received provisions (APPI Art. 30) ---------------------------------------------

    @guard
    def append_received_provision(self, record: ReceivedProvision) -> None:
        """Append one received-provision record with its indexes."""
        pipe = self.client.pipeline(transaction=False)
        pipe.set(keys.received_record(record.site, record.record_id), dumps(record.to_dict()))
        pipe.zadd(keys.received_index(record.site), {record.record_id: score(record.created_at)})
        pipe.zadd(
            keys.received_retention(record.site),
            {record.record_id: score(record.retention_until)},
        )
        pipe.execute()

    @guard
    def query_received_provisions(
        self, site: str, *, start: str = "", end: str = "", limit: int = 0
    ) -> list[ReceivedProvision]:
        """Return received-provision records in a time range, oldest first."""
        ids = self.client.zrangebyscore(keys.received_index(site), *_range(start, end))
        if limit:
            ids = ids[:limit]
        pipe = self.client.pipeline(transaction=False)
        for record_id in ids:
            pipe.get(keys.received_record(site, record_id))
        rows = pipe.execute() if ids else []
        return [ReceivedProvision.from_dict(loads(r)) for r in rows if r]

    @guard
    def purge_received_provisions(self, now: str) -> int:
        """Delete received-provision records past retention."""
        return sum(
            self._purge(
                site,
                now,
                keys.received_index(site),
                keys.received_retention(site),
                keys.received_record,
            )
            for site in self.client.smembers(keys.SITES)
        )
