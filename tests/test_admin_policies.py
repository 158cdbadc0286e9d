"""Policy versions: pending changes, publishing with re-consent, the changelog."""

from __future__ import annotations

import copy

import pytest
from flask import Flask

from cmp.admin.changes import diff, needs_reconsent
from cmp.seed import demo_categories, demo_recipients, demo_site
from cmp.siteconfig import snapshot
from tests.test_admin_support import Console, config, errors_of, sign_in


@pytest.fixture
def console(app: Flask) -> Console:
    """A client signed in as an admin."""
    return sign_in(app, "admin")


def _decide(app: Flask, version: int) -> int:
    resp = app.test_client().post(
        "/api/v1/sites/demo/consents",
        json={"policy_version": version, "categories": {"analytics": True}, "method": "banner"},
    )
    return resp.status_code


def test_publish_bumps_the_version_and_asks_again(app: Flask, console: Console) -> None:
    store = app.extensions["cmp.store"]
    assert _decide(app, 1) == 201
    recipients = store.get_recipients("demo")
    recipients[0].items["ja"].append("画面の解像度")
    recipients[0].items["en"].append("Screen resolution")
    store.put_recipients("demo", recipients)
    page = console.get("/admin/sites/demo/policies").text
    assert "analytics-co" in page and "<code>items</code>" in page
    assert "新しいバージョンの公開をおすすめします" in page
    resp = console.post(
        "/admin/sites/demo/policies",
        {"changes": "アナリティクス株式会社へ送信する情報に「画面の解像度」を追加", "confirm": "y"},
    )
    assert resp.status_code == 303
    assert store.get_site("demo").policy_version == 2
    assert config(app)["policy_version"] == 2
    assert _decide(app, 1) == 409  # an earlier version is outdated now
    assert _decide(app, 2) == 201
    latest = store.get_policy("demo", 2)
    assert latest.changes.startswith("アナリティクス株式会社")
    assert latest.snapshot["recipients"][0]["items"]["ja"][-1] == "画面の解像度"
    entry = store.list_audit("demo")[0]
    assert (entry.action, entry.before, entry.after["policy_version"]) == (
        "policy.publish",
        {"policy_version": 1},
        2,
    )
    log = console.get("/admin/sites/demo/policies").text
    assert "バージョン 2" in log and "バージョン 1" in log and "初版" in log
    assert log.index("バージョン 2") < log.index("バージョン 1")  # newest first
    assert "公開後の変更はありません" in log


def test_publish_needs_a_note_and_the_acknowledgement(app: Flask, console: Console) -> None:
    resp = console.post("/admin/sites/demo/policies", {"changes": " "})
    assert resp.status_code == 422
    assert "入力してください" in errors_of(resp.text, "changes")
    assert "チェック" in errors_of(resp.text, "confirm")
    assert app.extensions["cmp.store"].get_site("demo").policy_version == 1


def test_wording_changes_do_not_suggest_reconsent(app: Flask, console: Console) -> None:
    console.post("/admin/sites/demo/texts?lang=ja", {"title": "新しい見出し"})
    page = console.get("/admin/sites/demo/policies").text
    assert "文言" in page and "<code>title</code>" in page
    assert "改めて同意を求める必要はないと考えられます" in page


def test_diff_of_snapshots() -> None:
    site, cats, recs = demo_site(), demo_categories(), demo_recipients()
    old = copy.deepcopy(snapshot(site, cats, recs))  # to_dict() is shallow
    assert diff(old, old) == []
    site.texts = {"en": {"title": "Hi"}}
    site.name = "Renamed"
    recs[1].purpose["ja"] = "別の目的"
    new = snapshot(site, cats[:2], [recs[1], recs[0]])
    changes = diff(old, new)
    assert {"area": "site", "key": "demo", "kind": "changed", "fields": ["name"]} in changes
    assert {"area": "texts", "key": "en", "kind": "changed", "fields": ["title"]} in changes
    assert {"area": "categories", "key": "targeting", "kind": "removed", "fields": []} in changes
    assert {
        "area": "recipients",
        "key": "dmp-partner",
        "kind": "changed",
        "fields": ["purpose"],
    } in (changes)
    assert {"area": "recipients", "key": "", "kind": "reordered", "fields": []} in changes
    assert needs_reconsent(changes)
    assert not needs_reconsent(diff(old, snapshot(demo_site(), cats, recs[:1])))  # removals only
    added = diff(None, old)
    assert [c["kind"] for c in added] == ["added"] * 6 and needs_reconsent(added)
