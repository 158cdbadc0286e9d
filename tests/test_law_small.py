"""Issue 11 gap 10: the CLI's CSV starts with a BOM; a disclosure to one person shows only
what concerns that person, in plain words; Rule 17(2) fields carry the guideline's points."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from cmp import ids, lookup, records
from cmp.admin.messages import MESSAGES
from tests.test_cli import run
from tests.test_provision import SECRET, check, decide
from tests.test_records_cli import env  # noqa: F401 - the fixture


def test_cli_csv_starts_with_a_bom(env: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "records.csv"
    assert run(env, "export-records", "--site", "demo", "-o", str(out)).returncode == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    jsonl = tmp_path / "records.jsonl"
    assert run(env, "export-records", "--site", "demo", "--format", "jsonl", "-o", str(jsonl))
    assert not jsonl.read_bytes().startswith(b"\xef\xbb\xbf")


def test_disclosure_shows_only_what_concerns_the_person(
    app: Flask, client: FlaskClient, api_key
) -> None:
    mine = decide(client, {"targeting": True}, {"dmp-partner": True})
    other = decide(client, {"targeting": True}, {"dmp-partner": True})
    check(client, api_key("provision"), "dmp-partner", [mine, other])
    read = {"Authorization": f"Bearer {api_key('read')}"}
    url = "/api/v1/sites/demo/provision-records"
    [doc] = client.get(url, query_string={"visitor_id": mine}, headers=read).get_json()["records"]
    assert not {"allowed_count", "denied_count", "created_by"} & set(doc)
    # Only this person's own id, as the recipient's lookup-only id (never the signed one).
    mine_lk = lookup.make(SECRET, "demo", "dmp-partner", ids.verify(SECRET, mine))
    assert [a["visitor_id"] for a in doc["allowed"]] == [mine_lk]
    assert "株式会社DMPパートナー" in doc["summary"] and "（日本時間）" in doc["summary"]
    en = client.get(url, query_string={"visitor_id": mine, "lang": "en"}, headers=read)
    assert "Japan time" in en.get_json()["records"][0]["summary"]
    csv = client.get(url, query_string={"visitor_id": mine, "format": "csv"}, headers=read)
    header = csv.get_data(as_text=True).splitlines()[0]
    assert "提供した件数" not in header and "確認を行ったAPIキー" not in header
    assert records.PERSON_COLUMNS[-1][0] == "receipt_id"


def test_rule_17_2_fields_carry_the_guideline_points() -> None:
    assert "OECDプライバシーガイドライン8原則" in MESSAGES["foreign_system_hint"][0]
    assert "政府による情報収集" in MESSAGES["foreign_system_hint"][0]
    assert "講じていない" in MESSAGES["foreign_measures_hint"][0]
