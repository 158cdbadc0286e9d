"""Second lawyer review of issue 11: a record names its kind truthfully. A check for a
recipient that does not link (Art. 31 does not apply, and the record itself says so) was
labelled 「個人関連情報の提供（法第31条・確認記録）」, the kind of record Rule 28 requires only
where Art. 31 applies."""

from __future__ import annotations

from flask.testing import FlaskClient

from cmp import records
from tests.test_provision import check, decide


def test_review2_a_non_linking_record_is_not_called_an_art31_record(
    client: FlaskClient, api_key
) -> None:
    vid = decide(client, {"analytics": True, "targeting": True}, {"dmp-partner": True})
    key = api_key("provision", "read")
    assert check(client, key, "analytics-co", [vid], items=["Cookie ID"]).status_code == 200
    assert check(client, key, "dmp-partner", [vid]).status_code == 200
    headers = {"Authorization": f"Bearer {key}"}
    for lang in ("ja", "en"):
        url = f"/api/v1/sites/demo/provision-records?format=csv&lang={lang}"
        rows = records.parse_csv(client.get(url, headers=headers).get_data(as_text=True))
        kinds = {row["recipient_key"]: row["kind"] for row in rows}
        if lang == "ja":
            assert "法第31条・確認記録" in kinds["dmp-partner"]
            assert "法第31条の適用なし" in kinds["analytics-co"]
        else:
            assert kinds["dmp-partner"] == "PRI provision (Art. 31)"
            assert "Art. 31 not applicable" in kinds["analytics-co"]
