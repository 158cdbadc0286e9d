"""The consent API end to end on every backend: record, look up, history, opt-out, and every
kind of bad input, each showing that nothing stored changed."""

from __future__ import annotations

import json
import threading

import pytest
from flask import Flask
from flask.testing import FlaskClient

from cmp import ids
from cmp.receipts import verify_chain
from tests.conftest import SECRET

ORIGIN = "http://127.0.0.1:8000"
UA_CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Safari/537.36"
)


def decide(client: FlaskClient, **body: object):
    payload = {"policy_version": 1, "categories": {"analytics": True}, "lang": "ja", **body}
    return client.post(
        "/api/v1/sites/demo/consents",
        json=payload,
        headers={"Origin": ORIGIN, "User-Agent": UA_CHROME},
        environ_base={"REMOTE_ADDR": "203.0.113.77"},
    )


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def snapshot(app: Flask) -> tuple[object, ...]:
    """Everything a bad request could have changed."""
    store = app.extensions["cmp.store"]
    visitors = sorted(store.iter_visitors())
    states = [store.get_state("demo", v) for v in visitors]
    receipts = [store.get_receipts(None, v) for v in visitors]
    return visitors, states, receipts, store.get_site("demo"), store.get_categories("demo")


def test_config_has_etag_cors_and_languages(client: FlaskClient) -> None:
    resp = client.get("/api/v1/sites/demo/config?lang=en", headers={"Origin": ORIGIN})
    assert resp.status_code == 200
    doc = resp.get_json()
    assert doc["lang"] == "en" and doc["policy_version"] == 1
    assert [c["key"] for c in doc["categories"]] == ["essential", "analytics", "targeting"]
    assert doc["categories"][1]["gcm"] == ["analytics_storage"]
    ad = next(r for r in doc["recipients"] if r["key"] == "ad-global")
    assert ad["country"] == "United States" and ad["foreign"]["system"]
    assert doc["texts"]["accept_all"] == "Accept"
    assert doc["links"]["external_transmission"].endswith("/sites/demo/external-transmission")
    assert resp.headers["Access-Control-Allow-Origin"] == ORIGIN
    etag = resp.headers["ETag"]
    again = client.get("/api/v1/sites/demo/config?lang=en", headers={"If-None-Match": etag})
    assert again.status_code == 304
    ja = client.get("/api/v1/sites/demo/config").get_json()
    assert ja["texts"]["accept_all"] == "同意する" and ja["categories"][0]["name"] == "必須"


