"""Issue 11 gaps 3, 4 and 6 in the console: the Art. 28 route, the declaration, the reason
Art. 31 does not apply, exemptions that fit the recipient (and go live with a new version),
and the periodic-check log of a 基準適合体制."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from flask import Flask

from cmp import exemptions, jst
from cmp.seed import demo_categories
from tests.test_admin_recipients import NEW
from tests.test_admin_support import Console, config, errors_of, sign_in

ESSENTIAL, ANALYTICS, TARGETING = demo_categories()


@pytest.fixture
def console(app: Flask) -> Console:
    return sign_in(app, "admin")


def _store(app: Flask):
    return app.extensions["cmp.store"]


def _saved(app: Flask, key: str = "heatmap-co"):
    return next(r for r in _store(app).get_recipients("demo") if r.key == key)


@pytest.mark.parametrize(
    ("exemption", "links", "category", "operator", "problem"),
    [
        ("", True, TARGETING, False, None),
        ("first_party", True, ESSENTIAL, True, "err_exempt_linking"),
        ("necessary", True, ESSENTIAL, False, "err_exempt_linking"),
        ("first_party", False, TARGETING, True, "err_exempt_advertising"),
        ("necessary", False, ANALYTICS, False, "err_exempt_analytics"),
        ("necessary", False, ESSENTIAL, False, None),
        # Lawyer review finding 6: analytics is never exempt, not even the operator's own.
        ("first_party", False, ANALYTICS, False, "err_exempt_analytics"),
        ("first_party", False, ANALYTICS, True, "err_exempt_analytics"),
        ("first_party", False, replace(ANALYTICS, gcm=[]), True, "err_exempt_analytics"),
        (
            "first_party",
            False,
            replace(ESSENTIAL, key="stats", gcm=["analytics_storage"]),
            True,
            "err_exempt_analytics",
        ),  # fmt: skip
        ("first_party", False, ESSENTIAL, False, "err_exempt_not_operator"),
        ("first_party", False, ESSENTIAL, True, None),
        ("because", False, ESSENTIAL, False, "err_choice"),
    ],
)
def test_exemption_rule(exemption, links, category, operator, problem) -> None:
    found = exemptions.problem(
        exemption, links_personal_data=links, category=category, operator_itself=operator
    )
    assert found == problem


def test_a_linking_dmp_cannot_be_first_party(app: Flask, console: Console) -> None:
    body = {**NEW, "category": "targeting", "links_personal_data": "y"}
    body.update(address="東京都", representative="代表 一郎", exemption="first_party")
    body["operator_itself"] = "y"
    resp = console.post("/admin/sites/demo/recipients/new", body)
    assert resp.status_code == 422
    assert "適用除外にできません" in errors_of(resp.text, "exemption")


def test_an_analytics_recipient_cannot_be_first_party(app: Flask, console: Console) -> None:
    body = {**NEW, "exemption": "first_party", "operator_itself": "y"}
    resp = console.post("/admin/sites/demo/recipients/new", body)
    assert resp.status_code == 422
    assert "アクセス解析のカテゴリの送信先は適用除外にできません" in errors_of(
        resp.text, "exemption"
    )


def test_an_analytics_exemption_saved_earlier_is_not_shown(app: Flask, console: Console) -> None:
    store = _store(app)
    updated = [
        replace(r, exemption="first_party") if r.key == "analytics-co" else r
        for r in store.get_recipients("demo")
    ]
    store.put_recipients("demo", updated)
    page = console.get("/sites/demo/external-transmission").text
    assert "当サイト自身にのみ送信される識別子です" not in page
    analytics = next(r for r in updated if r.key == "analytics-co")
    assert exemptions.standing(analytics, ANALYTICS) == ""
    assert exemptions.standing(replace(analytics, exemption="necessary"), ESSENTIAL) == "necessary"


def test_an_exemption_is_a_material_change_shown_with_its_reason(
    app: Flask, console: Console
) -> None:
    body = {**NEW, "category": "essential"}
    assert console.post("/admin/sites/demo/recipients/new", body).status_code == 303
    version = config(app)["policy_version"]
    edit = {**body, "exemption": "necessary"}
    edit.pop("publish")
    resp = console.post("/admin/sites/demo/recipients/heatmap-co", edit)
    assert resp.status_code == 422 and "exemption" in errors_of(resp.text, "publish")
    assert _saved(app).exemption == ""
    resp = console.post("/admin/sites/demo/recipients/heatmap-co", {**edit, "publish": "y"})
    assert resp.status_code == 303
    assert _saved(app).exemption == "necessary"
    assert config(app)["policy_version"] == version + 1
    listing = console.get("/admin/sites/demo/recipients").text
    assert "必須カテゴリ「必須」に属し" in listing


def test_equivalent_country_comes_from_the_fixed_list(app: Flask, console: Console) -> None:
    body = {**NEW, "foreign_route": "equivalent", "country_code": "DE"}
    body.update(country_ja="", country_en="")
    assert console.post("/admin/sites/demo/recipients/new", body).status_code == 303
    saved = _saved(app)
    assert saved.country == {"ja": "ドイツ", "en": "Germany"} and saved.foreign is None
    assert saved.foreign_route == "equivalent" and saved.country_code == "DE"
    bad = {**body, "key": "us-co", "country_code": "US"}
    resp = console.post("/admin/sites/demo/recipients/new", bad)
    assert resp.status_code == 422 and errors_of(resp.text, "country_code")


def test_a_foreign_country_needs_a_route(app: Flask, console: Console) -> None:
    body = {**NEW, "country_ja": "ドイツ", "country_en": "Germany"}
    resp = console.post("/admin/sites/demo/recipients/new", body)
    assert resp.status_code == 422
    assert "日本ではありません" in errors_of(resp.text, "foreign_route")


def test_an_empty_country_is_not_taken_as_japan(app: Flask, console: Console) -> None:
    # Lawyer review finding 3: "in Japan" needs the country entered.
    body = {**NEW, "country_ja": "", "country_en": ""}
    resp = console.post("/admin/sites/demo/recipients/new", body)
    assert resp.status_code == 422
    assert "未入力のままでは日本国内とは扱いません" in errors_of(resp.text, "country_ja")


@pytest.mark.parametrize("basis", ["", "other"])
def test_a_non_linking_recipient_needs_a_stated_reason(
    app: Flask, console: Console, basis: str
) -> None:
    # Lawyer review finding 4: its records would say "Art. 31 consent not required".
    resp = console.post("/admin/sites/demo/recipients/new", {**NEW, "no_link_basis": basis})
    assert resp.status_code == 422
    field = "no_link_basis" if not basis else "no_link_note_ja"
    assert errors_of(resp.text, field)
    if not basis:
        assert "理由を選んでください" in errors_of(resp.text, field)
    assert all(r.key != "heatmap-co" for r in _store(app).get_recipients("demo"))


def test_declaration_needs_document_and_date(app: Flask, console: Console) -> None:
    body = {**NEW, "category": "targeting", "links_personal_data": "y"}
    body.update(address="東京都", representative="代表 一郎", consent_method="declaration")
    resp = console.post("/admin/sites/demo/recipients/new", body)
    assert resp.status_code == 422
    assert errors_of(resp.text, "declaration_document")
    assert errors_of(resp.text, "declaration_date")
    body.update(declaration_document="誓約書 2026-01", declaration_date="2026-04-01")
    assert console.post("/admin/sites/demo/recipients/new", body).status_code == 303
    assert _saved(app).declaration == {"document": "誓約書 2026-01", "date": "2026-04-01"}
    shown = {r["key"]: r for r in config(app)["recipients"]}["heatmap-co"]
    assert shown["consent_by_recipient"] and not shown["links_personal_data"]


def test_no_link_reason_is_kept(app: Flask, console: Console) -> None:
    body = {**NEW, "no_link_basis": "contract"}
    assert console.post("/admin/sites/demo/recipients/new", body).status_code == 303
    assert _saved(app).no_link_basis == "contract"
    other = {**NEW, "key": "other-co", "no_link_basis": "other"}
    resp = console.post("/admin/sites/demo/recipients/new", other)
    assert resp.status_code == 422 and errors_of(resp.text, "no_link_note_ja")


def test_periodic_check_log(app: Flask, console: Console) -> None:
    body = {**NEW, "foreign_route": "system", "system_basis": "contract"}
    body.update(country_ja="シンガポール", country_en="Singapore")
    assert console.post("/admin/sites/demo/recipients/new", body).status_code == 303
    url = "/admin/sites/demo/recipients/heatmap-co/checks"
    page = console.get(url)
    assert page.status_code == 200 and "確認の記録がない" in page.text
    today = jst.today()
    check = {"checked_on": today.isoformat(), "checked": ["implementation", "foreign_law"]}
    check.update(result="ok", note="契約の遵守状況の報告書と現地法令を確認")
    assert console.post(url, check).status_code == 303
    [saved] = _store(app).list_transfer_checks("demo", "heatmap-co")
    assert saved.result == "ok" and saved.actor
    assert "定期確認は有効です" in console.get(url).text
    future = {**check, "checked_on": (today + timedelta(days=2)).isoformat()}
    assert console.post(url, future).status_code == 422
    assert console.get("/admin/sites/demo/recipients/dmp-partner/checks").status_code == 404
