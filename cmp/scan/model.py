"""A stored scan report: its summary (for listings) and the whole ``cmp-scan/1`` report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cmp.model import _Record

#: Reports kept per site; a new one beyond this drops the oldest.
KEEP_SCANS = 50


@dataclass
class ScanRecord(_Record):
    """One scan of one site, as the storage contract keeps it."""

    scan_id: str
    site: str
    started_at: str
    exit_status: int
    summary: dict[str, int] = field(default_factory=dict)
    pages: int = 0
    urls: list[str] = field(default_factory=list)
    seconds: float = 0.0
    # The whole report; empty in listings (list_scans), full from get_scan.
    report: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, report: dict[str, Any]) -> ScanRecord:
        """The record of a report built by :func:`cmp.scan.report.build`."""
        return cls(
            scan_id=report["scan_id"],
            site=report["site"],
            started_at=report["started_at"],
            exit_status=report["exit_status"],
            summary=dict(report["summary"]),
            pages=len(report["pages"]),
            urls=list(report["urls"]),
            seconds=float(report["seconds"]),
            report=report,
        )

    def head(self) -> dict[str, Any]:
        """Every field but the report (what a listing shows)."""
        data = self.to_dict()
        data["report"] = {}
        return data
