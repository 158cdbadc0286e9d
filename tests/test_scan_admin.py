"""The recipient editor's scanner declarations (hosts, cookies, storage keys) and the
スキャン page's edges, on SQLite (the storage contract itself is tested per backend in
tests/test_storage_scans.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from cmp.scan.model import ScanRecord
from tests.conftest import make_app
from tests.test_admin_recipients import NEW
from tests.test_admin_support import Console, config, errors_of, sign_in


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    application = make_app(f"sqlite:///{tmp_path / 'cmp.sqlite3'}")
    yield application
    application.extensions["cmp.store"].close()


@pytest.fixture
def console(app: Flask) -> Console:
    return sign_in(app, "admin")


DECLARED = {
    "hosts": "Connect.Facebook.net\n*.facebook.com\nwww.facebook.com/tr\nconnect.facebook.net",
    "cookies": "_fbp\n_fbc",
    "storage": "_fbq_*",
}


def test_declarations_are_saved_shown_and_kept_from_the_banner(
    app: Flask, console: Console
) -> None:
    assert console.post("/admin/sites/demo/recipients/new", {**NEW, **DECLARED}).status_code == 303
    saved = app.extensions["cmp.store"].get_recipients("demo")[-1]
    assert saved.hosts == ["connect.facebook.net", "*.facebook.com", "www.facebook.com/tr"]
    assert (saved.cookies, saved.storage) == (["_fbp", "_fbc"], ["_fbq_*"])
    page = console.get("/admin/sites/demo/recipients/heatmap-co").text
    assert "www.facebook.com/tr" in page and "_fbq_*" in page
    shown = {r["key"]: r for r in config(app)["recipients"]}["heatmap-co"]
    assert not {"hosts", "cookies", "storage"} & shown.keys()
    # Declarations are not what visitors consent to: changing them needs no new version.
    version = app.extensions["cmp.store"].get_site("demo").policy_version
    edit = {**NEW, **DECLARED, "cookies": "_fbp", "publish": ""}
    del edit["key"]
    assert console.post("/admin/sites/demo/recipients/heatmap-co", edit).status_code == 303
    assert app.extensions["cmp.store"].get_site("demo").policy_version == version
    assert app.extensions["cmp.store"].get_recipients("demo")[-1].cookies == ["_fbp"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("hosts", "not a host"), ("hosts", "-bad.example"), ("cookies", "a=b"),
     ("storage", "two words"), ("cookies", "\n".join(f"c{i}" for i in range(101)))],
)  # fmt: skip
def test_bad_declarations_are_refused_by_their_field(
    console: Console, field: str, value: str
) -> None:
    resp = console.post("/admin/sites/demo/recipients/new", {**NEW, field: value})
    assert resp.status_code == 422
    assert errors_of(resp.text, field)


def test_the_scans_page_without_reports_and_unknown_ids(app: Flask, console: Console) -> None:
    page = console.get("/admin/sites/demo/scans")
    assert page.status_code == 200 and "まだスキャンの結果はありません" in page.text
    assert 'href="/admin/sites/demo/scans"' in console.get("/admin/sites/demo/recipients").text
    assert console.get("/admin/sites/demo/scans/nope").status_code == 404
    assert console.get("/admin/sites/nosite/scans").status_code == 404
    assert console.post("/admin/sites/demo/scans/nope/adopt", {"vendor": "ga4"}).status_code == 404


def test_adopting_twice_or_into_an_unknown_category(app: Flask, console: Console) -> None:
    report = {"scan_id": "20261201T000000-aaaaaa", "site": "demo",
              "started_at": "2026-12-01T00:00:00Z", "urls": ["https://www.example.jp/"],
              "pages": [], "findings": [], "seconds": 1.0,
              "summary": {"violation": 0, "undeclared": 0, "stale": 0, "error": 0, "ok": 0},
              "exit_status": 0}  # fmt: skip
    store = app.extensions["cmp.store"]
    store.put_scan(ScanRecord.of(report))
    url = f"/admin/sites/demo/scans/{report['scan_id']}/adopt"
    assert console.post(url, {"vendor": "hotjar", "category": "nope"}).status_code == 400
    assert console.post(url, {"vendor": "hotjar"}).status_code == 303
    version = store.get_site("demo").policy_version
    made = store.get_recipients("demo")[-1]
    assert (made.key, made.category, made.foreign) == (
        "hotjar",
        "analytics",
        {"system": {}, "measures": {}},
    )
    assert console.post(url, {"vendor": "hotjar"}).status_code == 303  # already there: no-op
    assert store.get_site("demo").policy_version == version
    assert [r.key for r in store.get_recipients("demo")].count("hotjar") == 1
    entry = store.list_audit("demo")[1]
    assert entry.action == "recipient.create" and entry.after["from_scan"] == report["scan_id"]
