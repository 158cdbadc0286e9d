"""Recipient editor: what the Art. 27-12 notice and APPI Art. 31 ask of each recipient,
checked field by field."""

from __future__ import annotations

import pytest
from flask import Flask

from cmp.admin.recipient_form import RecipientForm
from cmp.storage import StorageError
from tests.test_admin_support import Console, config, errors_of, sign_in


@pytest.fixture
def console(app: Flask) -> Console:
    """A client signed in as an admin."""
    return sign_in(app, "admin")


NEW = {
    "key": "heatmap-co",
    # A new recipient changes what visitors consent to: it goes live with a new version.
    "publish": "y",
    "category": "analytics",
    "name_ja": "ヒートマップ株式会社",
    "name_en": "Heatmap K.K.",
    "service_ja": "ヒートマップ分析",
    "service_en": "Heatmap analytics",
    "items_ja": "閲覧したページのURL\nクリック位置\nCookie ID",
    "items_en": "URLs of pages viewed\nClick positions\nCookie ID",
    "purpose_ja": "ページの使いやすさの改善",
    "purpose_en": "Improving the pages",
    "recipient_purpose_ja": "分析結果の提供",
    "recipient_purpose_en": "Providing the analysis",
    "country_ja": "日本",
    "country_en": "Japan",
    "policy_url": "https://heatmap.example.jp/privacy",
    "opt_out_url": "https://heatmap.example.jp/opt-out",
    "exemption": "",
    # It does not link: records state why Art. 31 consent is not needed.
    "no_link_basis": "statistics",
}
FOREIGN = {
    "foreign": "y",
    "country_ja": "アメリカ合衆国",
    "country_en": "United States",
    "system_ja": "連邦法と州法があります。",
    "system_en": "Federal and state laws apply.",
    "measures_ja": "安全管理措置を講じています。",
    "measures_en": "It applies security safeguards.",
}


def test_add_recipient(app: Flask, console: Console) -> None:
    resp = console.post("/admin/sites/demo/recipients/new", NEW)
    assert resp.status_code == 303
    saved = app.extensions["cmp.store"].get_recipients("demo")[-1]
    assert saved.key == "heatmap-co" and saved.foreign is None
    assert saved.items == {
        "ja": ["閲覧したページのURL", "クリック位置", "Cookie ID"],
        "en": ["URLs of pages viewed", "Click positions", "Cookie ID"],
    }
    shown = {r["key"]: r for r in config(app, "en")["recipients"]}["heatmap-co"]
    assert shown["service"] == "Heatmap analytics" and shown["items"][1] == "Click positions"
    published, entry = app.extensions["cmp.store"].list_audit("demo")[:2]
    assert (entry.action, entry.before, entry.after["key"]) == (
        "recipient.create",
        None,
        NEW["key"],
    )
    assert (published.action, published.after["policy_version"]) == ("policy.publish", 2)
    assert config(app)["policy_version"] == 2


def test_foreign_recipient_needs_country_system_and_measures(app: Flask, console: Console) -> None:
    store = app.extensions["cmp.store"]
    resp = console.post(
        "/admin/sites/demo/recipients/new",
        {**NEW, "foreign": "y", "country_ja": "", "country_en": "", "system_en": ""},
    )
    assert resp.status_code == 422
    for field in ("country_ja", "country_en", "system_ja", "system_en", "measures_ja"):
        assert "入力してください" in errors_of(resp.text, field), field
    assert len(store.get_recipients("demo")) == 3
    assert console.post("/admin/sites/demo/recipients/new", {**NEW, **FOREIGN}).status_code == 303
    saved = store.get_recipients("demo")[-1]
    assert saved.foreign["measures"]["en"] == "It applies security safeguards."
    shown = {r["key"]: r for r in config(app)["recipients"]}["heatmap-co"]
    assert shown["foreign"] == {
        "system": "連邦法と州法があります。",
        "measures": "安全管理措置を講じています。",
    }


def test_items_must_be_specific_and_parallel(app: Flask, console: Console) -> None:
    cases = [
        ({"items_ja": "閲覧履歴等"}, "items_ja", "具体的"),
        ({"items_ja": "閲覧履歴\nその他の情報"}, "items_ja", "具体的"),
        ({"items_en": "Browsing history\nCookie ID, etc.\nClicks"}, "items_en", "具体的"),
        ({"items_ja": ""}, "items_ja", "1つ以上"),
        ({"items_ja": "閲覧履歴\n閲覧履歴\nCookie ID"}, "items_ja", "重複"),
        ({"items_en": "Browsing history\nCookie ID"}, "items_en", "3項目"),
    ]
    for change, field, message in cases:
        resp = console.post("/admin/sites/demo/recipients/new", {**NEW, **change})
        assert resp.status_code == 422, change
        assert message in errors_of(resp.text, field), change
    assert len(app.extensions["cmp.store"].get_recipients("demo")) == 3


