"""Confirmation records: listing and export through the API (JSON, CSV ja/en, per visitor),
round trips of the export formats, received provisions, and purge."""

from __future__ import annotations

import json

from flask import Flask
from flask.testing import FlaskClient

from cmp import clock, ids, lookup, records
from tests.conftest import SECRET
from tests.test_provision import check, decide

RECORDS = "/api/v1/sites/demo/provision-records"
RECEIVED = "/api/v1/sites/demo/received-provisions"


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def lk(signed: str, recipient: str) -> str:
    """The lookup-only id records name a visitor by (per recipient, never the signed id)."""
    return lookup.make(SECRET, "demo", recipient, ids.verify(SECRET, signed))


def _two_checks(client: FlaskClient, api_key) -> tuple[str, str]:
    key = api_key("provision")
    one = decide(client, {"targeting": True}, {"dmp-partner": True, "ad-global": True})
    two = decide(client, {"targeting": True}, {"dmp-partner": True})
    assert check(client, key, "dmp-partner", [one, two]).status_code == 200
    assert check(client, key, "ad-global", [one, two], items=["Cookie ID"]).status_code == 200
    return one, two


def test_list_filter_and_export_records(app: Flask, client: FlaskClient, api_key) -> None:
    one, two = _two_checks(client, api_key)
    read = auth(api_key("read"))
    listed = client.get(RECORDS, headers=read).get_json()
    assert listed["count"] == 2 and "allowed" not in listed["records"][0]
    assert [r["recipient"]["key"] for r in listed["records"]] == ["dmp-partner", "ad-global"]
    only = client.get(f"{RECORDS}?recipient=ad-global&ids=1", headers=read).get_json()
    assert only["count"] == 1
    assert only["records"][0]["allowed"] == [
        {"visitor_id": lk(one, "ad-global"), "receipt_id": f"{lk(one, 'ad-global')}-1"}
    ]
    assert client.get(f"{RECORDS}?to=2000-01-01", headers=read).get_json()["count"] == 0
    assert client.get(f"{RECORDS}?limit=1", headers=read).get_json()["count"] == 1
    csv_ja = client.get(f"{RECORDS}?format=csv", headers=read)
    assert csv_ja.mimetype == "text/csv"
    text = csv_ja.get_data(as_text=True)
    assert text.startswith("\ufeff記録ID,作成日時,")
    rows = records.parse_csv(text)
    assert [r["recipient_name"] for r in rows] == ["株式会社DMPパートナー", "Ad Global, Inc."]
    assert rows[0]["items"] == "閲覧履歴" and rows[0]["allowed_count"] == "2"
    assert rows[1]["recipient_address"].startswith("100 Market Street")
    english = client.get(f"{RECORDS}?format=csv&lang=en&ids=1", headers=read)
    detail = records.parse_csv(
        english.get_data(as_text=True), records.COLUMNS + records.VISITOR_COLUMNS
    )
    assert english.get_data(as_text=True).startswith("\ufeffRecord ID,Created at,")
    assert [r["visitor_id"] for r in detail] == [
        lk(one, "dmp-partner"),
        lk(two, "dmp-partner"),
        lk(one, "ad-global"),
    ]
    assert not {one, two} & {r["visitor_id"] for r in detail}
    for bad in ("format=xml", "lang=fr", "from=yesterday", "limit=0", "ids=2"):
        assert client.get(f"{RECORDS}?{bad}", headers=read).status_code == 422
    assert client.get(RECORDS, headers=auth(api_key("provision"))).status_code == 403


def test_records_about_one_visitor(app: Flask, client: FlaskClient, api_key) -> None:
    one, two = _two_checks(client, api_key)
    read = auth(api_key("read"))
    mine = client.get(f"{RECORDS}?visitor_id={two}", headers=read).get_json()
    assert [r["recipient"]["key"] for r in mine["records"]] == ["dmp-partner"]
    assert mine["records"][0]["allowed"] == [
        {"visitor_id": lk(two, "dmp-partner"), "receipt_id": f"{lk(two, 'dmp-partner')}-1"}
    ]
    # The person's records can be asked for by a lookup id as well.
    by_lookup = client.get(f"{RECORDS}?visitor_id={lk(two, 'ad-global')}", headers=read)
    assert by_lookup.get_json()["records"] == mine["records"]
    both = client.get(f"{RECORDS}?visitor_id={one}&format=csv&lang=en", headers=read)
    rows = records.parse_csv(both.get_data(as_text=True), records.COLUMNS + records.VISITOR_COLUMNS)
    assert [(r["recipient_key"], r["visitor_id"]) for r in rows] == [
        ("dmp-partner", lk(one, "dmp-partner")),
        ("ad-global", lk(one, "ad-global")),
    ]
    assert client.get(f"{RECORDS}?visitor_id=forged", headers=read).status_code == 400


