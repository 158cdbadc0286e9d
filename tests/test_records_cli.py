"""`cmp export-records` and `cmp purge`, run as real subprocesses on SQLite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cmp import lookup, records
from cmp.model import ReceivedProvision
from cmp.storage import open_store
from tests.test_cli import run
from tests.test_storage_contract import VID, _record

SECRET = "cli-test-secret-0123456789"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    env = {"CMP_STORE_URL": url, "CMP_SECRET_KEY": SECRET, "CMP_INSTANCE_PATH": str(tmp_path)}
    assert run(env, "seed-demo").returncode == 0
    store = open_store(url)
    store.append_provision_record(_record("r1", "2026-01-01T00:00:00Z", "2029-01-01T00:00:00Z"))
    store.append_provision_record(
        _record("r2", "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z", "ad-global")
    )
    store.append_received_provision(
        ReceivedProvision(
            "a1", "demo", {"name": "提供元", "address": "東京都", "representative": "代表"},
            ["購買履歴"], "m-1", "同意取得済み", "2026-01-01T00:00:00Z", "k1",
            "2026-06-01T00:00:00Z", "2026-01-01T00:00:00Z",
        )
    )  # fmt: skip
    store.close()
    return env


def test_export_csv_with_progress_bar(env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "records.csv"
    done = run(env, "export-records", "--site", "demo", "--lang", "en", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "records: 100%" in done.stderr and "2/2" in done.stderr
    rows = records.parse_csv(out.read_text(encoding="utf-8"))
    assert [r["record_id"] for r in rows] == ["r1", "r2"]
    assert rows[0]["recipient_representative"] == "z" and rows[1]["recipient_key"] == "ad-global"
    ranged = run(env, "export-records", "--site", "demo", "--from", "2026-01-15", "--ids")
    detail = records.parse_csv(ranged.stdout, records.COLUMNS + records.VISITOR_COLUMNS)
    shown = lookup.make(SECRET, "demo", "ad-global", VID)
    assert [(r["record_id"], r["visitor_id"]) for r in detail] == [("r2", shown)]


def test_export_jsonl_and_received(env: dict[str, str]) -> None:
    done = run(env, "export-records", "--site", "demo", "--format", "jsonl", "--ids")
    docs = [json.loads(line) for line in done.stdout.splitlines()]
    assert [d["record_id"] for d in docs] == ["r1", "r2"]
    shown = lookup.make(SECRET, "demo", docs[0]["recipient"]["key"], VID)
    assert docs[0]["allowed"] == [{"visitor_id": shown, "receipt_id": f"{shown}-1"}]
    received = run(env, "export-records", "--site", "demo", "--received")
    rows = records.parse_csv(received.stdout, records.RECEIVED_COLUMNS)
    assert rows[0]["provider_name"] == "提供元" and rows[0]["person_id"] == "m-1"
    assert run(env, "export-records", "--site", "nope").returncode != 0
    assert run(env, "export-records", "--site", "demo", "--from", "soon").returncode != 0


def test_purge_removes_only_expired(env: dict[str, str]) -> None:
    done = run(env, "purge", "--now", "2026-04-01")
    assert done.returncode == 0, done.stderr
    assert "purged 1 confirmation record(s) and 0 received-provision record(s)" in done.stdout
    store = open_store(env["CMP_STORE_URL"])
    try:
        assert [r.record_id for r in store.query_provision_records("demo")] == ["r1"]
        assert len(store.query_received_provisions("demo")) == 1
    finally:
        store.close()
    again = run(env, "purge", "--now", "2026-07-01")
    assert "purged 0 confirmation record(s) and 1 received-provision record(s)" in again.stdout
