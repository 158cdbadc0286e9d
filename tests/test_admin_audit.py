"""The audit log pages, the store-outage page, and operator HTML kept inert in the console."""

from __future__ import annotations

import pytest
from flask import Flask

from cmp.storage import StorageError
from tests.test_admin_support import Console, sign_in

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def console(app: Flask) -> Console:
    """A client signed in as an admin."""
    return sign_in(app, "admin")


def test_audit_page_shows_who_what_before_and_after(app: Flask, console: Console) -> None:
    data = {"name_ja": "解析", "name_en": "Stats", "description_ja": "説明", "description_en": "d"}
    console.post("/admin/sites/demo/categories/analytics", data)
    page = console.get("/admin/sites/demo/audit").text
    assert "alice" in page and "category.update" in page and "analytics" in page
    assert "アクセス解析" in page and "解析" in page  # before and after
    assert "<code>name</code>" in page  # the changed fields
    viewer = sign_in(app, "viewer")
    assert "category.update" in viewer.get("/admin/sites/demo/audit").text
    assert "admin.login" in viewer.get("/admin/audit").text


def test_operator_html_stays_inert_in_the_console(app: Flask, console: Console) -> None:
    store = app.extensions["cmp.store"]
    site = store.get_site("demo")
    site.name = EVIL
    store.put_site(site)
    recipients = store.get_recipients("demo")
    recipients[0].name["ja"] = EVIL
    recipients[0].items["ja"][0] = EVIL
    store.put_recipients("demo", recipients)
    data = {"name_ja": EVIL, "name_en": EVIL, "description_ja": EVIL, "description_en": EVIL}
    assert console.post("/admin/sites/demo/categories/analytics", data).status_code == 303
    console.post("/admin/sites/demo/keys", {"name": EVIL, "scopes": ["read"]})
    for url in (
        "/admin/",
        "/admin/sites/demo",
        "/admin/sites/demo/categories",
        "/admin/sites/demo/categories/analytics",
        "/admin/sites/demo/recipients",
        "/admin/sites/demo/recipients/analytics-co",
        "/admin/sites/demo/keys",
        "/admin/sites/demo/audit",
        "/admin/sites/demo/stats",
        "/admin/sites/demo/policies",
    ):
        page = console.get(url).text
        assert "<script>alert" not in page and "<img src=x" not in page, url
    assert "&lt;script&gt;" in console.get("/admin/sites/demo/categories").text


def test_store_outage_is_a_503_page(app: Flask, console: Console, monkeypatch) -> None:
    store = app.extensions["cmp.store"]
    console.token()  # a token handed out while the store was up

    def down(*args: object, **kwargs: object) -> None:
        raise StorageError("connection refused")

    monkeypatch.setattr(store, "get_categories", down)
    resp = console.get("/admin/sites/demo/categories")
    assert resp.status_code == 503
    assert "一時的に利用できません" in resp.text
    monkeypatch.setattr(store, "get_admin", down)
    assert console.get("/admin/").status_code == 503
    assert console.post("/admin/sites/demo/texts", {"title": "x"}).status_code == 503
