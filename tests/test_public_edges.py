"""The public endpoints as the banner meets them: the config's new fields (cookie_domain,
since, sync), its compression, the decision's sync, consent-state, and CORS on every answer,
errors included (CONTRACT A-D, docs/api.md). Every backend."""

from __future__ import annotations

import gzip
from dataclasses import replace

from flask import Flask
from flask.testing import FlaskClient

from cmp import ids
from cmp.siteconfig import publish_policy
from tests.conftest import SECRET, make_app

ORIGIN = "http://127.0.0.1:8000"
FOREIGN = "https://evil.example"
CONFIG = "/api/v1/sites/demo/config"
DECIDE = "/api/v1/sites/demo/consents"
STATE = "/api/v1/sites/demo/consent-state"
DECISION = {"policy_version": 1, "categories": {"analytics": True, "targeting": True}}
EXPOSED = "ETag, Retry-After"


def _cors(resp, origin: str = ORIGIN) -> None:
    assert resp.headers.get("Access-Control-Allow-Origin") == origin, (resp.status, resp.data)
    assert resp.headers["Access-Control-Expose-Headers"] == EXPOSED
    assert "Origin" in resp.headers["Vary"]
    assert "Access-Control-Allow-Credentials" not in resp.headers


def _opt_out(client: FlaskClient, key: str, vid: str, categories: object = "all"):
    return client.post(
        "/api/v1/sites/demo/opt-outs",
        json={"visitor_id": vid, "categories": categories, "source": "support-desk"},
        headers={"Authorization": f"Bearer {key}"},
    )


# -- A: the config ---------------------------------------------------------------------------


def test_config_carries_cookie_domain_since_and_sync(app: Flask, client: FlaskClient) -> None:
    store = app.extensions["cmp.store"]
    doc = client.get(CONFIG, headers={"Origin": ORIGIN}).get_json()
    assert doc["cookie_domain"] is None and doc["sync"] == 0
    assert {r["key"]: r["since"] for r in doc["recipients"]} == {
        "analytics-co": 1,
        "dmp-partner": 1,
        "ad-global": 1,
    }
    site = store.get_site("demo")
    site.cookie_domain = ".dealer.example"
    store.put_site(site)
    # Version 2 changes dmp-partner's items (material) and ad-global's policy URL (not).
    changed = []
    for r in store.get_recipients("demo"):
        if r.key == "dmp-partner":
            r = replace(r, items={k: [*v, "位置情報"] for k, v in r.items.items()})
        if r.key == "ad-global":
            r = replace(r, policy_url="https://ad.example/privacy-v2")
        changed.append(r)
    store.put_recipients("demo", changed)
    publish_policy(store, "demo", "v2", bump=True)
    # Version 3 adds a recipient.
    new = replace(changed[0], key="heatmap-co")
    store.put_recipients("demo", [*changed, new])
    publish_policy(store, "demo", "v3", bump=True)
    doc = client.get(CONFIG).get_json()
    assert doc["policy_version"] == 3 and doc["cookie_domain"] == ".dealer.example"
    assert {r["key"]: r["since"] for r in doc["recipients"]} == {
        "analytics-co": 1,
        "dmp-partner": 2,
        "ad-global": 1,
        "heatmap-co": 3,
    }


def test_sync_counts_operator_changes_and_moves_the_etag(client: FlaskClient, api_key) -> None:
    key = api_key("write")
    first = client.post(DECIDE, json=DECISION, headers={"Origin": ORIGIN})
    assert first.status_code == 201 and first.get_json()["sync"] == 0
    vid = first.get_json()["visitor_id"]
    before = client.get(CONFIG)
    assert before.get_json()["sync"] == 0
    assert _opt_out(client, key, vid).status_code == 201
    after = client.get(CONFIG)
    assert after.get_json()["sync"] == 1 and after.headers["ETag"] != before.headers["ETag"]
    assert client.get(CONFIG, headers={"If-None-Match": before.headers["ETag"]}).status_code == 200
    # The visitor's own banner decision does not count; another opt-out does.
    again = client.post(DECIDE, json={**DECISION, "visitor_id": vid})
    assert again.get_json()["sync"] == 1
    assert client.get(CONFIG).get_json()["sync"] == 1
    assert _opt_out(client, key, vid, ["targeting"]).status_code == 201
    assert client.get(CONFIG).get_json()["sync"] == 2


