"""Edge-case input on every backend: lone surrogates in JSON and out-of-range times.

A JSON body may escape an unpaired surrogate (``"\\ud800"``), which Python decodes into a
string that cannot be encoded as UTF-8; a time may be valid ISO 8601 yet overflow on its way
to UTC or when retention days are added to it. Each must be a clear 4xx problem+json (never
a 500), and nothing stored may change.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from cmp import ids, provision
from tests.conftest import SECRET
from tests.test_provision import ORIGIN, decide

SITE = "/api/v1/sites/demo"
PROVIDER = '{"name": "a", "address": "b", "representative": "c"}'


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def snapshot(app: Flask) -> tuple[object, ...]:
    """Everything a bad request could have changed, records included."""
    store = app.extensions["cmp.store"]
    visitors = sorted(store.iter_visitors())
    return (
        visitors,
        [store.get_state("demo", v) for v in visitors],
        [store.get_receipts(None, v) for v in visitors],
        store.get_site("demo"),
        store.get_categories("demo"),
        store.get_recipients("demo"),
        [r.to_dict() for r in store.query_provision_records("demo")],
        [r.to_dict() for r in store.query_received_provisions("demo")],
    )


def _problem(resp, status: int, code: str) -> dict:
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == "application/problem+json"
    problem = resp.get_json()
    assert problem["code"] == code and problem["status"] == status and problem["detail"]
    return problem


# (name, path, raw body with {vid} for a signed visitor id, scope of the key or None)
SURROGATES = [
    ("category key", "/consents", '{"policy_version": 1, "categories": {"\\ud800": true}}', None),
    (
        "recipient key",
        "/consents",
        '{"policy_version": 1, "categories": {}, "recipients": {"\\udfff": true}}',
        None,
    ),
    (
        "alias type",
        "/consents",
        '{"policy_version": 1, "categories": {}, '
        '"aliases": [{"type": "cookie:\\ud800", "value": "x"}]}',
        None,
    ),
    ("nested value", "/consents", '{"policy_version": 1, "x": [{"y": ["\\ud800"]}]}', None),
    (
        "reversed pair",
        "/consents",
        '{"policy_version": 1, "categories": {}, "lang": "\\ude00\\ud83d"}',
        None,
    ),
    (
        "check recipient",
        "/provision-checks",
        '{"recipient": "\\ud800", "items": ["a"], "visitor_ids": ["{vid}"]}',
        "provision",
    ),
    (
        "check items",
        "/provision-checks",
        '{"recipient": "dmp-partner", "items": ["\\ud800"], "visitor_ids": ["{vid}"]}',
        "provision",
    ),
    (
        "check identifier type",
        "/provision-checks",
        '{"recipient": "dmp-partner", "items": ["Cookie ID"], '
        '"identifiers": [{"type": "\\ud800", "value": "x"}]}',
        "provision",
    ),
    (
        "opt-out note",
        "/opt-outs",
        '{"visitor_id": "{vid}", "categories": "all", "note": "\\ud800"}',
        "write",
    ),
    (
        "alias link type",
        "/aliases",
        '{"visitor_id": "{vid}", "aliases": [{"type": "idfa\\ud800", "value": "x"}]}',
        "write",
    ),
    (
        "received person_id",
        "/received-provisions",
        '{"provider": ' + PROVIDER + ', "items": ["x"], "person_id": "\\ud800", '
        '"consent_statement": "s"}',
        "provision",
    ),
]


@pytest.mark.parametrize(
    ("name", "path", "raw", "scope"), SURROGATES, ids=[s[0] for s in SURROGATES]
)
def test_lone_surrogates_are_invalid_json_and_change_nothing(
    app: Flask,
    client: FlaskClient,
    api_key,
    name: str,
    path: str,
    raw: str,
    scope: str | None,
) -> None:
    vid = decide(client, {"targeting": True}, {"dmp-partner": True})
    headers = {"Origin": ORIGIN, **(auth(api_key(scope)) if scope else {})}
    before = snapshot(app)
    resp = client.post(
        SITE + path,
        data=raw.replace("{vid}", vid).encode("ascii"),
        content_type="application/json",
        headers=headers,
    )
    problem = _problem(resp, 400, "invalid_json")
    assert "surrogate" in problem["detail"]
    assert snapshot(app) == before


def test_a_valid_surrogate_pair_is_still_text(app: Flask, client: FlaskClient, api_key) -> None:
    vid = decide(client, {"targeting": True}, {"dmp-partner": True})
    raw = '{"visitor_id": "VID", "categories": "all", "note": "\\ud83d\\ude00"}'.replace("VID", vid)
    resp = client.post(
        f"{SITE}/opt-outs",
        data=raw,
        content_type="application/json",
        headers=auth(api_key("write")),
    )
    assert resp.status_code == 201, resp.get_json()
    latest = app.extensions["cmp.store"].get_receipts(None, ids.verify(SECRET, vid))[-1]
    assert "\U0001f600" in str(latest)
    unknown = client.post(
        f"{SITE}/consents",
        data='{"policy_version": 1, "categories": {"\\ud83d\\ude00": true}}',
        content_type="application/json",
        headers={"Origin": ORIGIN},
    )
    _problem(unknown, 422, "unknown_category")


OUT_OF_RANGE = ["9999-12-31", "0001-01-01T00:00:00+01:00", "1969-12-31", "2201-01-01"]


@pytest.mark.parametrize("when", OUT_OF_RANGE)
@pytest.mark.parametrize("name", ["provided_from", "provided_to"])
def test_provision_check_times_out_of_range(
    app: Flask,
    client: FlaskClient,
    api_key,
    name: str,
    when: str,
) -> None:
    vid = decide(client, {"targeting": True}, {"dmp-partner": True})
    key = api_key("provision")
    before = snapshot(app)
    body = {"recipient": "dmp-partner", "items": ["閲覧履歴"], "visitor_ids": [vid], name: when}
    resp = client.post(f"{SITE}/provision-checks", json=body, headers=auth(key))
    assert _problem(resp, 422, "validation_error")["field"] == name
    assert snapshot(app) == before


@pytest.mark.parametrize("when", OUT_OF_RANGE)
def test_received_at_out_of_range(app: Flask, client: FlaskClient, api_key, when: str) -> None:
    key = api_key("provision")
    before = snapshot(app)
    body = {
        "provider": {"name": "a", "address": "b", "representative": "c"},
        "items": ["x"],
        "person_id": "p",
        "consent_statement": "s",
        "received_at": when,
    }
    resp = client.post(f"{SITE}/received-provisions", json=body, headers=auth(key))
    assert _problem(resp, 422, "validation_error")["field"] == "received_at"
    assert snapshot(app) == before


@pytest.mark.parametrize("when", [*OUT_OF_RANGE, "0001-01-01", "9999-12-31T23:59:59-01:00"])
@pytest.mark.parametrize("name", ["from", "to"])
@pytest.mark.parametrize("path", ["/provision-records", "/received-provisions"])
def test_listing_times_out_of_range(
    client: FlaskClient,
    api_key,
    path: str,
    name: str,
    when: str,
) -> None:
    resp = client.get(f"{SITE}{path}", query_string={name: when}, headers=auth(api_key("read")))
    assert _problem(resp, 422, "validation_error")["field"] == name


def test_times_at_the_edges_of_the_range_are_taken(
    app: Flask,
    client: FlaskClient,
    api_key,
) -> None:
    vid = decide(client, {"targeting": True}, {"dmp-partner": True})
    body = {
        "recipient": "dmp-partner",
        "items": ["閲覧履歴"],
        "visitor_ids": [vid],
        "provided_from": "1970-01-01",
        "provided_to": "2200-12-31",
    }
    resp = client.post(f"{SITE}/provision-checks", json=body, headers=auth(api_key("provision")))
    assert resp.status_code == 200, resp.get_json()
    (record,) = app.extensions["cmp.store"].query_provision_records("demo")
    # A bare day is a Japanese calendar day: 2200-12-31 starts at 00:00 JST.
    assert record.provided_to == "2200-12-30T15:00:00Z" and record.last_day == "2200-12-31"
    # Three calendar years after the last provision, never less (Rule 29).
    assert "2203-12-30T15:00:00Z" <= record.retention_until <= "2204-01-01T00:00:00Z"
    listed = client.get(
        f"{SITE}/provision-records",
        query_string={"from": "1970-01-01", "to": "2200-12-31T23:59:59Z"},
        headers=auth(api_key("read")),
    )
    assert listed.status_code == 200 and listed.get_json()["count"] == 1


def test_retention_past_the_last_date_is_capped(
    app: Flask,
    client: FlaskClient,
    api_key,
) -> None:
    # An operator may configure any positive number of days; the sum must not overflow.
    app.config["PROVISION_RETENTION_DAYS"] = 10**12
    vid = decide(client, {"targeting": True}, {"dmp-partner": True})
    key = api_key("provision")
    body = {"recipient": "dmp-partner", "items": ["閲覧履歴"], "visitor_ids": [vid]}
    assert client.post(f"{SITE}/provision-checks", json=body, headers=auth(key)).status_code == 200
    received = {
        "provider": {"name": "a", "address": "b", "representative": "c"},
        "items": ["x"],
        "person_id": "p",
        "consent_statement": "s",
    }
    resp = client.post(f"{SITE}/received-provisions", json=received, headers=auth(key))
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["retention_until"] == "9999-12-31T23:59:59Z"
    (record,) = app.extensions["cmp.store"].query_provision_records("demo")
    assert record.retention_until == "9999-12-31T23:59:59Z"


def test_retention_until_arithmetic() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert provision.retention_until(start, 3) == "2026-01-04T00:00:00Z"
    last = "9999-12-31T23:59:59Z"
    assert provision.retention_until(datetime(9999, 12, 1, tzinfo=UTC), 365) == last
    assert provision.retention_until(start, 10**12) == last


def test_a_non_ascii_digit_limit_is_a_422_not_a_500(client: FlaskClient, api_key) -> None:
    """``limit=²`` (from the review of issue 12): "²".isdigit() is true, int() refuses it."""
    resp = client.get(
        "/api/v1/sites/demo/provision-records?limit=%C2%B2",
        headers={"Authorization": f"Bearer {api_key('read')}"},
    )
    assert resp.status_code == 422
    assert resp.get_json()["code"] == "validation_error"
