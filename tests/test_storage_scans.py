"""The storage contract for scan reports, over SQLite, Redis and Redis Cluster."""

from __future__ import annotations

from typing import Any

from cmp.scan.model import KEEP_SCANS, ScanRecord
from cmp.storage import Storage


def _report(n: int, site: str = "demo") -> dict[str, Any]:
    started = f"2026-12-01T{n // 60:02d}:{n % 60:02d}:00Z"
    return {
        "schema": "cmp-scan/1",
        "scan_id": f"20261201T{n:06d}-abc{n:03d}",
        "site": site,
        "started_at": started,
        "seconds": 1.5,
        "urls": ["https://www.example.jp/"],
        "pages": [{"url": "https://www.example.jp/", "phases": {}}] * (n % 3 + 1),
        "findings": [{"kind": "violation", "what": "request", "detail": {"host": "x.jp", "n": n}}],
        "summary": {"violation": 1, "undeclared": 0, "stale": 0, "error": 0, "ok": 0},
        "exit_status": 1,
    }


def test_a_report_is_stored_listed_and_read_back(store: Storage) -> None:
    assert store.list_scans("demo") == [] and store.get_scan("demo", "nope") is None
    first, second = ScanRecord.of(_report(1)), ScanRecord.of(_report(2))
    store.put_scan(first)
    store.put_scan(second)
    store.put_scan(ScanRecord.of(_report(3, site="other")))
    listed = store.list_scans("demo")
    assert [r.scan_id for r in listed] == [second.scan_id, first.scan_id]  # newest first
    assert listed[0].report == {} and listed[0].summary["violation"] == 1
    assert (listed[0].pages, listed[0].exit_status, listed[0].urls) == (3, 1, first.urls)
    got = store.get_scan("demo", first.scan_id)
    assert got is not None and got.report == _report(1)
    assert store.get_scan("other", first.scan_id) is None
    assert [r.site for r in store.list_scans("other")] == ["other"]


def test_only_the_newest_reports_are_kept(store: Storage) -> None:
    for n in range(KEEP_SCANS + 3):
        store.put_scan(ScanRecord.of(_report(n)))
    listed = store.list_scans("demo", limit=1000)
    assert len(listed) == KEEP_SCANS
    assert listed[-1].scan_id == _report(3)["scan_id"]
    assert store.get_scan("demo", _report(2)["scan_id"]) is None
    assert len(store.list_scans("demo", limit=5)) == 5


def test_a_large_report_survives(store: Storage) -> None:
    report = _report(7)
    report["findings"] = [
        {
            "kind": "undeclared",
            "what": "request",
            "detail": {"url": f"https://t{i}.jp/" + "x" * 300},
        }
        for i in range(2000)
    ]
    store.put_scan(ScanRecord.of(report))
    assert store.get_scan("demo", report["scan_id"]).report == report