def test_recipient_errors_are_shown_by_their_fields(app: Flask, console: Console) -> None:
    bad = {
        **NEW,
        "key": "ad-global",
        "category": "nope",
        "name_ja": "",
        "service_en": "",
        "purpose_ja": "",
        "recipient_purpose_en": "",
        "links_personal_data": "y",
        "policy_url": "javascript:alert(1)",
        "opt_out_url": "ftp://example.jp/",
        "exemption": "because",
    }
    resp = console.post("/admin/sites/demo/recipients/new", bad)
    assert resp.status_code == 422
    html = resp.text
    assert "すでに使われています" in errors_of(html, "key")
    assert errors_of(html, "category") and errors_of(html, "exemption")
    for field in ("name_ja", "service_en", "purpose_ja", "recipient_purpose_en"):
        assert "入力してください" in errors_of(html, field), field
    for field in ("address", "representative"):  # Art. 31 recipients: named in the records
        assert "入力してください" in errors_of(html, field), field
    assert "https://" in errors_of(html, "policy_url")
    assert "https://" in errors_of(html, "opt_out_url")
    assert len(app.extensions["cmp.store"].get_recipients("demo")) == 3


def test_edit_move_and_remove(app: Flask, console: Console) -> None:
    store = app.extensions["cmp.store"]
    page = console.get("/admin/sites/demo/recipients/ad-global").text
    assert "グローバル広告ネットワーク" in page and "OECD" in page
    original = store.get_recipients("demo")[2]
    data = {
        **NEW,
        **FOREIGN,
        "category": "targeting",
        "links_personal_data": "y",
        "address": original.address,
        "representative": original.representative,
        "items_ja": "閲覧履歴\nCookie ID",
        "items_en": "Browsing history\nCookie ID",
    }
    del data["key"]
    assert console.post("/admin/sites/demo/recipients/ad-global", data).status_code == 303
    edited = store.get_recipients("demo")[2]
    assert edited.key == "ad-global" and edited.items["ja"] == ["閲覧履歴", "Cookie ID"]
    entry = store.list_audit("demo")[1]
    assert entry.action == "recipient.update"
    assert entry.before["items"]["ja"][2] == "広告の表示・クリック履歴"
    assert entry.after["items"]["ja"] == ["閲覧履歴", "Cookie ID"]
    console.post("/admin/sites/demo/recipients/ad-global/move", {"dir": "up"})
    assert [r.key for r in store.get_recipients("demo")] == [
        "analytics-co",
        "ad-global",
        "dmp-partner",
    ]
    assert console.post("/admin/sites/demo/recipients/ad-global/delete").status_code == 303
    assert [r.key for r in store.get_recipients("demo")] == ["analytics-co", "dmp-partner"]
    published, deleted = store.list_audit("demo")[:2]
    assert deleted.before["key"] == "ad-global" and published.action == "policy.publish"
    # Removing a published recipient is a new version (from the fourth review): otherwise
    # visitors deciding without seeing it would count as consenting to it if it came back.
    version = store.get_site("demo").policy_version
    listed = store.get_policy("demo", version).snapshot["recipients"]
    assert "ad-global" not in [r["key"] for r in listed]


