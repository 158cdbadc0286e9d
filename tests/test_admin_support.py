"""Shared helpers of the admin-console tests: users, a signed-in client, form posting.

Imported by the ``test_admin_*`` modules; it holds no tests itself. The
app under test keeps flask-wtf's CSRF protection on, so every POST here carries the token a
real page handed out.
"""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.security import generate_password_hash
from werkzeug.test import TestResponse

from cmp.model import AdminUser

ADMIN, VIEWER, PASSWORD = "alice", "victor", "correct horse battery"
#: A cheap hash for tests (the CLI uses werkzeug's default, scrypt).
FAST_HASH = "pbkdf2:sha256:1000"
_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
_BASE = re.compile(r'name="base" type="hidden" value="([^"]*)"')


def add_user(app: Flask, name: str, role: str, password: str = PASSWORD) -> AdminUser:
    """Store an admin-console user."""
    user = AdminUser(name, generate_password_hash(password, method=FAST_HASH), role)
    app.extensions["cmp.store"].put_admin(user)
    return user


def token_in(html: str) -> str:
    """Return the first CSRF token in a page."""
    found = _TOKEN.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


class Console:
    """A test client that signs in and posts forms with their CSRF token."""

    def __init__(self, app: Flask, client: FlaskClient | None = None) -> None:
        self.app = app
        self.client = client or app.test_client()
        self._token = ""

    def login(self, name: str, password: str = PASSWORD) -> TestResponse:
        """Submit the sign-in form."""
        token = token_in(self.client.get("/admin/login").text)
        self._token = ""
        return self.client.post(
            "/admin/login", data={"username": name, "password": password, "csrf_token": token}
        )

    def token(self) -> str:
        """A CSRF token of the current session."""
        if not self._token:
            self._token = token_in(self.client.get("/admin/").text)
        return self._token

    def get(self, url: str) -> TestResponse:
        """GET a page."""
        return self.client.get(url)

    def opened(self, url: str) -> str:
        """What an editor page at ``url`` was opened on (its ``base`` field; '' if none)."""
        found = _BASE.search(self.client.get(url).text)
        return found.group(1) if found else ""

    def post(self, url: str, data: dict | None = None, *, csrf: bool = True) -> TestResponse:
        """POST a form as a browser would: with the session's CSRF token (unless ``csrf`` is
        False) and, for an editor page, the ``base`` it hands out when opened just before."""
        body = dict(data or {})
        if csrf:
            body["csrf_token"] = self.token()
            body.setdefault("base", self.opened(url))
        return self.client.post(url, data=body)


def sign_in(app: Flask, role: str = "admin") -> Console:
    """Store a user with ``role`` and return a client signed in as that user."""
    name = ADMIN if role == "admin" else VIEWER
    add_user(app, name, role)
    con = Console(app)
    assert con.login(name).status_code == 303
    return con


def errors_of(html: str, field_id: str) -> str:
    """Return the error list rendered right after field ``field_id`` ('' if none)."""
    found = re.search(
        rf'<ul class="errors" id="{re.escape(field_id)}-error">(.*?)</ul>', html, re.S
    )
    return found.group(1) if found else ""


def config(app: Flask, lang: str = "ja", site: str = "demo") -> dict:
    """The public config document, as the banner reads it."""
    resp = app.test_client().get(f"/api/v1/sites/{site}/config?lang={lang}")
    assert resp.status_code == 200
    return resp.get_json()
