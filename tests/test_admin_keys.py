"""API keys in the console: created and shown once, scoped, revoked, last use shown."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from cmp import ids
from tests.test_admin_support import Console, errors_of, sign_in


@pytest.fixture
def console(app: Flask) -> Console:
    """A client signed in as an admin."""
    return sign_in(app, "admin")


def _lookup(app: Flask, key: str) -> int:
    """The status of a consent lookup with ``key`` (404: allowed but unknown visitor)."""
    visitor = ids.issue(app.config["SECRET_KEY"])[1]
    resp = app.test_client().get(
        f"/api/v1/sites/demo/consents/{visitor}", headers={"Authorization": f"Bearer {key}"}
    )
    return resp.status_code


def test_create_use_and_revoke(app: Flask, console: Console) -> None:
    store = app.extensions["cmp.store"]
    resp = console.post("/admin/sites/demo/keys", {"name": "CRM連携", "scopes": ["read", "write"]})
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "no-store"
    plain = re.search(r'<code class="secret" id="new-key">([^<]+)</code>', resp.text).group(1)
    assert plain.startswith("cmp_")
    (key,) = store.list_api_keys("demo")
    assert key.name == "CRM連携" and key.scopes == ["read", "write"]
    assert _lookup(app, plain) == 404
    page = console.get("/admin/sites/demo/keys").text
    assert plain not in page and key.key_id in page and "CRM連携" in page
    entry = store.list_audit("demo")[0]
    assert entry.action == "key.create" and "secret_hash" not in entry.after
    assert plain not in str(entry.to_dict())
    resp = console.post(f"/admin/sites/demo/keys/{key.key_id}/revoke")
    assert resp.status_code == 303
    assert store.list_api_keys("demo")[0].revoked_at
    assert _lookup(app, plain) == 401
    assert store.list_audit("demo")[0].action == "key.revoke"
    assert "無効化" in console.get("/admin/sites/demo/keys").text


def test_key_form_errors(app: Flask, console: Console) -> None:
    resp = console.post("/admin/sites/demo/keys", {"name": ""})
    assert resp.status_code == 422
    assert "入力してください" in errors_of(resp.text, "name")
    assert "1つ以上" in errors_of(resp.text, "scopes")
    resp = console.post("/admin/sites/demo/keys", {"name": "x", "scopes": ["admin"]})
    assert resp.status_code == 422
    assert app.extensions["cmp.store"].list_api_keys("demo") == []
    assert console.post("/admin/sites/demo/keys/nope/revoke").status_code == 404
