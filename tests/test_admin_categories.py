"""Category editor: add, edit, reorder, remove; essential stays required; errors by field."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.test_admin_support import Console, config, errors_of, sign_in


@pytest.fixture
def console(app: Flask) -> Console:
    """A client signed in as an admin."""
    return sign_in(app, "admin")


ANALYTICS = {
    "name_ja": "アクセス解析（改）",
    "name_en": "Analytics (new)",
    "description_ja": "閲覧状況を集計します。",
    "description_en": "Counts how the site is used.",
    "gpc": "y",
    "gcm": ["analytics_storage"],
    "cookies": "_ga\n_ga_*",
}


def test_edited_category_reaches_the_config(app: Flask, console: Console) -> None:
    resp = console.post("/admin/sites/demo/categories/analytics", ANALYTICS)
    assert resp.status_code == 303
    ja = {c["key"]: c for c in config(app, "ja")["categories"]}
    en = {c["key"]: c for c in config(app, "en")["categories"]}
    assert ja["analytics"]["name"] == "アクセス解析（改）"
    assert en["analytics"]["name"] == "Analytics (new)"
    assert ja["analytics"]["cookies"] == ["_ga", "_ga_*"]
    assert ja["analytics"]["gpc"] is True and ja["analytics"]["default"] is False
    entry = app.extensions["cmp.store"].list_audit("demo")[0]
    assert (entry.action, entry.target) == ("category.update", "analytics")
    assert entry.before["name"]["ja"] == "アクセス解析"
    assert entry.after["name"]["ja"] == "アクセス解析（改）"
    assert "保存しました" in console.get(resp.headers["Location"]).text


def test_add_move_and_remove_a_category(app: Flask, console: Console) -> None:
    store = app.extensions["cmp.store"]
    new = {
        "key": "functional",
        "name_ja": "機能",
        "name_en": "Functional",
        "description_ja": "チャットなどの機能に使います。",
        "description_en": "Chat and similar features.",
        "gcm": ["functionality_storage", "personalization_storage"],
    }
    assert console.post("/admin/sites/demo/categories/new", new).status_code == 303
    assert [c.key for c in store.get_categories("demo")][-1] == "functional"
    console.post("/admin/sites/demo/categories/functional/move", {"dir": "up"})
    keys = [c.key for c in store.get_categories("demo")]
    assert keys == ["essential", "analytics", "functional", "targeting"]
    assert [c["key"] for c in config(app)["categories"]] == keys
    resp = console.post("/admin/sites/demo/categories/functional/delete")
    assert resp.status_code == 303
    assert "functional" not in [c.key for c in store.get_categories("demo")]
    actions = [e.action for e in store.list_audit("demo")][:3]
    assert actions == ["category.delete", "category.move", "category.create"]


def test_essential_stays_required(app: Flask, console: Console) -> None:
    store = app.extensions["cmp.store"]
    resp = console.post("/admin/sites/demo/categories/essential/delete")
    assert resp.status_code == 409
    assert "必須カテゴリは削除できません" in resp.text
    data = {"name_ja": "必須", "name_en": "Essential", "description_ja": "x", "description_en": "x"}
    data["gpc"] = "y"  # a required category is never off, not even under GPC
    assert console.post("/admin/sites/demo/categories/essential", data).status_code == 303
    essential = store.get_categories("demo")[0]
    assert essential.required and essential.default and not essential.gpc


def test_category_in_use_is_not_removed(app: Flask, console: Console) -> None:
    resp = console.post("/admin/sites/demo/categories/targeting/delete")
    assert resp.status_code == 409
    assert "送信先があるため" in resp.text
    assert "targeting" in [c.key for c in app.extensions["cmp.store"].get_categories("demo")]


def test_category_errors_are_shown_by_their_fields(app: Flask, console: Console) -> None:
    store = app.extensions["cmp.store"]
    before = store.get_categories("demo")
    bad = {
        "key": "Bad Key",
        "name_ja": "",
        "name_en": "",
        "description_ja": "x",
        "gcm": ["analytics_storage", "made_up_storage"],
        "cookies": "*\n_ga",
    }
    resp = console.post("/admin/sites/demo/categories/new", bad)
    assert resp.status_code == 422
    html = resp.text
    assert errors_of(html, "key")
    assert "入力してください" in errors_of(html, "name_ja")
    assert "入力してください" in errors_of(html, "name_en")  # the demo offers English
    assert "入力してください" in errors_of(html, "description_en")
    assert "made_up_storage" in errors_of(html, "gcm")
    assert "*" in errors_of(html, "cookies")
    assert store.get_categories("demo") == before
    taken = console.post("/admin/sites/demo/categories/new", {**ANALYTICS, "key": "analytics"})
    assert "すでに使われています" in errors_of(taken.text, "key")


def test_unknown_category_is_404(console: Console) -> None:
    assert console.get("/admin/sites/demo/categories/nope").status_code == 404
    assert console.post("/admin/sites/demo/categories/nope/delete").status_code == 404
    resp = console.post("/admin/sites/demo/categories/analytics/move", {"dir": "sideways"})
    assert resp.status_code == 400


def test_english_not_required_for_a_japanese_only_site(app: Flask, console: Console) -> None:
    store = app.extensions["cmp.store"]
    site = store.get_site("demo")
    site.languages = ["ja"]
    store.put_site(site)
    data = {"name_ja": "解析", "description_ja": "説明", "cookies": "_ga"}
    assert console.post("/admin/sites/demo/categories/analytics", data).status_code == 303
    assert store.get_categories("demo")[1].name == {"ja": "解析"}
