"""CORS on every answer of the public endpoints, errors included, to the origin that asked:
readable 403 for a foreign origin, store-free preflights, cmp's own origin and trusted
hosts (CONTRACT D, docs/api.md). Every backend."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.conftest import make_app
from tests.servers import start_redis
from tests.test_public_edges import CONFIG, DECIDE, DECISION, FOREIGN, ORIGIN, STATE, _cors

# -- D: CORS on every answer, errors included -------------------------------------------------


def _error_cases() -> list[tuple[str, str, dict, dict, int, str]]:
    big = {"policy_version": 1, "pad": "x" * 20_000}
    return [
        (
            "POST",
            DECIDE,
            {"data": "{not json", "content_type": "application/json"},
            {},
            400,
            "invalid_json",
        ),
        (
            "POST",
            DECIDE,
            {"json": {**DECISION, "visitor_id": "no.good"}},
            {},
            400,
            "invalid_visitor_id",
        ),
        ("POST", DECIDE, {"json": DECISION}, {"Origin": FOREIGN}, 403, "origin_not_allowed"),
        ("GET", CONFIG, {}, {"Origin": FOREIGN}, 403, "origin_not_allowed"),
        ("POST", "/api/v1/sites/nosuch/consents", {"json": DECISION}, {}, 404, "unknown_site"),
        ("GET", "/api/v1/sites/nosuch/config", {}, {}, 404, "unknown_site"),
        ("POST", DECIDE, {"json": {**DECISION, "policy_version": 7}}, {}, 409, "policy_outdated"),
        ("POST", DECIDE, {"json": big}, {}, 413, "payload_too_large"),
        (
            "POST",
            DECIDE,
            {"data": "x", "content_type": "text/plain"},
            {},
            415,
            "unsupported_media_type",
        ),
        (
            "POST",
            DECIDE,
            {"json": {**DECISION, "categories": {"nope": True}}},
            {},
            422,
            "unknown_category",
        ),
        ("PUT", CONFIG, {}, {}, 405, "method_not_allowed"),
    ]


@pytest.mark.parametrize("case", range(len(_error_cases())))
def test_every_public_error_is_readable_cross_origin(client: FlaskClient, case: int) -> None:
    method, path, kwargs, headers, status, code = _error_cases()[case]
    origin = headers.get("Origin", ORIGIN)
    resp = client.open(path, method=method, headers={"Origin": origin}, **kwargs)
    assert resp.status_code == status and resp.get_json()["code"] == code, resp.data
    assert resp.mimetype == "application/problem+json"
    _cors(resp, origin)


def test_rate_limited_answer_is_readable(tmp_path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'c.sqlite3'}", RATE_LIMIT="2/minute")
    client = app.test_client()
    codes = [client.post(DECIDE, json=DECISION, headers={"Origin": ORIGIN}) for _ in range(3)]
    assert [r.status_code for r in codes] == [201, 201, 429]
    limited = codes[-1]
    assert (
        limited.get_json()["code"] == "rate_limited"
        and 0 < int(limited.headers["Retry-After"]) <= 61
    )
    _cors(limited)
    state = [
        client.post(STATE, json={"visitor_id": "x"}, headers={"Origin": ORIGIN}) for _ in range(3)
    ]
    assert state[-1].status_code == 429
    _cors(state[-1])
    app.extensions["cmp.store"].close()


def test_store_outage_is_readable_cross_origin(tmp_path) -> None:
    server = start_redis(appendonly=False)
    try:
        app = make_app(server.url)
        client = app.test_client()
        vid = client.post(DECIDE, json=DECISION).get_json()["visitor_id"]
        server.stop(kill=True)
        for method, path, body in (
            ("GET", CONFIG, None),
            ("POST", DECIDE, DECISION),
            ("POST", STATE, {"visitor_id": vid}),
        ):
            resp = client.open(path, method=method, json=body, headers={"Origin": ORIGIN})
            assert resp.status_code == 503 and resp.get_json()["code"] == "store_unavailable"
            assert resp.headers["Retry-After"]
            _cors(resp)
            # The preflight needs no store: the 503 itself stays readable.
            pre = client.options(path, headers={"Origin": ORIGIN})
            assert pre.status_code == 204
            _cors(pre)
        app.extensions["cmp.store"].close()
    finally:
        server.stop(kill=True)


def test_cmps_own_origin_is_allowed_on_any_port(store_url: str) -> None:
    app = make_app(store_url)
    client = app.test_client()
    for host in ("127.0.0.1:8123", "localhost:5000", "cmp.example"):
        own = {"Host": host, "Origin": f"http://{host}"}
        assert client.get(CONFIG, headers=own).status_code == 200
        resp = client.post(DECIDE, json=DECISION, headers=own)
        assert resp.status_code == 201
        _cors(resp, f"http://{host}")
        # Another port or scheme of the same host is another origin.
        other = {"Host": host, "Origin": f"https://{host}"}
        assert client.get(CONFIG, headers=other).status_code == 403
    app.extensions["cmp.store"].close()


def test_trusted_hosts_stop_a_domain_pointed_at_cmp(store_url: str) -> None:
    app = make_app(store_url, TRUSTED_HOSTS="cmp.example, localhost")
    client = app.test_client()
    ok = {"Host": "cmp.example", "Origin": "http://cmp.example"}
    assert client.post(DECIDE, json=DECISION, headers=ok).status_code == 201
    # evil.example resolves to cmp's address: as Host and Origin it would pass for cmp.
    rebound = {"Host": "evil.example", "Origin": "http://evil.example"}
    resp = client.post(DECIDE, json=DECISION, headers=rebound)
    assert resp.status_code == 400 and resp.mimetype == "application/problem+json"
    assert client.get(CONFIG, headers=rebound).status_code == 400
    app.extensions["cmp.store"].close()
