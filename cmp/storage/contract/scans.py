"""Scan reports of the compliance scanner (:mod:`cmp.scan`).

Reports are kept per site, newest first, at most :data:`cmp.scan.model.KEEP_SCANS` of them;
the report itself is stored compressed (:mod:`cmp.storage.scan_codec`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from cmp.scan.model import ScanRecord


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