def test_config_cors_refuses_foreign_origin(client: FlaskClient) -> None:
    # CONTRACT D: a foreign origin gets a readable 403 that names the fix, never the config.
    resp = client.get("/api/v1/sites/demo/config", headers={"Origin": "https://evil.example"})
    assert resp.status_code == 403 and resp.get_json()["code"] == "origin_not_allowed"
    assert "categories" not in resp.get_json()
    assert resp.headers["Access-Control-Allow-Origin"] == "https://evil.example"
    pre = client.options(
        "/api/v1/sites/demo/consents",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    # The preflight passes so that the 403 of the request itself can be read.
    assert pre.status_code == 204
    assert pre.headers["Access-Control-Allow-Origin"] == "https://evil.example"
    ok = client.options(
        "/api/v1/sites/demo/consents",
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"},
    )
    assert ok.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "Access-Control-Allow-Credentials" not in ok.headers
    assert "POST" in ok.headers["Access-Control-Allow-Methods"]


def test_decision_lookup_history_and_opt_out(client: FlaskClient, api_key) -> None:
    first = decide(
        client,
        categories={"analytics": True, "targeting": True},
        recipients={"dmp-partner": True},
        aliases=[{"type": "cookie:_ga", "value": "GA1.2.3.4"}],
    )
    assert first.status_code == 201, first.get_json()
    body = first.get_json()
    vid = body["visitor_id"]
    assert ids.verify(SECRET, vid)
    assert body["consent"]["categories"] == {
        "essential": True,
        "analytics": True,
        "targeting": True,
    }
    assert body["consent"]["recipients"] == {
        "analytics-co": True,
        "dmp-partner": True,
        "ad-global": False,
    }
    assert body["consent"]["status"] == "active"
    assert first.headers["Access-Control-Allow-Origin"] == ORIGIN

    second = decide(client, visitor_id=vid, categories={"analytics": False}, method="preferences")
    assert second.status_code == 201 and second.get_json()["visitor_id"] == vid

    reader = api_key("read")
    state = client.get(f"/api/v1/sites/demo/consents/{vid}", headers=auth(reader))
    assert state.status_code == 200
    assert state.get_json()["categories"]["analytics"] is False
    assert state.get_json()["method"] == "preferences"

    history = client.get(f"/api/v1/sites/demo/consents/{vid}/receipts", headers=auth(reader))
    receipts = history.get_json()["receipts"]
    assert [r["seq"] for r in receipts] == [1, 2]
    assert receipts[1]["prev_hash"] == receipts[0]["hash"]
    assert receipts[0]["ua"]["browser"].startswith("Chrome") and receipts[0]["ua"]["bot"] is False
    assert receipts[0]["ip"] == "203.0.113.0"
    assert len(receipts[0]["texts_hash"]) == 64

    writer = api_key("write")
    out = client.post(
        "/api/v1/sites/demo/opt-outs",
        json={"visitor_id": vid, "categories": "all", "source": "email", "note": "電話で依頼"},
        headers=auth(writer),
    )
    assert out.status_code == 201
    consent = out.get_json()["consent"]
    assert consent["categories"] == {"essential": True, "analytics": False, "targeting": False}
    assert consent["opted_out"] == ["analytics", "targeting"] and consent["method"] == "opt-out"
    history = client.get(f"/api/v1/sites/demo/consents/{vid}/receipts", headers=auth(reader))
    last = history.get_json()["receipts"][-1]
    assert (
        last["method"] == "opt-out" and last["source"] == "email" and last["note"] == "電話で依頼"
    )


def test_opt_out_of_unseen_visitor_is_recorded(client: FlaskClient, api_key) -> None:
    _, vid = ids.issue(SECRET)
    resp = client.post(
        "/api/v1/sites/demo/opt-outs",
        json={"visitor_id": vid, "categories": ["targeting"]},
        headers=auth(api_key("write")),
    )
    assert resp.status_code == 201
    assert resp.get_json()["consent"]["opted_out"] == ["targeting"]


def test_gpc_header_and_method(client: FlaskClient) -> None:
    resp = client.post(
        "/api/v1/sites/demo/consents",
        json={"policy_version": 1, "categories": {"analytics": True}, "method": "gpc"},
        headers={"Sec-GPC": "1"},
    )
    consent = resp.get_json()["consent"]
    assert consent["gpc"] is True and consent["categories"]["analytics"] is False
    explicit = decide(client, gpc=True, categories={"analytics": True})
    assert explicit.get_json()["consent"]["categories"]["analytics"] is True
    assert explicit.get_json()["consent"]["gpc"] is True


def test_concurrent_decisions_through_the_api(app: Flask, client: FlaskClient) -> None:
    vid = decide(client).get_json()["visitor_id"]
    statuses: list[int] = []

    def post(on: bool) -> None:
        with app.test_client() as c:
            statuses.append(decide(c, visitor_id=vid, categories={"analytics": on}).status_code)

    threads = [threading.Thread(target=post, args=(i % 2 == 0,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [201] * 6
    store = app.extensions["cmp.store"]
    raw = ids.verify(SECRET, vid)
    receipts = store.get_receipts("demo", raw)
    assert len(receipts) == 7 and verify_chain(receipts, store.get_head(raw)) == []
    assert store.get_state("demo", raw).categories == receipts[-1].categories


BAD_DECISIONS = [
    (
        "forged id",
        {"visitor_id": "AAAAAAAAAAAAAAAAAAAAAA.forgedsignature"},
        400,
        "invalid_visitor_id",
    ),
    ("mistyped id", {"visitor_id": "not-an-id"}, 400, "invalid_visitor_id"),
    ("id of wrong type", {"visitor_id": 12}, 400, "invalid_visitor_id"),
    ("unknown category", {"categories": {"marketing": True}}, 422, "unknown_category"),
    ("unknown recipient", {"recipients": {"nobody": True}}, 422, "unknown_recipient"),
    ("stale policy", {"policy_version": 0}, 409, "policy_outdated"),
    ("version as text", {"policy_version": "1"}, 422, "validation_error"),
    ("category not bool", {"categories": {"analytics": "yes"}}, 422, "validation_error"),
    ("bad method", {"method": "shout"}, 422, "validation_error"),
    # A bad alias is left out of a decision, never refused: tests/test_aliases.py.
]


@pytest.mark.parametrize(
    ("name", "body", "status", "code"), BAD_DECISIONS, ids=[b[0] for b in BAD_DECISIONS]
)
def test_bad_decisions_change_nothing(
    app: Flask, client: FlaskClient, name: str, body: dict, status: int, code: str
) -> None:
    decide(client)
    before = snapshot(app)
    resp = decide(client, **body)
    assert resp.status_code == status, resp.get_json()
    assert resp.mimetype == "application/problem+json"
    problem = resp.get_json()
    assert problem["code"] == code and problem["status"] == status and problem["detail"]
    assert snapshot(app) == before


def test_unknown_site_not_json_and_too_large(app: Flask, client: FlaskClient) -> None:
    decide(client)
    before = snapshot(app)
    missing = client.post("/api/v1/sites/nosuch/consents", json={"policy_version": 1})
    assert missing.status_code == 404 and missing.get_json()["code"] == "unknown_site"
    assert client.get("/api/v1/sites/nosuch/config").status_code == 404
    text = client.post(
        "/api/v1/sites/demo/consents",
        data="policy_version=1",
        content_type="application/x-www-form-urlencoded",
    )
    assert text.status_code == 415 and text.get_json()["code"] == "unsupported_media_type"
    broken = client.post(
        "/api/v1/sites/demo/consents", data="{not json", content_type="application/json"
    )
    assert broken.status_code == 400 and broken.get_json()["code"] == "invalid_json"
    array = client.post("/api/v1/sites/demo/consents", data="[1]", content_type="application/json")
    assert array.status_code == 422
    huge = json.dumps({"policy_version": 1, "note": "x" * 40_000})
    big = client.post("/api/v1/sites/demo/consents", data=huge, content_type="application/json")
    assert big.status_code == 413 and big.get_json()["code"] == "payload_too_large"
    foreign = client.post(
        "/api/v1/sites/demo/consents",
        json={"policy_version": 1},
        headers={"Origin": "https://evil.example"},
    )
    assert foreign.status_code == 403 and foreign.get_json()["code"] == "origin_not_allowed"
    assert snapshot(app) == before


def test_api_keys_missing_wrong_scope_and_site(app: Flask, client: FlaskClient, api_key) -> None:
    vid = decide(client).get_json()["visitor_id"]
    before = snapshot(app)
    url = f"/api/v1/sites/demo/consents/{vid}"
    none = client.get(url)
    assert none.status_code == 401 and none.get_json()["code"] == "unauthorized"
    assert none.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get(url, headers=auth("cmp_00000000_wrong")).status_code == 401
    writer = api_key("write")
    denied = client.get(url, headers=auth(writer))
    assert denied.status_code == 403 and denied.get_json()["code"] == "forbidden"
    reader = api_key("read")
    out = client.post(
        "/api/v1/sites/demo/opt-outs",
        json={"visitor_id": vid, "categories": "all"},
        headers=auth(reader),
    )
    assert out.status_code == 403
    nokey = client.post(
        "/api/v1/sites/demo/opt-outs", json={"visitor_id": vid, "categories": "all"}
    )
    assert nokey.status_code == 401
    assert snapshot(app) == before


def test_lookup_errors(client: FlaskClient, api_key) -> None:
    reader = api_key("read")
    _, unseen = ids.issue(SECRET)
    resp = client.get(f"/api/v1/sites/demo/consents/{unseen}", headers=auth(reader))
    assert resp.status_code == 404 and resp.get_json()["code"] == "unknown_visitor"
    resp = client.get(f"/api/v1/sites/demo/consents/{unseen}/receipts", headers=auth(reader))
    assert resp.status_code == 404
    forged = client.get("/api/v1/sites/demo/consents/AAAA.BBBB", headers=auth(reader))
    assert forged.status_code == 400 and forged.get_json()["code"] == "invalid_visitor_id"


def test_bad_opt_outs_change_nothing(app: Flask, client: FlaskClient, api_key) -> None:
    vid = decide(client).get_json()["visitor_id"]
    writer = api_key("write")
    before = snapshot(app)
    for body, code in [
        ({"visitor_id": vid, "categories": ["essential"]}, "required_category"),
        ({"visitor_id": vid, "categories": ["nope"]}, "unknown_category"),
        ({"visitor_id": vid, "categories": "some"}, "validation_error"),
        ({"visitor_id": vid, "categories": []}, "validation_error"),
        ({"categories": "all"}, "validation_error"),
    ]:
        resp = client.post("/api/v1/sites/demo/opt-outs", json=body, headers=auth(writer))
        assert resp.status_code == 422 and resp.get_json()["code"] == code, body
    assert snapshot(app) == before


def test_openapi_document_lists_every_api_route(app: Flask, client: FlaskClient) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    documented = set(doc["paths"])
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.rule != "/api/v1/openapi.json":
            path = rule.rule.replace("<", "{").replace(">", "}")
            assert path in documented, path


def test_openapi_check_catches_a_stray_response(app: Flask) -> None:
    """The response validation used by every test really rejects a body outside the schema."""
    from flask import Response

    from cmp.api.openapi import spec
    from tests.openapi_check import check

    wrong = Response(json.dumps({"site": "demo"}), mimetype="application/json")
    problems = check(spec(), "/api/v1/sites/<site>/config", "GET", wrong)
    # the full config or its first-layer view (?view=banner): neither lacks policy_version
    assert problems and "not valid under any of the given schemas" in problems[0]
    teapot = Response("{}", status=418, mimetype="application/json")
    assert "not documented" in check(spec(), "/api/v1/sites/<site>/config", "GET", teapot)[0]


def test_public_posts_are_rate_limited_per_ip_and_site(store_url: str) -> None:
    from tests.conftest import make_app

    app = make_app(store_url, RATE_LIMIT="3/minute")
    client = app.test_client()
    body = {"policy_version": 1}
    codes = [client.post("/api/v1/sites/demo/consents", json=body).status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]
    limited = client.post("/api/v1/sites/demo/consents", json=body)
    assert limited.mimetype == "application/problem+json"
    assert limited.get_json()["code"] == "rate_limited" and limited.headers["Retry-After"]
    other_ip = client.post(
        "/api/v1/sites/demo/consents", json=body, environ_base={"REMOTE_ADDR": "198.51.100.1"}
    )
    assert other_ip.status_code == 201
    app.extensions["cmp.store"].close()


def test_config_banner_view_is_the_first_layer_subset_in_brotli(app: Flask) -> None:
    """``?view=banner``: no category description, no settings-only recipient fields or
    texts, the facts of linking recipients kept; brotli-encoded when accepted, with its own
    ETag; an unknown view is a 400."""
    import brotli

    client = app.test_client()
    full = client.get("/api/v1/sites/demo/config?lang=ja").get_json()
    resp = client.get("/api/v1/sites/demo/config?lang=ja&view=banner",
                      headers={"Accept-Encoding": "gzip, br"})  # fmt: skip
    assert resp.headers["Content-Encoding"] == "br" and resp.headers["ETag"].endswith('-b-br"')
    view = json.loads(brotli.decompress(resp.data))
    assert view["policy_version"] == full["policy_version"] and "joint_use" not in view
    assert all("description" not in c for c in view["categories"])
    assert [r["key"] for r in view["recipients"]] == [r["key"] for r in full["recipients"]]
    for r in view["recipients"]:
        assert "policy_url" not in r and ("items" in r) == r["links_personal_data"]
    assert "save" not in view["texts"]
    assert view["texts"]["accept_all"] == full["texts"]["accept_all"]
    assert len(resp.data) < len(client.get("/api/v1/sites/demo/config?lang=ja",
                                           headers={"Accept-Encoding": "gzip"}).data)  # fmt: skip
    bad = client.get("/api/v1/sites/demo/config?view=settings")
    assert bad.status_code == 400 and bad.get_json()["code"] == "invalid_view"
