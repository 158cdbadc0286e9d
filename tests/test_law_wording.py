"""Issue 11 gaps 7 and 9: the first layer says what 「同意する」 does, one glossary
(送信先 / 提供先) with plain words instead of 個人データ/紐付け, and joint use (共同利用)
shown on the notice page and in the banner config while Art. 31 is answered separately."""

from __future__ import annotations

from dataclasses import replace

import pytest
from flask import Flask
from flask.testing import FlaskClient

from cmp import glossary, joint_use
from cmp.public.notice import WORDS
from cmp.seed import demo_site
from cmp.texts import DEFAULT_TEXTS
from tests.test_admin_support import Console, sign_in
from tests.test_provision import check, decide, reasons

JOINT = {
    "users": ["株式会社デモホールディングス", "株式会社DMPパートナー"],
    "scope": {"ja": "当社の親会社及びその子会社", "en": "Our parent and its subsidiaries"},
    "items": {"ja": ["閲覧履歴", "Cookie ID"], "en": ["Browsing history", "Cookie ID"]},
    "purpose": {"ja": "グループ内での広告効果の分析", "en": "Ad analysis within the group"},
    "responsible": {
        "name": "株式会社デモホールディングス",
        "address": "東京都港区芝公園一丁目1番1号",
        "representative": "代表取締役 鈴木一郎",
    },
}


@pytest.mark.parametrize("lang", ["ja"])
def test_visitor_texts_use_plain_words(lang: str) -> None:
    visible = [*DEFAULT_TEXTS[lang].values(), *WORDS[lang].values()]
    for text in visible:
        for word in glossary.JARGON:
            assert word not in text, (word, text)


def test_first_layer_says_accept_covers_every_recipient() -> None:
    body = DEFAULT_TEXTS["ja"]["body"]
    assert "「同意する」を押すと、一覧のすべての送信先" in body and "提供先" in body
    assert (
        "最初の画面で「同意する」を押した場合は、これらすべての提供先"
        in (DEFAULT_TEXTS["ja"]["linking_body"])
    )
    assert "Accept' agrees to every" in DEFAULT_TEXTS["en"]["body"]


def test_first_layer_promises_only_the_choices_settings_offer(client: FlaskClient) -> None:
    # Lawyer review finding 7: settings switch categories, and 提供先 one by one (their
    # linking consent); there is no switch per 送信先.
    from cmp.admin.messages import MESSAGES

    ja = client.get("/api/v1/sites/demo/config?lang=ja").get_json()["texts"]["body"]
    en = client.get("/api/v1/sites/demo/config?lang=en").get_json()["texts"]["body"]
    assert "送信先ごとに選ぶ" not in ja and "choose per recipient" not in en
    assert "カテゴリごとに、提供先については事業者ごとに選べます" in ja
    assert "per category" in en and "recipients that combine data" in en
    hint_ja, hint_en = MESSAGES["links_personal_data_hint"]
    assert "送信先ごと" not in hint_ja and "提供先ごと" in hint_ja
    assert "per recipient" not in hint_en


def test_one_glossary_for_banner_notice_and_console() -> None:
    from cmp.admin.messages import MESSAGES

    sent, provided = glossary.term("sent_to", "ja"), glossary.term("provided_to", "ja")
    assert DEFAULT_TEXTS["ja"]["recipients_label"] == sent
    assert WORDS["ja"]["recipient"].startswith(sent)
    assert DEFAULT_TEXTS["ja"]["measures_label"].startswith(provided)
    assert WORDS["ja"]["measures"].startswith(provided)
    assert MESSAGES["who_receives"][0] == sent


def test_glossary_on_the_notice_page_with_publication_day(client: FlaskClient) -> None:
    page = client.get("/sites/demo/external-transmission").text
    assert "このページの言葉" in page and "提供先" in page and "送信先" in page
    assert "公表日 " in page


def test_joint_use_problems() -> None:
    assert joint_use.problems({}) == []
    assert joint_use.problems(JOINT) == []
    vague = {**JOINT, "items": {"ja": ["閲覧履歴等"]}}
    assert joint_use.problems(vague) == ["items"]
    partial = {**JOINT, "responsible": {"name": "x"}}
    assert joint_use.problems(partial) == ["responsible_address", "responsible_representative"]
    assert joint_use.view(replace(demo_site(), joint_use=partial), "ja") is None


def test_joint_use_shown_and_art31_answered_separately(
    app: Flask, client: FlaskClient, api_key
) -> None:
    store = app.extensions["cmp.store"]
    site = store.get_site("demo")
    site.joint_use = JOINT
    store.put_site(site)
    store.put_recipients(
        "demo",
        [replace(r, joint_user=r.key == "dmp-partner") for r in store.get_recipients("demo")],
    )
    page = client.get("/sites/demo/external-transmission").text
    assert "共同利用について" in page and "東京都港区芝公園一丁目1番1号" in page
    assert "代表取締役 鈴木一郎" in page and "下記の共同利用の共同利用者" in page
    config = client.get("/api/v1/sites/demo/config").get_json()
    assert config["joint_use"]["responsible"]["name"] == "株式会社デモホールディングス"
    # A joint user that links still needs Art. 31 consent by name.
    named = decide(client, {"targeting": True}, {"dmp-partner": True})
    unnamed = decide(client, {"targeting": True}, {})
    resp = check(client, api_key("provision"), "dmp-partner", [named, unnamed])
    assert reasons(resp) == {named: None, unnamed: "recipient_not_consented"}
    [record] = store.query_provision_records("demo")
    assert "共同利用の例外がないため、法第31条の同意を確認した" in record.consent_confirmation


def test_joint_use_editor(app: Flask) -> None:
    console: Console = sign_in(app, "admin")
    body = {
        "enabled": "y",
        "users": "\n".join(JOINT["users"]),
        "scope_ja": JOINT["scope"]["ja"],
        "scope_en": JOINT["scope"]["en"],
        "items_ja": "閲覧履歴\nCookie ID",
        "items_en": "Browsing history\nCookie ID",
        "purpose_ja": JOINT["purpose"]["ja"],
        "purpose_en": JOINT["purpose"]["en"],
        "responsible_name": JOINT["responsible"]["name"],
        "responsible_address": JOINT["responsible"]["address"],
        "responsible_representative": JOINT["responsible"]["representative"],
        "publish": "y",  # a change of joint use goes live with a new version
    }
    assert console.post("/admin/sites/demo/joint-use", body).status_code == 303
    assert app.extensions["cmp.store"].get_site("demo").joint_use == JOINT
    bad = {**body, "items_ja": "閲覧履歴ほか\nCookie ID"}
    assert console.post("/admin/sites/demo/joint-use", bad).status_code == 422
    assert console.get("/admin/sites/demo/joint-use").status_code == 200
