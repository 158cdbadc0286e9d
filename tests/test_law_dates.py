"""Issue 11 gap 5: a provision period may not start before the consent it relies on
(denied per id, not split), and days are Japanese calendar days (Asia/Tokyo) in records,
exports and the console; times stay ISO 8601 with an offset."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from cmp import clock, consents, ids, jst, periods, records
from cmp.admin.i18n import when
from tests.conftest import SECRET
from tests.test_provision import check, decide, reasons


@pytest.mark.parametrize(
    ("instant", "day"),
    [
        ("2026-04-30T14:59:59Z", "2026-04-30"),
        ("2026-04-30T15:00:00Z", "2026-05-01"),
        ("2026-05-01T00:00:00+09:00", "2026-05-01"),
        ("2026-12-31T23:00:00Z", "2027-01-01"),
        ("", ""),
    ],
)
def test_jst_day(instant: str, day: str) -> None:
    assert jst.day(instant) == day


@given(st.dates(min_value=date(1970, 1, 2), max_value=date(2200, 12, 31)))
def test_a_day_starts_at_midnight_in_japan(day: date) -> None:
    start = jst.day_start(day.isoformat())
    assert jst.day(start) == day.isoformat()
    assert jst.day(start - timedelta(seconds=1)) == (day - timedelta(days=1)).isoformat()
    assert jst.iso_jst(start) == f"{day.isoformat()}T00:00:00+09:00"


def test_console_shows_japan_time() -> None:
    assert when("2026-04-30T15:00:00Z") == "2026-05-01 00:00 JST"
    assert when("") == "—"


@pytest.mark.parametrize(
    ("consented", "start", "covers"),
    [
        ("2026-05-01T00:00:00Z", "2026-05-01T00:00:00Z", True),
        ("2026-05-01T00:00:00Z", "2026-05-02T00:00:00Z", True),
        ("2026-05-01T00:00:01Z", "2026-05-01T00:00:00Z", False),
        ("2026-05-01T00:00:00Z", "2020-01-01T00:00:00Z", False),
    ],
)
def test_consent_precedes(consented: str, start: str, covers: bool) -> None:
    assert periods.consent_precedes(consented, start) is covers


def test_a_period_before_the_consent_is_denied(app: Flask, client: FlaskClient, api_key) -> None:
    store = app.extensions["cmp.store"]
    site = store.get_site("demo")
    fresh = decide(client, {"targeting": True}, {"dmp-partner": True})
    # A visitor who consented in 2025 covers a period starting in 2026.
    raw_old = ids.new_raw_id()
    consents.record(
        store, site, store.get_categories("demo"), store.get_recipients("demo"), raw_old,
        {"targeting": True}, {"dmp-partner": True}, method="banner", gpc=False,
        ctx=consents.Context(), now=clock.now() - timedelta(days=200),
    )  # fmt: skip
    old = ids.sign(SECRET, raw_old)
    start = clock.iso(clock.now() - timedelta(days=100))
    key = api_key("provision")
    resp = check(client, key, "dmp-partner", [fresh, old], provided_from=start)
    assert reasons(resp) == {fresh: "consent_after_period_start", old: None}
    [record] = store.query_provision_records("demo")
    assert record.allowed_count == 1 and [vid for vid, _ in record.allowed] == [raw_old]
    # The case: a period in 2020 "confirmed" by a consent given now.
    resp = check(client, key, "dmp-partner", [fresh], provided_from="2020-01-01")
    assert reasons(resp) == {fresh: "consent_after_period_start"}
    # A period starting now or later needs nothing more.
    later = clock.iso(clock.now() + timedelta(hours=1))
    assert reasons(check(client, key, "dmp-partner", [fresh], provided_from=later)) == {fresh: None}


def test_batch_days_are_japanese_days_in_the_record_and_the_csv(
    app: Flask, client: FlaskClient, api_key
) -> None:
    vid = decide(client, {"targeting": True}, {"dmp-partner": True})
    tomorrow = jst.today() + timedelta(days=1)
    last = tomorrow + timedelta(days=30)
    resp = check(
        client, api_key("provision"), "dmp-partner", [vid],
        provided_from=tomorrow.isoformat(), provided_to=last.isoformat(),
    )  # fmt: skip
    assert resp.get_json()["allowed"] == resp.get_json()["lookup_ids"]  # the one id given
    [record] = app.extensions["cmp.store"].query_provision_records("demo")
    assert (record.first_day, record.last_day) == (tomorrow.isoformat(), last.isoformat())
    assert record.provided_from == clock.iso(jst.day_start(tomorrow.isoformat()))
    csv = client.get(
        "/api/v1/sites/demo/provision-records",
        query_string={"format": "csv", "lang": "ja"},
        headers={"Authorization": f"Bearer {api_key('read')}"},
    ).get_data(as_text=True)
    assert "提供の初日（日本時間）" in csv.splitlines()[0]
    [row] = records.parse_csv(csv)
    assert (row["first_day"], row["last_day"]) == (tomorrow.isoformat(), last.isoformat())
