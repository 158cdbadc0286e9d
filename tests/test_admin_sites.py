"""Sites: creating one and editing its settings; every rule shown next to its field."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.test_admin_support import Console, config, errors_of, sign_in


@pytest.fixture
def console(app: Flask) -> Console:
    """A client signed in as an admin."""
    return sign_in(app, "admin")


GOOD = {
    "key": "shop",
    "name": "Example Shop",
    "origins": "https://www.example.jp\nhttps://shop.example.jp/",
    "english": "y",
    "privacy_policy_url": "https://www.example.jp/privacy",
    "consent_lifetime_days": "180",
    "cookie_domain": ".example.jp",
    "alias_cookies": "_ga",
}


def test_create_site(app: Flask, console: Console) -> None:
    resp = console.post("/admin/sites/new", GOOD)
    assert resp.status_code == 303
    assert resp.headers["Location"].startswith("/admin/sites/shop")
    store = app.extensions["cmp.store"]
    site = store.get_site("shop")
    assert site.origins == ["https://www.example.jp", "https://shop.example.jp"]
    assert site.languages == ["ja", "en"] and site.consent_lifetime_days == 180
    assert [c.key for c in store.get_categories("shop")] == ["essential"]
    assert store.get_categories("shop")[0].required
    assert [p.version for p in store.list_policies("shop")] == [1]
    entry = store.list_audit("shop")[0]
    assert (entry.actor, entry.action, entry.before) == ("alice", "site.create", None)
    assert entry.after["name"] == "Example Shop"
    assert config(app, site="shop")["consent_lifetime_days"] == 180
    assert "Example Shop" in console.get("/admin/").text


def test_create_site_errors_are_shown_by_their_fields(app: Flask, console: Console) -> None:
    bad = {
        "key": "Shop_1",
        "name": "",
        "origins": "https://www.example.jp/path",
        "privacy_policy_url": "javascript:alert(1)",
        "consent_lifetime_days": "0",
        "cookie_domain": "exa mple",
        "alias_cookies": "bad cookie",
    }
    resp = console.post("/admin/sites/new", bad)
    assert resp.status_code == 422
    html = resp.text
    assert "半角英小文字" in errors_of(html, "key")
    assert "入力してください" in errors_of(html, "name")
    assert "オリジン" in errors_of(html, "origins")
    assert "https://" in errors_of(html, "privacy_policy_url")
    assert "1〜1095" in errors_of(html, "consent_lifetime_days")
    assert errors_of(html, "cookie_domain") and errors_of(html, "alias_cookies")
    assert 'aria-invalid="true"' in html
    assert "javascript:alert(1)" in html  # what was typed is kept in the form
    assert [s.key for s in app.extensions["cmp.store"].list_sites()] == ["demo"]


def test_key_taken(console: Console) -> None:
    resp = console.post("/admin/sites/new", {**GOOD, "key": "demo"})
    assert resp.status_code == 422
    assert "すでに使われています" in errors_of(resp.text, "key")


def test_edit_settings_keeps_texts_and_version(app: Flask, console: Console) -> None:
    store = app.extensions["cmp.store"]
    site = store.get_site("demo")
    site.texts = {"ja": {"title": "独自の見出し"}}
    site.policy_version = 3
    store.put_site(site)
    data = {**GOOD, "name": "新しい名前", "english": ""}
    resp = console.post("/admin/sites/demo", data)
    assert resp.status_code == 303
    saved = store.get_site("demo")
    assert saved.name == "新しい名前" and saved.languages == ["ja"]
    assert saved.texts == {"ja": {"title": "独自の見出し"}} and saved.policy_version == 3
    assert config(app)["texts"]["title"] == "独自の見出し"
    assert config(app)["consent_lifetime_days"] == 180
    entry = store.list_audit("demo")[0]
    assert entry.action == "site.update"
    assert entry.before["name"] == "cmp デモサイト" and entry.after["name"] == "新しい名前"


def test_bad_edit_changes_nothing(app: Flask, console: Console) -> None:
    store = app.extensions["cmp.store"]
    before = store.get_site("demo")
    resp = console.post("/admin/sites/demo", {**GOOD, "consent_lifetime_days": "forever"})
    assert resp.status_code == 422
    assert errors_of(resp.text, "consent_lifetime_days")
    assert store.get_site("demo") == before


def test_unknown_site_is_404(console: Console) -> None:
    resp = console.get("/admin/sites/nope/categories")
    assert resp.status_code == 404
    assert "見つかりません" in resp.text