def test_a_change_to_what_visitors_consented_to_goes_live_only_as_a_new_version(
    app: Flask, console: Console
) -> None:
    """Provision checks read a visitor's consent under a version as consent to that
    version's snapshot: a material edit made live without a new version (and perhaps
    reverted later) would make that consent cover something the visitor never saw."""
    store = app.extensions["cmp.store"]
    url = "/admin/sites/demo/recipients/dmp-partner"
    original = next(r for r in store.get_recipients("demo") if r.key == "dmp-partner")
    initial = RecipientForm.initial(original)
    data = {k: v for k, v in initial.items() if v not in (False, None)}
    data = {k: ("y" if v is True else v) for k, v in data.items()}
    changed = {
        **data,
        "items_ja": data["items_ja"] + "\n位置情報",
        "items_en": data["items_en"] + "\nLocation",
    }

    resp = console.post(url, changed)
    assert resp.status_code == 422
    assert "新しいバージョンとして公開する必要があります" in errors_of(resp.text, "publish")
    assert store.get_recipients("demo") and original in store.get_recipients("demo")
    assert store.get_site("demo").policy_version == 1

    # Wording outside those fields is not material: saved at once, same version.
    assert console.post(url, {**data, "address": original.address + " "}).status_code == 303
    assert console.post(url, {**data, "opt_out_url": "https://dmp.example/out"}).status_code == 303
    assert store.get_site("demo").policy_version == 1

    assert console.post(url, {**changed, "publish": "y"}).status_code == 303
    assert store.get_site("demo").policy_version == 2
    latest = store.get_policy("demo", 2).snapshot["recipients"]
    assert "位置情報" in next(r for r in latest if r["key"] == "dmp-partner")["items"]["ja"]
    assert store.list_audit("demo")[0].action == "policy.publish"


def test_service_name_is_material_and_a_failed_publish_rolls_back(
    app: Flask, console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The provision rule treats the service name as material, so the editor does too; and
    if publishing fails, the change does not stay live without its version."""
    store = app.extensions["cmp.store"]
    url = "/admin/sites/demo/recipients/analytics-co"
    original = next(r for r in store.get_recipients("demo") if r.key == "analytics-co")
    initial = RecipientForm.initial(original)
    data = {k: ("y" if v is True else v) for k, v in initial.items() if v not in (False, None)}
    renamed = {**data, "service_ja": "新しいサービス名"}
    assert console.post(url, renamed).status_code == 422

    def down(*args: object, **kwargs: object) -> None:
        raise StorageError("connection refused")

    monkeypatch.setattr(store, "put_policy", down)
    resp = console.post(url, {**renamed, "publish": "y"})
    assert resp.status_code == 503
    monkeypatch.undo()
    assert original in store.get_recipients("demo")
    assert store.get_site("demo").policy_version == 1


def test_a_publish_that_fails_after_its_snapshot_never_reuses_that_number(
    app: Flask, console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From the third review: the snapshot of a version is stored first and versions are
    write-once, so a publish that failed after storing it must neither leave the change live
    nor let a later publish reuse the number (whose snapshot would then be stale)."""
    store = app.extensions["cmp.store"]
    real_put_site = store.put_site
    calls = {"n": 0}

    def fail_once(site: object) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            raise StorageError("connection reset")
        real_put_site(site)

    monkeypatch.setattr(store, "put_site", fail_once)
    assert console.post("/admin/sites/demo/recipients/new", NEW).status_code == 503
    assert "heatmap-co" not in [r.key for r in store.get_recipients("demo")]
    assert store.get_site("demo").policy_version == 1
    orphan = store.get_policy("demo", 2)
    assert orphan is not None  # stored, never live

    # Adding it again still needs a new version, and that version is 3, not the stale 2.
    assert (
        console.post("/admin/sites/demo/recipients/new", {**NEW, "publish": ""}).status_code == 422
    )
    assert console.post("/admin/sites/demo/recipients/new", NEW).status_code == 303
    assert store.get_site("demo").policy_version == 3
    listed = [r["key"] for r in store.get_policy("demo", 3).snapshot["recipients"]]
    assert "heatmap-co" in listed and "heatmap-co" in [r.key for r in store.get_recipients("demo")]


def test_a_publish_whose_version_write_landed_keeps_the_change_live(
    app: Flask, console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From the fifth review: the version write can land and still report a failure (a
    lost reply). Rolling the recipients back then would leave version 2 current with a
    snapshot listing what visitors are not shown."""
    store = app.extensions["cmp.store"]
    real_put_site = store.put_site

    def write_then_fail(site: object) -> None:
        real_put_site(site)
        raise StorageError("reply lost")

    monkeypatch.setattr(store, "put_site", write_then_fail)
    assert console.post("/admin/sites/demo/recipients/new", NEW).status_code == 503
    monkeypatch.undo()
    assert store.get_site("demo").policy_version == 2
    listed = [r["key"] for r in store.get_policy("demo", 2).snapshot["recipients"]]
    assert "heatmap-co" in listed
    assert "heatmap-co" in [r.key for r in store.get_recipients("demo")]
    assert (
        "新しいポリシーバージョンとして公開され" in console.get("/admin/sites/demo/recipients").text
    )
