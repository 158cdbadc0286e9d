"""Second lawyer review of issue 11: a provision period may not outlast the consent it
relies on. A check made today for a period in 2099 was allowed, and its record said consent
was confirmed, although the consent expires after the site's lifetime (395 days): nothing
may allow a provision at a time the person's consent no longer covers."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient

from cmp import clock, consents, ids, jst, periods
from tests.conftest import SECRET
from tests.test_provision import check, decide, reasons


def test_review2_a_period_past_the_consent_expiry_is_denied(
    app: Flask, client: FlaskClient, api_key
) -> None:
    vid = decide(client, {"targeting": True}, {"dmp-partner": True})
    key = api_key("provision")
    lifetime = app.extensions["cmp.store"].get_site("demo").consent_lifetime_days
    today = jst.today()
    inside = (today + timedelta(days=lifetime - 2)).isoformat()
    beyond = (today + timedelta(days=lifetime + 2)).isoformat()
    assert reasons(check(client, key, "dmp-partner", [vid], provided_to=inside)) == {vid: None}
    for body in (
        {"provided_to": beyond},
        {"provided_from": "2099-01-01", "provided_to": "2099-12-31"},
    ):
        resp = check(client, key, "dmp-partner", [vid], **body)
        assert resp.status_code == 200
        assert reasons(resp) == {vid: periods.CONSENT_EXPIRES_IN_PERIOD}, body
    records = app.extensions["cmp.store"].query_provision_records("demo")
    assert [r.allowed_count for r in records] == [1, 0, 0]
    assert all("提供なし" in r.consent_confirmation for r in records[1:])


def test_review2_a_check_after_the_period_began_says_so(
    app: Flask, client: FlaskClient, api_key
) -> None:
    # Rule 26: consent is confirmed before providing. A check for a period that had already
    # begun is a confirmation made after the start: the record must not read as a prior one.
    store = app.extensions["cmp.store"]
    raw = ids.new_raw_id()
    consents.record(
        store, store.get_site("demo"), store.get_categories("demo"),
        store.get_recipients("demo"), raw, {"targeting": True}, {"dmp-partner": True},
        method="banner", gpc=False, ctx=consents.Context(),
        now=clock.now() - timedelta(days=10),
    )  # fmt: skip
    vid = ids.sign(SECRET, raw)
    start = clock.iso(clock.now() - timedelta(days=5))
    resp = check(client, api_key("provision"), "dmp-partner", [vid], provided_from=start)
    assert reasons(resp) == {vid: None}
    [record] = store.query_provision_records("demo")
    assert "の開始後に行った" in record.consent_confirmation
    assert "after the period began" in record.consent_confirmation
    now = check(client, api_key("provision"), "dmp-partner", [vid]).get_json()["record_id"]
    [plain] = [r for r in store.query_provision_records("demo") if r.record_id == now]
    assert "開始後" not in plain.consent_confirmation
