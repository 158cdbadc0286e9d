"""Issue 11 gaps 3 and 4: the Art. 28 routes of a recipient abroad and the Rule 26(1)
declaration, as pure rules and through the provision-check API on every backend. Records
state which rule applied, truthfully."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from cmp import clock, confirmation, foreign, jst
from cmp.model import Recipient, TransferCheck
from cmp.seed import demo_recipients
from cmp.siteconfig import publish_policy
from tests.test_provision import check, decide, reasons

DMP = demo_recipients()[1]
GERMANY = {"ja": "ドイツ", "en": "Germany"}


def _with(store, key: str, **changes) -> None:
    """Change one demo recipient and publish it as a new version."""
    updated = [replace(r, **changes) if r.key == key else r for r in store.get_recipients("demo")]
    store.put_recipients("demo", updated)
    publish_policy(store, "demo", "law test", bump=True)


def _check(store, key: str, day: date, result: str = "ok", subjects=None) -> None:
    store.append_transfer_check(
        TransferCheck(
            site="demo",
            recipient=key,
            checked_on=day.isoformat(),
            checked=list(subjects or foreign.CHECK_SUBJECTS),
            result=result,
            note="契約の履行状況と現地法令を確認",
            created_at=clock.iso(clock.now()),
        )
    )


# -- pure rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "route"),
    [
        ({}, foreign.DOMESTIC),
        ({"country": {}}, foreign.UNDETERMINED),
        ({"country": {"ja": "日本", "en": ""}}, foreign.DOMESTIC),
        ({"foreign_route": "equivalent", "country_code": "DE", "country": GERMANY}, "equivalent"),
        ({"foreign_route": "equivalent", "country_code": "US"}, foreign.UNDETERMINED),
        ({"foreign_route": "system", "system_basis": "cbpr", "country": GERMANY}, "system"),
        (
            {"foreign_route": "system", "system_basis": "trust me", "country": GERMANY},
            "undetermined",
        ),
        ({"foreign": {"system": {"ja": "x"}, "measures": {"ja": "y"}}}, foreign.CONSENT),
        ({"country": GERMANY}, foreign.UNDETERMINED),
    ],
)
def test_route_table(changes: dict, route: str) -> None:
    recipient = replace(DMP, **changes)
    assert foreign.route(recipient) == route
    assert foreign.route(recipient.to_dict()) == route


def test_equivalent_countries_are_the_eea_and_the_uk() -> None:
    assert len(foreign.EQUIVALENT_COUNTRIES) == 31
    assert {"DE", "FR", "IS", "LI", "NO", "GB"} <= set(foreign.EQUIVALENT_COUNTRIES)
    assert not {"US", "CH", "CN", "JP"} & set(foreign.EQUIVALENT_COUNTRIES)


@given(st.sampled_from(["ドイツ", "アメリカ合衆国", "Germany", "中国", "シンガポール"]))
def test_a_record_never_says_not_abroad_beside_a_foreign_country(country: str) -> None:
    for changes in (
        {},
        {"foreign_route": "equivalent", "country_code": "DE"},
        {"foreign_route": "system", "system_basis": "contract"},
    ):
        recipient = replace(DMP, country={"ja": country}, **changes)
        text = confirmation.foreign_text(recipient)
        assert "外国にある第三者ではない" not in text and "該当なし" not in text, text


def test_check_status() -> None:
    today = date(2026, 6, 1)

    def made(day: date, result: str = "ok", subjects=foreign.CHECK_SUBJECTS) -> TransferCheck:
        return TransferCheck("demo", "x", day.isoformat(), list(subjects), result)

    assert foreign.check_status([], today)[:2] == (False, "never_checked")
    only_impl = [made(today, subjects=["implementation"])]
    assert foreign.check_status(only_impl, today)[:2] == (False, "never_checked")
    assert foreign.check_status([made(today - timedelta(days=365))], today)[:2] == (True, "")
    old = [made(today - timedelta(days=366))]
    assert foreign.check_status(old, today)[:2] == (False, "check_overdue")
    failed = [made(today - timedelta(days=30)), made(today, "failed")]
    assert foreign.check_status(failed, today)[:2] == (False, "check_failed")


@pytest.mark.parametrize("country", [{}, {"ja": ""}, {"ja": " ", "en": ""}])
def test_a_recipient_without_a_country_is_never_recorded_as_in_japan(country: dict) -> None:
    # Lawyer review finding 3: an empty country is unknown, not Japan.
    for links in (True, False):
        unknown = replace(DMP, country=country, links_personal_data=links)
        assert foreign.route(unknown) == foreign.UNDETERMINED
        text = confirmation.foreign_text(unknown)
        assert "日本国内にある" not in text and "in Japan)" not in text, text
        assert "所在国の登録なし（不明）" in text and "Country not entered" in text


@pytest.mark.parametrize(
    ("result", "ja", "en"), [("ok", "適合", "ok"), ("failed", "不適合", "failed")]
)
def test_the_periodic_check_result_is_the_checks_own(result: str, ja: str, en: str) -> None:
    system = replace(DMP, country=GERMANY, foreign_route="system", system_basis="contract")
    last = TransferCheck("demo", DMP.key, "2026-05-01", list(foreign.CHECK_SUBJECTS), result)
    text = confirmation.foreign_text(system, last)
    assert f"2026-05-01、結果: {ja}。" in text and f"2026-05-01, {en}." in text


def test_a_linking_recipient_without_a_country_is_refused(
    app: Flask, client: FlaskClient, api_key
) -> None:
    _with(app.extensions["cmp.store"], DMP.key, country={})
    vid = decide(client, {"targeting": True}, {DMP.key: True}, policy_version=2)
    resp = check(client, api_key("provision"), DMP.key, [vid])
    assert resp.status_code == 422
    problem = resp.get_json()
    assert problem["code"] == "foreign_route_missing" and "no country" in problem["detail"]


def test_no_link_reason_is_stated_not_fixed() -> None:
    analytics = demo_recipients()[0]
    stated = confirmation.consent_text(replace(analytics, no_link_basis="contract"))
    assert "契約で" in stated and "紐付けることを禁止" in stated
    other = replace(analytics, no_link_basis="other", no_link_note={"ja": "ハッシュ化のみ受領"})
    assert "ハッシュ化のみ受領" in confirmation.consent_text(other)
    # Lawyer review finding 4: without a stated reason, never "consent not required".
    for bare in (replace(analytics, no_link_basis=""), replace(other, no_link_note={})):
        text = confirmation.consent_text(bare)
        assert "同意は不要" not in text and "根拠の登録なし" not in text, text
        assert confirmation.no_link_reason_missing(bare)
    assert not confirmation.no_link_reason_missing(other)


def test_a_check_for_a_recipient_without_a_no_link_reason_is_refused(
    app: Flask, client: FlaskClient, api_key
) -> None:
    store = app.extensions["cmp.store"]
    _with(store, "analytics-co", no_link_basis="")
    vid = decide(client, {"analytics": True}, policy_version=2)
    resp = check(client, api_key("provision"), "analytics-co", [vid], items=["Cookie ID"])
    assert resp.status_code == 422
    assert resp.get_json()["code"] == "no_link_reason_missing"
    assert store.query_provision_records("demo") == []


# -- through the API ------------------------------------------------------------------------


def test_equivalent_country_is_recorded_as_such(app: Flask, client: FlaskClient, api_key) -> None:
    store = app.extensions["cmp.store"]
    _with(store, "dmp-partner", foreign_route="equivalent", country_code="DE", country=GERMANY)
    vid = decide(client, {"targeting": True}, {"dmp-partner": True}, policy_version=2)
    resp = check(client, api_key("provision"), "dmp-partner", [vid])
    assert resp.status_code == 200 and reasons(resp) == {vid: None}
    [record] = store.query_provision_records("demo")
    assert "ドイツ" in record.foreign_info_confirmation
    assert "規則第15条" in record.foreign_info_confirmation
    assert "該当なし" not in record.foreign_info_confirmation
    assert record.recipient["foreign_route"] == "equivalent"
    assert record.recipient["country"] == "ドイツ"


def test_foreign_country_without_a_route_is_refused(
    app: Flask, client: FlaskClient, api_key
) -> None:
    store = app.extensions["cmp.store"]
    _with(store, "dmp-partner", country=GERMANY)
    vid = decide(client, {"targeting": True}, {"dmp-partner": True}, policy_version=2)
    resp = check(client, api_key("provision"), "dmp-partner", [vid])
    assert resp.status_code == 422 and resp.get_json()["code"] == "foreign_route_missing"
    assert store.query_provision_records("demo") == []


def test_system_route_needs_current_periodic_checks(
    app: Flask, client: FlaskClient, api_key
) -> None:
    store = app.extensions["cmp.store"]
    _with(store, "dmp-partner", foreign_route="system", system_basis="bcr", country=GERMANY)
    vid = decide(client, {"targeting": True}, {"dmp-partner": True}, policy_version=2)
    key = api_key("provision")
    first = check(client, key, "dmp-partner", [vid])
    assert first.status_code == 422 and first.get_json()["code"] == "transfer_check_due"
    assert first.get_json()["reason"] == "never_checked"
    today = jst.today()
    _check(store, "dmp-partner", today - timedelta(days=400))
    assert check(client, key, "dmp-partner", [vid]).get_json()["reason"] == "check_overdue"
    _check(store, "dmp-partner", today - timedelta(days=3))
    resp = check(client, key, "dmp-partner", [vid])
    assert resp.status_code == 200 and reasons(resp) == {vid: None}
    [record] = store.query_provision_records("demo")
    text = record.foreign_info_confirmation
    assert "基準適合体制" in text and (today - timedelta(days=3)).isoformat() in text
    assert record.recipient["foreign_route"] == "system"
    _check(store, "dmp-partner", today, result="failed")
    assert check(client, key, "dmp-partner", [vid]).get_json()["reason"] == "check_failed"


def test_declaration_confirms_consent_the_recipient_obtained(
    app: Flask, client: FlaskClient, api_key
) -> None:
    store = app.extensions["cmp.store"]
    pledge = {"document": "データ提供契約書 第12条（同意取得の誓約）", "date": "2026-04-01"}
    _with(store, "dmp-partner", consent_method="declaration", declaration=pledge)
    # The visitor allowed the category; the platform obtained the linking consent itself.
    vid = decide(client, {"targeting": True}, {"dmp-partner": False}, policy_version=2)
    refused = decide(client, {"analytics": True}, {}, policy_version=2)
    resp = check(client, api_key("provision"), "dmp-partner", [vid, refused])
    assert reasons(resp) == {vid: None, refused: "no_consent"}
    [record] = store.query_provision_records("demo")
    assert "規則第26条第1項" in record.consent_confirmation
    assert pledge["document"] in record.consent_confirmation and "2026-04-01" in (
        record.consent_confirmation
    )
    assert "代行" not in record.consent_confirmation
    assert record.recipient["consent_method"] == "declaration"
    assert record.recipient["declaration"] == pledge


def test_own_check_is_still_the_default(app: Flask, client: FlaskClient, api_key) -> None:
    vid = decide(client, {"targeting": True}, {"dmp-partner": False})
    resp = check(client, api_key("provision"), "dmp-partner", [vid])
    assert reasons(resp) == {vid: "recipient_not_consented"}
    [record] = app.extensions["cmp.store"].query_provision_records("demo")
    assert "代行" in record.consent_confirmation
    assert record.recipient["consent_method"] == "proxy"


def test_non_linking_record_states_the_registered_reason(
    app: Flask, client: FlaskClient, api_key
) -> None:
    store = app.extensions["cmp.store"]
    _with(store, "analytics-co", no_link_basis="statistics")
    vid = decide(client, {"analytics": True}, {}, policy_version=2)
    items = ["Cookie ID"]
    resp = check(client, api_key("provision"), "analytics-co", [vid], items=items)
    assert reasons(resp) == {vid: None}
    [record] = store.query_provision_records("demo")
    assert "統計の作成にのみ用い" in record.consent_confirmation


def test_recipient_type_is_still_a_plain_dataclass() -> None:
    assert Recipient.from_dict(DMP.to_dict()) == DMP
