"""Banner texts per language, and the preview that feeds them to the real banner."""

from __future__ import annotations

import json
import re

import pytest
from flask import Flask

from cmp.texts import DEFAULT_TEXTS
from tests.test_admin_support import Console, config, errors_of, sign_in


@pytest.fixture
def console(app: Flask) -> Console:
    """A client signed in as an admin."""
    return sign_in(app, "admin")


def embedded_config(page: str) -> dict:
    """The config the preview page hands to the banner."""
    found = re.search(
        r'<script type="application/json" id="cmp-preview-config">(.*?)</script>', page
    )
    assert found
    return json.loads(found.group(1))


def test_saved_texts_are_live(app: Flask, console: Console) -> None:
    resp = console.post(
        "/admin/sites/demo/texts?lang=ja",
        {"title": "クッキーについて", "accept_all": "すべて同意", "body": ""},
    )
    assert resp.status_code == 303
    texts = config(app, "ja")["texts"]
    assert texts["title"] == "クッキーについて" and texts["accept_all"] == "すべて同意"
    assert texts["body"] == DEFAULT_TEXTS["ja"]["body"]  # empty: the built-in text
    assert config(app, "en")["texts"]["title"] == DEFAULT_TEXTS["en"]["title"]
    assert app.extensions["cmp.store"].get_site("demo").policy_version == 1  # no re-consent
    entry = app.extensions["cmp.store"].list_audit("demo")[0]
    assert (entry.action, entry.target, entry.before) == ("texts.update", "ja", {})
    assert entry.after == {"title": "クッキーについて", "accept_all": "すべて同意"}


def test_english_texts(app: Flask, console: Console) -> None:
    page = console.get("/admin/sites/demo/texts?lang=en").text
    assert f'placeholder="{DEFAULT_TEXTS["en"]["title"]}"' in page
    console.post("/admin/sites/demo/texts?lang=en", {"title": "Cookies here"})
    assert config(app, "en")["texts"]["title"] == "Cookies here"
    assert config(app, "ja")["texts"]["title"] == DEFAULT_TEXTS["ja"]["title"]


def test_language_the_site_does_not_offer(app: Flask, console: Console) -> None:
    store = app.extensions["cmp.store"]
    site = store.get_site("demo")
    site.languages = ["ja"]
    store.put_site(site)
    assert console.get("/admin/sites/demo/texts?lang=en").status_code == 404
    assert console.get("/admin/sites/demo/texts?lang=xx").status_code == 404


def test_too_long_text_is_refused_by_its_field(app: Flask, console: Console) -> None:
    resp = console.post("/admin/sites/demo/texts?lang=ja", {"title": "x", "body": "長" * 4001})
    assert resp.status_code == 422
    assert "4000文字以内" in errors_of(resp.text, "body")
    assert app.extensions["cmp.store"].get_site("demo").texts == {}


def test_preview_shows_saved_and_draft_texts_and_stores_nothing(
    app: Flask, console: Console
) -> None:
    store = app.extensions["cmp.store"]
    page = console.get("/admin/sites/demo/preview?lang=en")
    assert page.status_code == 200
    assert "frame-ancestors 'self'" in page.headers["Content-Security-Policy"]
    assert '<html lang="en">' in page.text
    assert 'src="/cmp.js" data-site="preview"' in page.text
    assert 'src="/static/admin/preview.js"' in page.text
    shown = embedded_config(page.text)
    assert shown["texts"]["title"] == DEFAULT_TEXTS["en"]["title"]
    assert [r["key"] for r in shown["recipients"]] == ["analytics-co", "dmp-partner", "ad-global"]
    assert shown["policy_version"] > 10**9  # a stored choice never hides the preview
    draft = console.post("/admin/sites/demo/preview?lang=ja", {"title": "下書きの見出し"})
    assert draft.status_code == 200
    assert embedded_config(draft.text)["texts"]["title"] == "下書きの見出し"
    assert store.get_site("demo").texts == {}
    assert store.list_audit("demo") == []


def test_viewer_may_preview_but_not_save(app: Flask) -> None:
    viewer = sign_in(app, "viewer")
    resp = viewer.post("/admin/sites/demo/preview?lang=ja", {"title": "見るだけ"})
    assert resp.status_code == 200
    assert viewer.post("/admin/sites/demo/texts?lang=ja", {"title": "x"}).status_code == 403
    assert app.extensions["cmp.store"].get_site("demo").texts == {}


def test_html_in_texts_stays_inert(app: Flask, console: Console) -> None:
    evil = '</script><script>alert(1)</script><b onmouseover="x()">'
    console.post("/admin/sites/demo/texts?lang=ja", {"title": evil, "body": evil})
    page = console.get("/admin/sites/demo/texts?lang=ja").text
    assert "<script>alert(1)" not in page and "<b onmouseover" not in page
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page
    preview = console.get("/admin/sites/demo/preview?lang=ja").text
    assert "<script>alert(1)" not in preview and "</script><script>" not in preview
    assert embedded_config(preview)["texts"]["title"] == evil
    assert config(app)["texts"]["title"] == evil  # stored as typed; the banner uses textContent
