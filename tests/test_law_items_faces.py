"""Issue 11 gap 1 through the faces: the recipient editor and the received-provision API
refuse vague items with the one rule of cmp/items.py."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.test_admin_recipients import NEW
from tests.test_admin_support import Console, errors_of, sign_in

RECEIVED = "/api/v1/sites/demo/received-provisions"
BODY = {
    "provider": {"name": "株式会社提供元", "address": "東京都港区", "representative": "代表 一郎"},
    "items": ["購買履歴"],
    "person_id": "member-42",
    "consent_statement": "提供元が本人の同意を取得済みであることを申告により確認",
}


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.mark.parametrize(
    ("ja", "en"),
    [
        ("当社が保有する全ての情報", "Everything we keep"),
        ("閲覧履歴ほか", "Browsing history and more"),
        ("各種行動履歴", "Various behaviour logs"),
        ("閲覧履歴ｅｔｃ．", "Browsing history"),
    ],
)
def test_recipient_editor_refuses_vague_items(app: Flask, ja: str, en: str) -> None:
    console: Console = sign_in(app, "admin")
    resp = console.post("/admin/sites/demo/recipients/new", {**NEW, "items_ja": ja, "items_en": en})
    assert resp.status_code == 422
    assert "具体的ではありません" in errors_of(resp.text, "items_ja")


def test_recipient_editor_accepts_high_school(app: Flask) -> None:
    console: Console = sign_in(app, "admin")
    body = {**NEW, "items_ja": "最終学歴（高等学校）", "items_en": "Last school (high school)"}
    assert console.post("/admin/sites/demo/recipients/new", body).status_code == 303


@pytest.mark.parametrize(
    "item",
    ["一切の情報", "閲覧履歴他", "関連する情報", "etc.", "閲覧履歴を含む情報", "info we hold"],
)
def test_received_provision_refuses_vague_items(client: FlaskClient, api_key, item: str) -> None:
    resp = client.post(
        RECEIVED, json={**BODY, "items": ["購買履歴", item]}, headers=_auth(api_key("provision"))
    )
    assert resp.status_code == 422
    problem = resp.get_json()
    assert problem["code"] == "vague_item" and problem["items"] == [item]


def test_received_provision_takes_specific_items(client: FlaskClient, api_key) -> None:
    resp = client.post(
        RECEIVED, json={**BODY, "items": ["高等学校名"]}, headers=_auth(api_key("provision"))
    )
    assert resp.status_code == 201
