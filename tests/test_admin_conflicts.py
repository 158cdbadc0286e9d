"""Two admins editing the same thing: the later save is refused (409), never silently kept.

Each editor page carries a fingerprint of what it showed when opened; a save whose page
was opened on something that has changed (or been deleted) since is not written, the
admin's typed values come back on the form, and the message says what happened.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from cmp.admin.category_form import CategoryForm
from cmp.admin.editing import changed_since, fingerprint
from cmp.admin.recipient_form import RecipientForm
from cmp.admin.site_form import SiteForm
from tests.test_admin_support import Console, add_user, sign_in

CONFLICT_JA = "別の管理者がこの内容を保存しました"


@pytest.fixture
def alice(app: Flask) -> Console:
    """The first admin."""
    return sign_in(app, "admin")


@pytest.fixture
def bob(app: Flask, alice: Console) -> Console:
    """A second admin, signed in on another client."""
    add_user(app, "bob", "admin")
    con = Console(app)
    assert con.login("bob").status_code == 303
    return con


def form_data(initial: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """An editor's initial values as a browser posts them (unchecked boxes left out)."""
    out: dict[str, Any] = {}
    for name, value in {**initial, **changes}.items():
        if value is True:
            out[name] = "y"
        elif value not in (False, None):
            out[name] = value
    return out


def test_fingerprint_follows_the_content() -> None:
    shown = {"name": {"ja": "解析"}, "cookies": ["_ga"]}
    assert fingerprint(shown) == fingerprint({"cookies": ["_ga"], "name": {"ja": "解析"}})
    assert fingerprint(shown) != fingerprint({**shown, "cookies": ["_ga", "_gid"]})

    class Form:
        class base:
            data = fingerprint(shown)

        conflict = False

    form = Form()
    assert not changed_since(form, dict(shown)) and not form.conflict
    assert changed_since(form, None) and form.conflict


def test_category_saved_meanwhile_is_not_overwritten(
    app: Flask, alice: Console, bob: Console
) -> None:
    store = app.extensions["cmp.store"]
    url = "/admin/sites/demo/categories/analytics"
    initial = CategoryForm.initial(store.get_categories("demo")[1])
    opened = alice.opened(url)
    assert bob.post(url, form_data(initial, name_ja="解析（ボブ）")).status_code == 303

    resp = alice.post(url, {**form_data(initial, name_ja="解析（アリス）"), "base": opened})
    assert resp.status_code == 409
    assert CONFLICT_JA in resp.text and "解析（アリス）" in resp.text
    assert store.get_categories("demo")[1].name["ja"] == "解析（ボブ）"
    assert [e.action for e in store.list_audit("demo")] == ["category.update"]
    # Opened again, the page shows Bob's version and Alice's save goes through.
    assert "解析（ボブ）" in alice.get(url).text
    assert alice.post(url, form_data(initial, name_ja="解析（アリス）")).status_code == 303
    assert store.get_categories("demo")[1].name["ja"] == "解析（アリス）"


def test_recipient_deleted_meanwhile_is_not_recreated(
    app: Flask, alice: Console, bob: Console
) -> None:
    store = app.extensions["cmp.store"]
    url = "/admin/sites/demo/recipients/analytics-co"
    existing = next(r for r in store.get_recipients("demo") if r.key == "analytics-co")
    initial = RecipientForm.initial(existing)
    opened = alice.opened(url)
    assert bob.post(f"{url}/delete").status_code == 303

    resp = alice.post(url, {**form_data(initial, name_ja="解析社（改）"), "base": opened})
    # The recipient is gone: its editor answers 404 and nothing is written back.
    assert resp.status_code == 404
    assert "analytics-co" not in [r.key for r in store.get_recipients("demo")]


def test_recipient_edited_meanwhile(app: Flask, alice: Console, bob: Console) -> None:
    store = app.extensions["cmp.store"]
    url = "/admin/sites/demo/recipients/dmp-partner"
    existing = next(r for r in store.get_recipients("demo") if r.key == "dmp-partner")
    initial = RecipientForm.initial(existing)
    opened = alice.opened(url)
    assert bob.post(url, form_data(initial, address="東京都港区1-1-1")).status_code == 303

    resp = alice.post(url, {**form_data(initial, name_ja="DMP社（改）"), "base": opened})
    assert resp.status_code == 409 and CONFLICT_JA in resp.text
    after = next(r for r in store.get_recipients("demo") if r.key == "dmp-partner")
    assert after.address == "東京都港区1-1-1" and after.name == existing.name


def test_site_settings_saved_meanwhile(app: Flask, alice: Console, bob: Console) -> None:
    store = app.extensions["cmp.store"]
    url = "/admin/sites/demo"
    initial = SiteForm.initial(store.get_site("demo"))
    opened = alice.opened(url)
    assert bob.post(url, form_data(initial, name="デモ（ボブ）")).status_code == 303

    resp = alice.post(url, {**form_data(initial, consent_lifetime_days="200"), "base": opened})
    assert resp.status_code == 409 and CONFLICT_JA in resp.text
    site = store.get_site("demo")
    assert site.name == "デモ（ボブ）"
    assert site.consent_lifetime_days == int(initial["consent_lifetime_days"])


def test_texts_conflict_per_language(app: Flask, alice: Console, bob: Console) -> None:
    store = app.extensions["cmp.store"]
    ja, en = "/admin/sites/demo/texts?lang=ja", "/admin/sites/demo/texts?lang=en"
    opened_ja = alice.opened(ja)
    # Bob's English texts do not touch the Japanese page Alice has open.
    assert bob.post(en, {"title": "Cookies (Bob)"}).status_code == 303
    resp = alice.post(ja, {"title": "クッキー（アリス）", "base": opened_ja})
    assert resp.status_code == 303
    opened_ja = alice.opened(ja)
    assert bob.post(ja, {"title": "クッキー（ボブ）"}).status_code == 303
    resp = alice.post(ja, {"title": "クッキー（アリス2）", "base": opened_ja})
    assert resp.status_code == 409 and CONFLICT_JA in resp.text
    texts = store.get_site("demo").texts
    assert texts["ja"]["title"] == "クッキー（ボブ）" and texts["en"]["title"] == "Cookies (Bob)"


def test_a_form_without_its_base_is_refused(app: Flask, alice: Console) -> None:
    """A save that does not say what it was opened on cannot prove it saw the latest."""
    store = app.extensions["cmp.store"]
    url = "/admin/sites/demo/categories/analytics"
    initial = CategoryForm.initial(store.get_categories("demo")[1])
    resp = alice.post(url, {**form_data(initial, name_ja="解析（改）"), "base": ""})
    assert resp.status_code == 409
    assert store.get_categories("demo")[1].name["ja"] != "解析（改）"
