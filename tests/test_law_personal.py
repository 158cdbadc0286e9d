"""Issue 11 gap 2: a hashed e-mail is personal data. Provision by it needs the recipient
registered for personal data and the person's own consent to that recipient by name; it
is never allowed from cookie consent, and it writes its own (Art. 29) record."""

from __future__ import annotations

from dataclasses import replace

import pytest
from flask import Flask
from flask.testing import FlaskClient

from cmp import personal
from cmp.siteconfig import publish_policy
from tests.test_provision import decide

URL = "/api/v1/sites/demo/provision-checks"
HASH = "ab" * 32


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _link(client: FlaskClient, key: str, vid: str, value: str) -> None:
    body = {"visitor_id": vid, "aliases": [{"type": "email_sha256", "value": value}]}
    resp = client.post("/api/v1/sites/demo/aliases", json=body, headers=_auth(key))
    assert resp.status_code == 201, resp.get_json()


def _by_email(client: FlaskClient, key: str, values: list[str], **extra):
    body = {
        "recipient": "dmp-partner",
        "items": ["閲覧履歴"],
        "identifiers": [{"type": "email_sha256", "value": v} for v in values],
        **extra,
    }
    return client.post(URL, json=body, headers=_auth(key))


@pytest.mark.parametrize(
    ("types", "kind"),
    [
        ([], "pri"),
        (["cookie:_ga"], "pri"),
        (["idfa", "aaid"], "pri"),
        (["email_sha256"], "personal_data"),
        (["email_sha256", "cookie:_ga"], None),
    ],
)
def test_kind_of(types: list[str], kind: str | None) -> None:
    assert personal.kind_of([(t, "v") for t in types]) == kind


def test_cookie_consent_never_allows_a_hashed_email(
    app: Flask, client: FlaskClient, api_key
) -> None:
    vid = decide(client, {"targeting": True}, {"dmp-partner": True, "ad-global": True})
    _link(client, api_key("write"), vid, HASH)
    resp = _by_email(client, api_key("provision"), [HASH])
    assert resp.status_code == 422 and resp.get_json()["code"] == "personal_data_not_registered"
    assert app.extensions["cmp.store"].query_provision_records("demo") == []


def test_mixed_identifiers_are_refused(client: FlaskClient, api_key) -> None:
    body = {
        "recipient": "dmp-partner",
        "items": ["閲覧履歴"],
        "identifiers": [
            {"type": "email_sha256", "value": HASH},
            {"type": "cookie:_ga", "value": "GA1.1.1.1"},
        ],
    }
    resp = client.post(URL, json=body, headers=_auth(api_key("provision")))
    assert resp.status_code == 422 and resp.get_json()["code"] == "mixed_identifier_kinds"


def test_personal_data_route_needs_its_own_consent_and_writes_its_own_record(
    app: Flask, client: FlaskClient, api_key
) -> None:
    store = app.extensions["cmp.store"]
    before = decide(client, {"targeting": True}, {"dmp-partner": True})
    updated = [
        replace(r, receives_personal_data=True) if r.key == "dmp-partner" else r
        for r in store.get_recipients("demo")
    ]
    store.put_recipients("demo", updated)
    publish_policy(store, "demo", "hashed e-mail", bump=True)
    named = decide(client, {"targeting": True}, {"dmp-partner": True}, policy_version=2)
    category_only = decide(client, {"targeting": True}, {}, policy_version=2)
    write = api_key("write")
    values = {before: "01" * 32, named: "02" * 32, category_only: "03" * 32}
    for vid, value in values.items():
        _link(client, write, vid, value)
    resp = _by_email(client, api_key("provision"), list(values.values()))
    assert resp.status_code == 200
    data = resp.get_json()
    assert data["allowed"] == [{"type": "email_sha256", "value": values[named]}]
    assert {d["value"]: d["reason"] for d in data["denied"]} == {
        values[before]: "outdated",
        values[category_only]: "recipient_not_consented",
    }
    [record] = store.query_provision_records("demo")
    assert record.kind == "personal_data"
    assert record.identified == [["email_sha256", values[named]]]
    assert "法第27条第1項" in record.consent_confirmation
    # Rule 20: the record's items name the personal data handed over (lawyer review 2).
    assert record.items == ["閲覧履歴", personal.LABELS["email_sha256"]["ja"]]
    # The banner names it and asks by name: its first layer lists the recipients whose
    # links_personal_data is set, and their items say the hashed e-mail is handed over.
    for lang in ("ja", "en"):
        config = client.get(f"/api/v1/sites/demo/config?lang={lang}").get_json()
        dmp = next(r for r in config["recipients"] if r["key"] == "dmp-partner")
        assert dmp["receives_personal_data"] and dmp["links_personal_data"]
        assert dmp["items"][-1] == personal.LABELS["email_sha256"][lang]
    notice = client.get("/sites/demo/external-transmission").get_data(as_text=True)
    assert personal.LABELS["email_sha256"]["ja"] in notice


def test_an_item_naming_the_email_is_not_added_twice() -> None:
    listed = ["閲覧履歴", "メールアドレス（ハッシュ化）"]
    assert personal.with_personal_items(listed, "ja", ["email_sha256"]) == listed
    assert personal.with_personal_items(["Pages"], "en", ["cookie:_ga"]) == ["Pages"]
