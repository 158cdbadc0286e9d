"""Signing in: sessions, CSRF, lock-out, roles, security headers."""

from __future__ import annotations

import re
import time

import pytest
from flask import Flask

from tests.test_admin_support import ADMIN, PASSWORD, Console, add_user, sign_in, token_in


@pytest.fixture
def console(app: Flask) -> Console:
    """A client signed in as an admin."""
    return sign_in(app, "admin")


@pytest.fixture
def viewer(app: Flask) -> Console:
    """A client signed in as a viewer."""
    return sign_in(app, "viewer")


#: Every page of the console a signed-in user can open (demo site).
PAGES = [
    "/admin/",
    "/admin/audit",
    "/admin/sites/new",
    "/admin/sites/demo",
    "/admin/sites/demo/categories",
    "/admin/sites/demo/categories/new",
    "/admin/sites/demo/categories/analytics",
    "/admin/sites/demo/recipients",
    "/admin/sites/demo/recipients/new",
    "/admin/sites/demo/recipients/ad-global",
    "/admin/sites/demo/texts",
    "/admin/sites/demo/texts?lang=en",
    "/admin/sites/demo/preview",
    "/admin/sites/demo/policies",
    "/admin/sites/demo/keys",
    "/admin/sites/demo/stats",
    "/admin/sites/demo/stats?days=90",
    "/admin/sites/demo/audit",
]

#: Every form that changes something, with a body that would be valid for an admin.
CHANGES = [
    ("/admin/sites/new", {"key": "new", "name": "New", "consent_lifetime_days": "395"}),
    ("/admin/sites/demo", {"name": "x", "consent_lifetime_days": "395"}),
    ("/admin/sites/demo/categories/new", {"key": "x", "name_ja": "x", "description_ja": "x"}),
    ("/admin/sites/demo/categories/analytics", {"name_ja": "x", "description_ja": "x"}),
    ("/admin/sites/demo/categories/analytics/move", {"dir": "up"}),
    ("/admin/sites/demo/categories/analytics/delete", {}),
    ("/admin/sites/demo/recipients/new", {"key": "x"}),
    ("/admin/sites/demo/recipients/ad-global", {}),
    ("/admin/sites/demo/recipients/ad-global/move", {"dir": "up"}),
    ("/admin/sites/demo/recipients/ad-global/delete", {}),
    ("/admin/sites/demo/texts", {"title": "x"}),
    ("/admin/sites/demo/policies", {"changes": "x", "confirm": "y"}),
    ("/admin/sites/demo/keys", {"name": "x", "scopes": "read"}),
    ("/admin/sites/demo/keys/abc/revoke", {}),
]


def test_pages_need_sign_in(client) -> None:
    for url in PAGES:
        resp = client.get(url)
        assert resp.status_code == 303, url
        assert resp.headers["Location"].startswith("/admin/login?next=")


def test_sign_in_sets_a_new_strict_session(app: Flask) -> None:
    add_user(app, ADMIN, "admin")
    con = Console(app)
    with con.client.session_transaction() as planted:
        planted["user"] = ADMIN  # a forged or fixed session is not signed in...
        planted["planted"] = "by an attacker"
    assert con.get("/admin/").status_code == 303
    resp = con.login(ADMIN)
    assert resp.status_code == 303 and resp.headers["Location"] == "/admin/"
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    with con.client.session_transaction() as session:
        assert "planted" not in session  # ...and login starts over
        assert session["user"] == ADMIN
    assert con.get("/admin/").status_code == 200


def test_session_cookie_is_secure_over_https(app: Flask) -> None:
    add_user(app, ADMIN, "admin")
    client = app.test_client()
    page = client.get("/admin/login", base_url="https://cmp.example.jp")
    resp = client.post(
        "/admin/login",
        base_url="https://cmp.example.jp",
        data={"username": ADMIN, "password": PASSWORD, "csrf_token": token_in(page.text)},
    )
    assert resp.status_code == 303
    assert "Secure" in resp.headers["Set-Cookie"]


def test_wrong_password_and_unknown_user_say_the_same(app: Flask) -> None:
    add_user(app, ADMIN, "admin")
    con = Console(app)
    wrong = con.login(ADMIN, "not the password")
    unknown = con.login("nobody", "not the password")
    for resp in (wrong, unknown):
        assert resp.status_code == 200
        assert "ユーザー名またはパスワードが正しくありません" in resp.text
        assert "5回失敗すると" in resp.text  # the form states the lock-out rule
    assert con.get("/admin/").status_code == 303


