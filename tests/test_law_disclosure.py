"""Lawyer review of issue 11, findings 5 and 9: what a record and a disclosure to one person
say must be true when read. A period not begun yet is planned (never 「提供しました」); a
check that allowed no one confirmed no consent; a disclosure in English names the recipient
and the items in English."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from cmp import confirmation, jst, records
from cmp.seed import demo_recipients
from tests.test_provision import check, decide

RECORDS = "/api/v1/sites/demo/provision-records"


def _read(client: FlaskClient, key: str, vid: str, lang: str = "ja") -> list[dict]:
    headers = {"Authorization": f"Bearer {key}"}
    query = {"visitor_id": vid, "lang": lang}
    return client.get(RECORDS, query_string=query, headers=headers).get_json()["records"]


@pytest.mark.parametrize(
    ("first", "last", "today", "tense"),
    [
        ("2026-05-01", "2026-05-31", "2026-04-30", "planned"),
        ("2026-05-01", "2026-05-31", "2026-05-01", "ongoing"),
        ("2026-05-01", "2026-05-31", "2026-05-30", "ongoing"),
        ("2026-05-01", "2026-05-31", "2026-05-31", "past"),
        ("2026-05-01", "2026-05-01", "2026-05-01", "past"),
        ("2026-05-01", "2026-05-01", "2026-04-01", "planned"),
    ],
)
def test_tense_of_a_period(first: str, last: str, today: str, tense: str) -> None:
    assert records.tense(first, last, today) == tense


@pytest.mark.parametrize(
    ("today", "ja", "en"),
    [
        ("2026-04-01", "提供する予定です（まだ提供していません）", "plans to provide"),
        ("2026-05-10", "提供しています", "is providing"),
        ("2026-06-01", "提供しました", "provided your information"),
    ],
)
def test_disclosure_sentence_follows_the_period(today: str, ja: str, en: str) -> None:
    doc = {"recipient": {"name": "株式会社X"}, "items": ["閲覧履歴"]}
    doc.update(first_day="2026-05-01", last_day="2026-05-31")
    assert ja in records.for_person(doc, "ja", today)["summary"]
    assert en in records.for_person(doc, "en", today)["summary"]
    if ja != "提供しました":
        assert "提供しました" not in records.for_person(doc, "ja", today)["summary"]


def test_disclosure_of_a_period_not_yet_begun_is_planned(client: FlaskClient, api_key) -> None:
    vid = decide(client, {"targeting": True}, {"dmp-partner": True})
    first = jst.today() + timedelta(days=90)
    period = {"provided_from": first.isoformat()}
    period["provided_to"] = (first + timedelta(days=30)).isoformat()
    resp = check(client, api_key("provision"), "dmp-partner", [vid], **period)
    assert resp.get_json()["allowed_count"] == 1
    [shown] = _read(client, api_key("read"), vid)
    assert "提供しました" not in shown["summary"] and "予定" in shown["summary"], shown
    # The record itself says the check came before the planned provision.
    assert "提供前の確認（提供予定期間:" in shown["consent_confirmation"]


def test_record_with_nothing_allowed_does_not_state_consent_confirmed(
    app: Flask, client: FlaskClient, api_key
) -> None:
    vid = decide(client, {"targeting": True}, {"dmp-partner": False})
    resp = check(client, api_key("provision"), "dmp-partner", [vid])
    assert resp.get_json()["allowed_count"] == 0
    [record] = app.extensions["cmp.store"].query_provision_records("demo")
    assert "確認した" not in record.consent_confirmation
    assert record.consent_confirmation.startswith("提供なし")
    assert "代行" in record.consent_confirmation  # the method is still named


def test_a_record_that_allowed_someone_keeps_its_confirmation() -> None:
    analytics = demo_recipients()[0]
    text = confirmation.consent_text(analytics)
    assert confirmation.stated_consent(text, 1, "no_link") == text
    assert "提供なし" in confirmation.stated_consent(text, 0, "no_link")


def test_english_disclosure_names_the_recipient_and_items_in_english(
    client: FlaskClient, api_key
) -> None:
    vid = decide(client, {"analytics": True})
    resp = check(client, api_key("provision"), "analytics-co", [vid], items=["Cookie ID"])
    assert resp.status_code == 200
    [en] = _read(client, api_key("read"), vid, "en")
    assert "Analytics Co., Ltd." in en["summary"], en["summary"]
    assert "アナリティクス" not in en["summary"]
    [ja] = _read(client, api_key("read"), vid, "ja")
    assert "アナリティクス株式会社" in ja["summary"]


def test_english_disclosure_translates_japanese_items(client: FlaskClient, api_key) -> None:
    dmp = demo_recipients()[1]
    vid = decide(client, {"targeting": True}, {dmp.key: True})
    items = dmp.items["ja"][:2]
    assert check(client, api_key("provision"), dmp.key, [vid], items=items).status_code == 200
    [en] = _read(client, api_key("read"), vid, "en")
    assert all(item in en["summary"] for item in dmp.items["en"][:2]), en["summary"]
    assert dmp.name["en"] in en["summary"]
