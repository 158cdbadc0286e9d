"""Second lawyer review of issue 11: routes abroad and exemptions must fit the recipient.

- A 基準適合体制 or consent-with-information route (both for a 外国にある第三者) could be
  saved with 日本 as the country; its records then read 「外国（日本）にある提供先…」, a false
  statement, and a check ran on it.
- A recipient on a route abroad (a third party in a foreign country, Art. 28) or a joint user
  (another company of the group) could claim the first-party exemption, 「当サイト自身に
  送信される識別子」: a third party is never the operator itself.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from flask import Flask
from flask.testing import FlaskClient

from cmp import exemptions
from cmp.seed import demo_categories, demo_recipients
from cmp.siteconfig import publish_policy
from tests.test_admin_recipients import FOREIGN, NEW
from tests.test_admin_support import Console, errors_of, sign_in
from tests.test_provision import check, decide

ESSENTIAL = demo_categories()[0]
JAPAN = {"country_ja": "日本", "country_en": "Japan"}


@pytest.mark.parametrize(
    "route",
    [
        {"foreign_route": "system", "system_basis": "contract"},
        {**FOREIGN, "foreign_route": "consent"},
    ],
)
def test_review2_a_route_abroad_is_refused_for_a_recipient_in_japan(
    app: Flask, route: dict
) -> None:
    console: Console = sign_in(app, "admin")
    resp = console.post("/admin/sites/demo/recipients/new", {**NEW, **route, **JAPAN})
    assert resp.status_code == 422
    assert "日本" in errors_of(resp.text, "foreign_route")
    assert all(r.key != "heatmap-co" for r in app.extensions["cmp.store"].get_recipients("demo"))


def test_review2_a_check_never_records_japan_as_abroad(
    app: Flask, client: FlaskClient, api_key
) -> None:
    # Saved before the console refused it: the check is refused, no record says 外国（日本）.
    store = app.extensions["cmp.store"]
    dmp = demo_recipients()[1]
    moved = replace(dmp, foreign_route="system", system_basis="contract")
    store.put_recipients(
        "demo", [moved if r.key == dmp.key else r for r in store.get_recipients("demo")]
    )
    publish_policy(store, "demo", "system route", bump=True)
    vid = decide(client, {"targeting": True}, {"dmp-partner": True}, policy_version=2)
    resp = check(client, api_key("provision"), "dmp-partner", [vid])
    assert resp.status_code == 422
    assert resp.get_json()["code"] == "foreign_route_in_japan"
    assert not any(
        "外国（日本）" in r.foreign_info_confirmation for r in store.query_provision_records("demo")
    )


@pytest.mark.parametrize(
    "extra",
    [
        {"foreign_route": "system", "system_basis": "contract", "country_ja": "シンガポール",
         "country_en": "Singapore"},
        {"foreign_route": "equivalent", "country_code": "DE"},
    ],
)  # fmt: skip
def test_review2_a_third_party_abroad_is_never_first_party(app: Flask, extra: dict) -> None:
    console: Console = sign_in(app, "admin")
    body = {**NEW, "category": "essential", "exemption": "first_party", "operator_itself": "y"}
    resp = console.post("/admin/sites/demo/recipients/new", {**body, **extra})
    assert resp.status_code == 422
    assert errors_of(resp.text, "exemption")


def test_review2_exemption_rule_knows_third_parties() -> None:
    found = exemptions.problem(
        "first_party",
        links_personal_data=False,
        category=ESSENTIAL,
        operator_itself=True,
        third_party=True,
    )
    assert found == "err_exempt_third_party"
    # A recipient abroad may still be needed for the service (a CDN): not a first-party claim.
    assert (
        exemptions.problem(
            "necessary",
            links_personal_data=False,
            category=ESSENTIAL,
            operator_itself=False,
            third_party=True,
        )
        is None
    )
    saved = replace(demo_recipients()[0], category="essential", exemption="first_party")
    assert exemptions.standing(saved, ESSENTIAL) == "first_party"
    assert exemptions.standing(replace(saved, joint_user=True), ESSENTIAL) == ""
    abroad = replace(saved, foreign_route="equivalent", country_code="FR")
    assert exemptions.standing(abroad, ESSENTIAL) == ""