def test_five_failures_lock_the_account(app: Flask) -> None:
    add_user(app, ADMIN, "admin")
    app.config["ADMIN_LOCK_MINUTES"] = 0.02  # 1.2 s, so the test can see the lock run out
    con = Console(app)
    for _ in range(5):
        con.login(ADMIN, "wrong password")
    resp = con.login(ADMIN)  # even the right password, while locked
    assert "ロックされています" in resp.text
    assert con.get("/admin/").status_code == 303
    audit = app.extensions["cmp.store"].list_audit("")
    assert any(e.action == "admin.lock" and e.target == ADMIN for e in audit)
    time.sleep(1.3)  # the lock has run out
    assert con.login(ADMIN).status_code == 303


def test_logout_ends_the_session(console: Console) -> None:
    assert console.post("/admin/logout").status_code == 303
    assert console.get("/admin/").status_code == 303


def test_password_change_ends_other_sessions(app: Flask, console: Console) -> None:
    add_user(app, ADMIN, "admin", password="another long password")
    assert console.get("/admin/").status_code == 303


def test_post_without_csrf_token_is_refused(app: Flask, console: Console) -> None:
    assert app.config.get("WTF_CSRF_ENABLED", True)
    before = app.extensions["cmp.store"].get_categories("demo")
    resp = console.post(
        "/admin/sites/demo/categories/analytics",
        {"name_ja": "CSRF", "description_ja": "x"},
        csrf=False,
    )
    assert resp.status_code == 400
    assert "トークン" in resp.text
    assert app.extensions["cmp.store"].get_categories("demo") == before
    bad = console.post("/admin/sites/demo/categories/analytics/delete", csrf=False)
    assert bad.status_code == 400
    login = Console(app).client.post("/admin/login", data={"username": ADMIN, "password": PASSWORD})
    assert login.status_code == 400


def test_viewer_sees_everything(viewer: Console) -> None:
    for url in PAGES:
        resp = viewer.get(url)
        assert resp.status_code == 200, url
        if "/preview" not in url:
            assert "変更はできません" in resp.text, url


def test_viewer_changes_nothing(app: Flask, viewer: Console) -> None:
    store = app.extensions["cmp.store"]
    state = (
        store.get_site("demo"),
        store.get_categories("demo"),
        store.get_recipients("demo"),
        store.list_api_keys("demo"),
        [s.key for s in store.list_sites()],
    )
    for url, data in CHANGES:
        assert viewer.post(url, data).status_code == 403, url
    assert state == (
        store.get_site("demo"),
        store.get_categories("demo"),
        store.get_recipients("demo"),
        store.list_api_keys("demo"),
        [s.key for s in store.list_sites()],
    )
    assert viewer.post("/admin/logout").status_code == 303


def test_next_never_leaves_the_console(app: Flask) -> None:
    add_user(app, ADMIN, "admin")
    client = app.test_client()
    for target in ("https://evil.example/", "//evil.example/admin", "/demo", "/admin\\@evil"):
        page = client.get("/admin/login")
        resp = client.post(
            "/admin/login?next=" + target,
            data={"username": ADMIN, "password": PASSWORD, "csrf_token": token_in(page.text)},
        )
        assert resp.headers["Location"] == "/admin/", target


def test_pages_run_under_a_strict_csp(console: Console) -> None:
    for url in PAGES:
        resp = console.get(url)
        csp = resp.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "unsafe-inline" not in csp
        framed = "/preview" in url
        assert ("frame-ancestors 'self'" if framed else "frame-ancestors 'none'") in csp
        assert resp.headers["Cache-Control"] == "no-store"
        html = resp.text
        assert not re.search(r"\sstyle=", html), url
        assert not re.search(r"<style", html), url
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (url, tag)
        assert not re.search(r"\son[a-z]+=", html), url


def test_language_switch(console: Console) -> None:
    assert "カテゴリ" in console.get("/admin/sites/demo/categories").text
    resp = console.get("/admin/lang/en?next=/admin/sites/demo/categories")
    assert resp.headers["Location"] == "/admin/sites/demo/categories"
    page = console.get("/admin/sites/demo/categories").text
    assert '<html lang="en">' in page and "Categories" in page
    assert console.get("/admin/lang/ja?next=https://evil.example/").headers["Location"] == "/admin/"
