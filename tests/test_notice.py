"""The external-transmission notice (利用者情報の外部送信について,
Telecommunications Business Act Art. 27-12)."""

from __future__ import annotations

import html
import re

from flask import Flask

from cmp.model import Recipient


def sections(page: str) -> dict[str, str]:
    """Each recipient's section of the page, by recipient key."""
    found = re.findall(r'<section class="recipient" id="r-([a-z0-9-]+)"(.*?)</section>', page, re.S)
    return dict(found)


def field(section: str, cls: str) -> str:
    """The unescaped text of the ``<dd class=cls>`` in a section."""
    found = re.search(rf'<dd class="{cls}">(.*?)</dd>', section, re.S)
    assert found, cls
    return html.unescape(found.group(1)).strip()


def test_every_recipient_with_its_three_required_items(app: Flask, client) -> None:
    recipients = app.extensions["cmp.store"].get_recipients("demo")
    for lang in ("ja", "en"):
        resp = client.get(f"/sites/demo/external-transmission?lang={lang}")
        assert resp.status_code == 200
        assert resp.headers["Content-Language"] == lang
        found = sections(resp.text)
        assert list(found) == [r.key for r in recipients]
        for recipient in recipients:
            part = found[recipient.key]
            items = [html.unescape(i) for i in re.findall(r"<li>(.*?)</li>", part)]
            assert items == recipient.items[lang]  # 1. the information, item by item
            assert (
                "<dt>送信される情報</dt>" if lang == "ja" else "<dt>Information sent</dt>"
            ) in part
            assert field(part, "recipient-name") == recipient.name[lang]  # 2. who receives it
            assert field(part, "service-name") == recipient.service[lang]
            assert field(part, "purpose") == recipient.purpose[lang]  # 3. both purposes
            assert field(part, "recipient-purpose") == recipient.recipient_purpose[lang]
            assert f'href="{recipient.policy_url}"' in part
            assert f'href="{recipient.opt_out_url}"' in part


def test_japanese_by_default(client) -> None:
    page = client.get("/sites/demo/external-transmission").text
    assert '<html lang="ja">' in page
    assert "<h1>利用者情報の外部送信について</h1>" in page
    assert "電気通信事業法第27条の12" in page
    assert "オプトアウト（送信の停止）の方法" in page
    assert "それ以降の" in page  # opting out stops provision from then on
    assert 'href="https://example.jp/privacy"' in page
    assert 'href="/sites/demo/external-transmission?lang=en"' in page
    english = client.get("/sites/demo/external-transmission?lang=en").text
    assert "External transmission of user information" in english
    assert (
        client.get("/sites/demo/external-transmission?lang=fr").headers["Content-Language"] == "ja"
    )


def test_foreign_recipient_shows_country_system_and_measures(client) -> None:
    part = sections(client.get("/sites/demo/external-transmission").text)["ad-global"]
    assert "アメリカ合衆国" in part
    assert "当該国の個人情報保護制度" in part and "カリフォルニア州消費者プライバシー法" in part
    # Art. 31 terms: 提供先 (glossary), plain words instead of 個人データ/紐付け (issue 11).
    assert "提供先が講ずる措置" in part and "OECD" in part
    assert "あなたの情報（会員の氏名やメールアドレスなど）と結び付けて使います" in part
    domestic = sections(client.get("/sites/demo/external-transmission").text)["analytics-co"]
    assert "当該国の個人情報保護制度" not in domestic and "結び付け" not in domestic


def test_operator_text_stays_inert(app: Flask, client) -> None:
    store = app.extensions["cmp.store"]
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    recipients = store.get_recipients("demo")
    recipients[0].name["ja"] = evil
    recipients[0].items["ja"][0] = evil
    recipients[0].purpose["ja"] = evil
    recipients[0].policy_url = "javascript:alert(1)"
    store.put_recipients("demo", recipients)
    site = store.get_site("demo")
    site.name = evil
    site.texts = {"ja": {"opt_out": evil}}
    store.put_site(site)
    resp = client.get("/sites/demo/external-transmission")
    page = resp.text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "javascript:" not in page
    assert "script-src" not in resp.headers["Content-Security-Policy"]  # no script at all
    assert "default-src 'none'" in resp.headers["Content-Security-Policy"]


def test_no_recipients_and_unknown_site(app: Flask, client) -> None:
    app.extensions["cmp.store"].put_recipients("demo", [])
    assert "送信先はありません" in client.get("/sites/demo/external-transmission").text
    assert client.get("/sites/nope/external-transmission").status_code == 404


def test_exempt_recipient_is_listed_with_its_basis(app: Flask, client) -> None:
    store = app.extensions["cmp.store"]
    recipient = Recipient(
        key="cdn",
        category="essential",
        name={"ja": "配信ネットワーク株式会社"},
        service={"ja": "CDN"},
        items={"ja": ["IPアドレス", "リクエストされたURL"]},
        purpose={"ja": "ページの配信"},
        recipient_purpose={"ja": "配信サービスの提供"},
        exemption="necessary",
    )
    store.put_recipients("demo", [*store.get_recipients("demo"), recipient])
    part = sections(client.get("/sites/demo/external-transmission").text)["cdn"]
    assert "IPアドレス" in part and "配信サービスの提供" in part
    assert "サービスの提供に必要な情報の送信です" in part
    assert "停止できません" in part  # an essential category cannot be turned off