def test_export_formats_round_trip(app: Flask, client: FlaskClient, api_key) -> None:
    _two_checks(client, api_key)
    store = app.extensions["cmp.store"]
    found = store.query_provision_records("demo")
    sign = lookup.Namer(SECRET, "demo")
    for lang in ("ja", "en"):
        text = "".join(
            records.csv_lines((records.row(r, lang) for r in found), records.COLUMNS, lang)
        )
        expected = [{k: str(v) for k, v in records.row(r, lang).items()} for r in found]
        assert records.parse_csv(text) == expected
    lines = "".join(records.jsonl_lines(found, sign)).splitlines()
    back = [json.loads(line) for line in lines]
    assert [b["record_id"] for b in back] == [r.record_id for r in found]
    for doc, record in zip(back, found, strict=True):
        # Receipts are named under the lookup id (the raw id would join partners' lists).
        assert all(a["receipt_id"].startswith(a["visitor_id"] + "-") for a in doc["allowed"])
        read = [
            [lookup.parse(SECRET, "demo", a["visitor_id"]), a["receipt_id"].rpartition("-")[2]]
            for a in doc["allowed"]
        ]
        assert read == [[vid, rid.rpartition("-")[2]] for vid, rid in record.allowed]
        assert {k: v for k, v in doc.items() if k != "allowed"} == records.present(record)


def test_received_provisions_api(app: Flask, client: FlaskClient, api_key) -> None:
    key = auth(api_key("provision"))
    body = {
        "provider": {
            "name": "株式会社提供元",
            "address": "東京都港区",
            "representative": "代表 一郎",
        },
        "items": ["購買履歴"],
        "person_id": "member-42",
        "consent_statement": "提供元が本人の同意を取得済みであることを確認",
        "received_at": "2026-05-01",
    }
    resp = client.post(RECEIVED, json=body, headers=key)
    assert resp.status_code == 201
    made = resp.get_json()
    assert made["provider"]["representative"] == "代表 一郎"
    # A bare day is a JST calendar day (cmp.jst): 2026-05-01 00:00 JST.
    assert made["received_at"] == "2026-04-30T15:00:00Z" and made["person_id"] == "member-42"
    listed = client.get(RECEIVED, headers=auth(api_key("read"))).get_json()
    assert listed["count"] == 1 and listed["records"][0] == made
    for broken in (
        {**body, "provider": {"name": "x"}},
        {**body, "items": []},
        {**body, "person_id": ""},
        {**body, "received_at": "soon"},
    ):
        assert client.post(RECEIVED, json=broken, headers=key).status_code == 422
    assert client.post(RECEIVED, json=body, headers=auth(api_key("read"))).status_code == 403


def test_purge_removes_only_what_is_past_retention(
    app: Flask, client: FlaskClient, api_key
) -> None:
    _two_checks(client, api_key)
    store = app.extensions["cmp.store"]
    app.config["PROVISION_RETENTION_DAYS"] = 1
    vid = decide(client, {"targeting": True}, {"dmp-partner": True})
    assert check(client, api_key("provision"), "dmp-partner", [vid]).status_code == 200
    short = store.query_provision_records("demo")[-1]
    assert clock.parse(short.retention_until) - clock.parse(short.created_at) == (
        clock.parse("2026-01-02T00:00:00Z") - clock.parse("2026-01-01T00:00:00Z")
    )
    assert store.purge_provision_records(clock.iso(clock.now())) == 0
    in_two_days = clock.iso(clock.add_days(clock.now(), 2))
    assert store.purge_provision_records(in_two_days) == 1
    left = store.query_provision_records("demo")
    assert len(left) == 2 and short.record_id not in {r.record_id for r in left}
    assert store.visitor_provision_records("demo", ids.verify(SECRET, vid)) == []
    assert store.purge_provision_records(in_two_days) == 0
