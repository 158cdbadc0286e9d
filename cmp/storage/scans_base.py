"""The storage contract's part for scan reports (:mod:`cmp.scan`), mixed into ``Storage``.

Reports are kept per site, newest first, at most :data:`cmp.scan.model.KEEP_SCANS` of them;
the report itself is stored compressed (a 20-page report is a few hundred KB of JSON).
"""

from __future__ import annotations

import json
import zlib
from abc import ABC, abstractmethod
from typing import Any

from cmp.scan.model import ScanRecord


def pack_report(report: dict[str, Any]) -> bytes:
    """The report as compressed JSON."""
    return zlib.compress(json.dumps(report, ensure_ascii=False).encode(), 6)


def unpack_report(blob: bytes) -> dict[str, Any]:
    """The report from :func:`pack_report`'s bytes."""
    return json.loads(zlib.decompress(blob))


class ScanStorage(ABC):
    """Scan reports of a site."""

    @abstractmethod
    def put_scan(self, record: ScanRecord) -> None:
        """Store one report (replacing one with the same id); drop the site's oldest beyond
        ``KEEP_SCANS``."""

    @abstractmethod
    def list_scans(self, site: str, limit: int = 50) -> list[ScanRecord]:
        """The site's reports newest first, without their ``report`` (summaries only)."""

    @abstractmethod
    def get_scan(self, site: str, scan_id: str) -> ScanRecord | None:
        """One report with its whole ``report``, or None."""
