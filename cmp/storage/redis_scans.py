"""Redis backend, scan reports: a hash per report and a per-site index, one slot per site.

Both keys carry the site as hash tag, so storing a report, indexing it and trimming the
oldest is one script on one cluster slot.
"""

from __future__ import annotations

from typing import Any

from cmp.scan.model import KEEP_SCANS, ScanRecord
from cmp.storage import keys
from cmp.storage.codec import dumps, loads
from cmp.storage.contract.scans import ScanStorage
from cmp.storage.lua import source
from cmp.storage.redis_conn import guard, score
from cmp.storage.scan_codec import pack_report, unpack_report


class ScansMixin(ScanStorage):
    """Scan reports; mixed into ``RedisStorage``."""

    raw: Any

    @guard
    def put_scan(self, record: ScanRecord) -> None:
        """Store, index and trim, atomically."""
        script = self.raw.register_script(source("put_scan"))
        prefix = keys.scan_report(record.site, "")
        script(
            keys=[keys.scans(record.site), keys.scan_report(record.site, record.scan_id)],
            args=[score(record.started_at), record.scan_id, dumps(record.head()),
                  pack_report(record.report), KEEP_SCANS, prefix],
        )  # fmt: skip

    @guard
    def list_scans(self, site: str, limit: int = 50) -> list[ScanRecord]:
        """The site's reports newest first, summaries only."""
        ids = self.raw.zrevrange(keys.scans(site), 0, max(0, limit - 1))
        pipe = self.raw.pipeline(transaction=False)
        for scan_id in ids:
            pipe.hget(keys.scan_report(site, scan_id.decode()), "h")
        return [ScanRecord.from_dict(loads(h)) for h in pipe.execute() if h]

    @guard
    def get_scan(self, site: str, scan_id: str) -> ScanRecord | None:
        """One report, whole."""
        head, report = self.raw.hmget(keys.scan_report(site, scan_id), ["h", "r"])
        if head is None:
            return None
        record = ScanRecord.from_dict(loads(head))
        record.report = unpack_report(report)
        return record