def test_config_is_gzipped_once_with_an_etag_per_encoding(tmp_path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'c.sqlite3'}", CONFIG_CACHE_SECONDS=60.0)
    client = app.test_client()
    plain = client.get(CONFIG, headers={"Origin": ORIGIN})
    zipped = client.get(CONFIG, headers={"Origin": ORIGIN, "Accept-Encoding": "gzip, br"})
    assert "Content-Encoding" not in plain.headers
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    assert len(zipped.data) * 2 < len(plain.data)
    for resp in (plain, zipped):
        assert "Accept-Encoding" in resp.headers["Vary"] and "Origin" in resp.headers["Vary"]
        _cors(resp)
    tag, tag_gz = plain.headers["ETag"], zipped.headers["ETag"]
    assert tag != tag_gz and not tag.startswith("W/") and not tag_gz.startswith("W/")
    # A conditional request matches the tag of the representation it would get.
    gz = {"Accept-Encoding": "gzip", "Origin": ORIGIN}
    hit = client.get(CONFIG, headers={**gz, "If-None-Match": tag_gz})
    assert hit.status_code == 304 and hit.headers["ETag"] == tag_gz and hit.data == b""
    _cors(hit)
    assert client.get(CONFIG, headers={**gz, "If-None-Match": tag}).status_code == 200
    assert client.get(CONFIG, headers={"If-None-Match": tag}).status_code == 304
    # Compressed once per built config: the cached document's own bytes are served.
    cache = app.extensions["cmp.config_cache"]
    built = cache.get(
        app.extensions["cmp.store"],
        "demo",
        "ja",
        plain.get_json()["links"]["external_transmission"],
    )
    again = client.get(CONFIG, headers=gz)
    assert again.data == built.gzipped and again.headers["ETag"] == f'"{built.etag_gzip}"'
    app.extensions["cmp.store"].close()


def test_banner_script_is_gzipped(client: FlaskClient) -> None:
    resp = client.get("/cmp.js", headers={"Accept-Encoding": "gzip"})
    assert resp.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in resp.headers["Vary"]
    assert gzip.decompress(resp.data) == client.get("/cmp.js").data


# -- B: the decision -------------------------------------------------------------------------


def test_decision_201_carries_sync_and_no_retry_after(store_url: str) -> None:
    app = make_app(store_url, RATE_LIMIT="100/minute")
    resp = app.test_client().post(DECIDE, json=DECISION, headers={"Origin": ORIGIN})
    assert resp.status_code == 201 and resp.get_json()["sync"] == 0
    assert "Retry-After" not in resp.headers
    assert not [h for h in resp.headers.keys() if h.lower().startswith("x-ratelimit")]
    _cors(resp)
    app.extensions["cmp.store"].close()


# -- C: consent-state ------------------------------------------------------------------------


def test_consent_state_shows_an_operator_opt_out(client: FlaskClient, api_key) -> None:
    decided = client.post(DECIDE, json=DECISION, headers={"Origin": ORIGIN}).get_json()
    vid = decided["visitor_id"]
    assert decided["consent"]["categories"]["targeting"] is True
    assert _opt_out(client, api_key("write"), vid).status_code == 201
    config = client.get(CONFIG, headers={"Origin": ORIGIN}).get_json()
    assert config["sync"] > decided["sync"]
    resp = client.post(STATE, json={"visitor_id": vid}, headers={"Origin": ORIGIN})
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    _cors(resp)
    body = resp.get_json()
    assert set(body) == {"consent", "sync"} and body["sync"] == config["sync"]
    assert body["consent"]["categories"] == {
        "essential": True,
        "analytics": False,
        "targeting": False,
    }
    assert set(body["consent"]["opted_out"]) == {"analytics", "targeting"}
    assert set(body["consent"]) == set(decided["consent"])
    assert body["consent"]["visitor_id"] == vid


def test_consent_state_errors(client: FlaskClient) -> None:
    head = {"Origin": ORIGIN}
    cases = [
        ({"visitor_id": "forged.sig"}, head, 400, "invalid_visitor_id"),
        ({"visitor_id": 12}, head, 400, "invalid_visitor_id"),
        ({"visitor_id": ids.issue(SECRET)[1]}, head, 404, "unknown_visitor"),
        ({}, head, 422, "validation_error"),
        ({"visitor_id": ids.issue(SECRET)[1]}, {"Origin": FOREIGN}, 403, "origin_not_allowed"),
    ]
    for body, headers, status, code in cases:
        resp = client.post(STATE, json=body, headers=headers)
        assert (resp.status_code, resp.get_json()["code"]) == (status, code), body
        assert resp.mimetype == "application/problem+json"
        _cors(resp, headers["Origin"])
    missing = client.post("/api/v1/sites/nosuch/consent-state", json={}, headers=head)
    assert missing.status_code == 404 and missing.get_json()["code"] == "unknown_site"
    _cors(missing)
    pre = client.options(STATE, headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"})
    assert pre.status_code == 204 and pre.headers["Access-Control-Allow-Methods"] == "POST"
    assert pre.headers["Access-Control-Allow-Headers"] == "Content-Type"
    _cors(pre)
