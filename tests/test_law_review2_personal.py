"""Second lawyer review of issue 11, findings on the personal-data route (a hashed e-mail,
APPI Art. 27-29; LAW.md §6).

- A recipient registered with a Rule 26(1) declaration for its PRI was, on the personal-data
  route, recorded as if *it* had declared that the Rule 17(2) information was given: on this
  route only the person's consent on cmp's own screen counts, so the record must say the
  information was shown there.
- A recipient receiving personal data under a declaration, or one that does not link PRI,
  could never be provided its hashed e-mails: every person was denied as ``outdated``
  although they had consented to it by name under the current version.
- The CSV export of an Art. 29 record did not carry the identifiers of the people provided
  (Rule 20(1): 本人を特定するに足りる事項) and headed its items 「個人関連情報の項目」.
"""

from __future__ import annotations

from dataclasses import replace

from flask import Flask
from flask.testing import FlaskClient

from cmp import records
from cmp.siteconfig import publish_policy
from tests.test_provision import decide

URL = "/api/v1/sites/demo/provision-checks"
HASH = "cd" * 32
PLEDGE = {"document": "誓約書 AG-2026", "date": "2026-01-15"}


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _register(app: Flask, key: str, **changes) -> None:
    store = app.extensions["cmp.store"]
    updated = [
        replace(r, receives_personal_data=True, **changes) if r.key == key else r
        for r in store.get_recipients("demo")
    ]
    store.put_recipients("demo", updated)
    publish_policy(store, "demo", "hashed e-mail", bump=True)


def _consented_by_email(client: FlaskClient, api_key, category: str, key: str) -> None:
    vid = decide(client, {category: True}, {key: True}, policy_version=2)
    body = {"visitor_id": vid, "aliases": [{"type": "email_sha256", "value": HASH}]}
    resp = client.post("/api/v1/sites/demo/aliases", json=body, headers=_auth(api_key("write")))
    assert resp.status_code == 201, resp.get_json()


def _check(client: FlaskClient, api_key, key: str, item: str):
    body = {
        "recipient": key,
        "items": [item],
        "identifiers": [{"type": "email_sha256", "value": HASH}],
    }
    return client.post(URL, json=body, headers=_auth(api_key("provision")))


def test_review2_personal_data_abroad_is_recorded_as_shown_on_our_screen(
    app: Flask, client: FlaskClient, api_key
) -> None:
    _register(app, "ad-global", consent_method="declaration", declaration=PLEDGE)
    _consented_by_email(client, api_key, "targeting", "ad-global")
    resp = _check(client, api_key, "ad-global", "閲覧履歴")
    assert resp.status_code == 200
    assert resp.get_json()["allowed_count"] == 1, resp.get_json()
    [record] = app.extensions["cmp.store"].query_provision_records("demo")
    assert record.kind == "personal_data"
    assert "申告" not in record.foreign_info_confirmation
    assert "declared" not in record.foreign_info_confirmation
    assert "表示した" in record.foreign_info_confirmation


def test_review2_a_non_linking_recipient_of_personal_data_can_be_provided(
    app: Flask, client: FlaskClient, api_key
) -> None:
    _register(app, "analytics-co")
    _consented_by_email(client, api_key, "analytics", "analytics-co")
    resp = _check(client, api_key, "analytics-co", "Cookie ID")
    assert resp.status_code == 200
    data = resp.get_json()
    assert data["allowed_count"] == 1, data


def test_review2_art29_csv_names_the_people_and_its_items_truthfully(
    app: Flask, client: FlaskClient, api_key
) -> None:
    _register(app, "dmp-partner")
    _consented_by_email(client, api_key, "targeting", "dmp-partner")
    assert _check(client, api_key, "dmp-partner", "閲覧履歴").get_json()["allowed_count"] == 1
    for lang in ("ja", "en"):
        resp = client.get(
            f"/api/v1/sites/demo/provision-records?format=csv&lang={lang}",
            headers=_auth(api_key("read")),
        )
        text = resp.get_data(as_text=True)
        header = text.removeprefix("\ufeff").splitlines()[0]
        assert "個人関連情報の項目" not in header
        [row] = records.parse_csv(text)
        assert HASH in row["identified"]
        assert "SHA-256" in row["items"]


def test_review2_a_disclosure_never_shows_other_peoples_hashed_emails(
    app: Flask, client: FlaskClient, api_key
) -> None:
    # Art. 33(5): the person sees the records about them, not the other people's e-mails.
    _register(app, "dmp-partner")
    _consented_by_email(client, api_key, "targeting", "dmp-partner")
    other = decide(client, {"targeting": True}, {"dmp-partner": True}, policy_version=2)
    body = {"visitor_id": other, "aliases": [{"type": "email_sha256", "value": "ef" * 32}]}
    assert client.post("/api/v1/sites/demo/aliases", json=body, headers=_auth(api_key("write")))
    check = {
        "recipient": "dmp-partner",
        "items": ["閲覧履歴"],
        "identifiers": [{"type": "email_sha256", "value": v} for v in (HASH, "ef" * 32)],
    }
    resp = client.post(URL, json=check, headers=_auth(api_key("provision")))
    assert resp.get_json()["allowed_count"] == 2
    read = _auth(api_key("read"))
    for fmt in ("json", "csv"):
        query = {"visitor_id": other, "format": fmt}
        shown = client.get("/api/v1/sites/demo/provision-records", query_string=query, headers=read)
        assert shown.status_code == 200
        assert HASH not in shown.get_data(as_text=True), fmt
