"""Security: headers on pages and API, CORS exactly as configured, rate limits, API keys."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask

from cmp import security
from cmp.admin import CSP as ADMIN_CSP
from cmp.apikeys import hash_secret, issue, revoke
from cmp.model import Site
from cmp.public.notice import CSP as NOTICE_CSP
from cmp.seed import DEMO_ORIGINS, demo_categories
from cmp.siteconfig import publish_policy
from tests.conftest import make_app
from tests.servers import RedisServer
from tests.serving import request, seeded, serve

FOREIGN = "https://evil.example.com"
ALLOWED = DEMO_ORIGINS[0]
DECISION = {"policy_version": 1, "categories": {"analytics": True}}


@pytest.fixture
def sqlite_app(tmp_path: Path) -> Iterator[Flask]:
    app = make_app(f"sqlite:///{tmp_path / 'cmp.sqlite3'}")
    yield app
    app.extensions["cmp.store"].close()


@pytest.fixture
def flushed(redis_server: RedisServer) -> RedisServer:
    client = redis_server.client()
    client.flushall()
    client.close()
    return redis_server


# -- headers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/sites/demo/config",
        "/api/v1/openapi.json",
        "/api/v1/sites/nosuch/config",
        "/api/v1/sites/demo/consents/x.y",
    ],
)
def test_api_responses_carry_strict_headers(sqlite_app: Flask, path: str) -> None:
    resp = sqlite_app.test_client().get(path)
    assert resp.headers["Content-Security-Policy"] == security.API_CSP
    assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["Referrer-Policy"] == "no-referrer"
    assert "Strict-Transport-Security" not in resp.headers


def test_pages_keep_their_own_policy_and_the_rest_get_frame_ancestors(sqlite_app: Flask) -> None:
    client = sqlite_app.test_client()
    demo = client.get("/demo")
    # The plain demo behaves like an ordinary shop page: no script rules, but no framing.
    assert demo.headers["Content-Security-Policy"] == security.PAGE_CSP
    assert "script-src" not in demo.headers["Content-Security-Policy"]
    strict = client.get("/demo/csp").headers["Content-Security-Policy"]
    assert strict.startswith("script-src 'self'") and "frame-ancestors" not in strict
    notice = client.get("/sites/demo/external-transmission")
    assert notice.status_code == 200
    assert notice.headers["Content-Security-Policy"] == NOTICE_CSP
    admin = client.get("/admin/login")
    assert admin.headers["Content-Security-Policy"] == ADMIN_CSP
    assert admin.headers["X-Frame-Options"] == "DENY"
    # The demo's sample video player stands in for a third-party embed: frameable anywhere.
    frame = client.get("/demo/frame")
    assert "Content-Security-Policy" not in frame.headers and "X-Frame-Options" not in frame.headers
    for path in (
        "/demo",
        "/demo/frame",
        "/cmp.js",
        "/healthz",
        "/sites/demo/external-transmission",
    ):
        assert client.get(path).headers["X-Content-Type-Options"] == "nosniff", path


def test_hsts_only_over_https(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cmp.sqlite3'}"
    direct = make_app(url)
    client = direct.test_client()
    assert "Strict-Transport-Security" not in client.get("/demo").headers
    secure = client.get("/api/v1/sites/demo/config", base_url="https://cmp.example.jp")
    assert secure.headers["Strict-Transport-Security"] == security.HSTS
    # A forged X-Forwarded-Proto is ignored unless the operator trusts a proxy...
    forged = client.get("/demo", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in forged.headers
    direct.extensions["cmp.store"].close()
    # ...and honoured behind one (TLS ends at the load balancer).
    proxied = make_app(url, TRUST_PROXY=1)
    behind = proxied.test_client().get("/demo", headers={"X-Forwarded-Proto": "https"})
    assert behind.headers["Strict-Transport-Security"] == security.HSTS
    proxied.extensions["cmp.store"].close()


# -- CORS ------------------------------------------------------------------------------------


def test_cors_only_for_the_sites_origins(sqlite_app: Flask) -> None:
    client = sqlite_app.test_client()
    config = "/api/v1/sites/demo/config"
    # CONTRACT D: a foreign origin reads a 403 problem (and nothing else), never the config.
    foreign = client.get(config, headers={"Origin": FOREIGN})
    assert foreign.status_code == 403 and foreign.get_json()["code"] == "origin_not_allowed"
    assert foreign.headers["Access-Control-Allow-Origin"] == FOREIGN
    assert set(foreign.get_json()) == {"type", "title", "status", "detail", "code"}
    assert "Origin" in foreign.headers["Vary"]
    allowed = client.get(config, headers={"Origin": ALLOWED})
    assert allowed.status_code == 200
    assert allowed.headers["Access-Control-Allow-Origin"] == ALLOWED
    # Look-alikes of an allowed origin are foreign.
    for near in (ALLOWED + ".evil.example", ALLOWED + ":1", ALLOWED.upper(), ALLOWED + "/"):
        assert client.get(config, headers={"Origin": near}).status_code == 403, near
    # Never a wildcard and never credentials: the banner sends no cookies to cmp.
    for resp in (foreign, allowed):
        assert "Access-Control-Allow-Credentials" not in resp.headers
        assert resp.headers["Access-Control-Allow-Origin"] != "*"
    null = client.get(config, headers={"Origin": "null"})
    assert null.status_code == 403 and "Access-Control-Allow-Origin" not in null.headers


def test_preflight_for_a_foreign_origin_lets_the_403_be_read(sqlite_app: Flask) -> None:
    client = sqlite_app.test_client()
    path = "/api/v1/sites/demo/consents"
    asks = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    for origin in (FOREIGN, ALLOWED):
        granted = client.options(path, headers={"Origin": origin, **asks})
        assert granted.status_code == 204
        assert granted.headers["Access-Control-Allow-Origin"] == origin
        assert granted.headers["Access-Control-Allow-Methods"] == "POST"
        assert "Access-Control-Allow-Credentials" not in granted.headers


def test_foreign_origin_cannot_record_a_decision(sqlite_app: Flask) -> None:
    store = sqlite_app.extensions["cmp.store"]
    before = sum(1 for _ in store.iter_visitors())
    resp = sqlite_app.test_client().post(
        "/api/v1/sites/demo/consents", json=DECISION, headers={"Origin": FOREIGN}
    )
    assert resp.status_code == 403 and resp.get_json()["code"] == "origin_not_allowed"
    assert FOREIGN in resp.get_json()["detail"] and "admin" in resp.get_json()["detail"]
    assert resp.headers["Access-Control-Allow-Origin"] == FOREIGN
    assert sum(1 for _ in store.iter_visitors()) == before


# -- rate limits -----------------------------------------------------------------------------


def _second_site(app: Flask) -> None:
    store = app.extensions["cmp.store"]
    store.put_site(Site(key="shop", name="shop"))
    store.put_categories("shop", demo_categories())
    publish_policy(store, "shop", "初版", bump=False)


def test_rate_limit_is_per_site(flushed: RedisServer) -> None:
    app = make_app(flushed.url, RATE_LIMIT="3/minute")
    _second_site(app)
    client = app.test_client()
    demo = [client.post("/api/v1/sites/demo/consents", json=DECISION) for _ in range(4)]
    assert [r.status_code for r in demo] == [201, 201, 201, 429]
    limited = demo[-1]
    assert limited.mimetype == "application/problem+json"
    assert limited.get_json()["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) > 0
    # The same client on another site has its own budget.
    assert client.post("/api/v1/sites/shop/consents", json=DECISION).status_code == 201
    # Reads are not limited: the banner's config fetch must always work.
    assert all(client.get("/api/v1/sites/demo/config").status_code == 200 for _ in range(10))
    app.extensions["cmp.store"].close()


def test_rate_limit_per_ip_behind_a_trusted_proxy_only(flushed: RedisServer) -> None:
    def posts(app: Flask, forwarded: str) -> int:
        client = app.test_client()
        headers = {"X-Forwarded-For": forwarded}
        codes = [
            client.post("/api/v1/sites/demo/consents", json=DECISION, headers=headers).status_code
            for _ in range(3)
        ]
        return codes.count(201)

    direct = make_app(flushed.url, RATE_LIMIT="2/minute")
    # Without a trusted proxy a forged X-Forwarded-For buys no fresh budget.
    assert posts(direct, "203.0.113.1") == 2
    assert posts(direct, "203.0.113.2") == 0
    direct.extensions["cmp.store"].close()
    client = flushed.client()
    client.flushall()
    client.close()
    proxied = make_app(flushed.url, RATE_LIMIT="2/minute", TRUST_PROXY=1)
    assert posts(proxied, "203.0.113.1") == 2
    assert posts(proxied, "203.0.113.2") == 2
    proxied.extensions["cmp.store"].close()


def test_rate_limit_budget_is_shared_by_every_worker(flushed: RedisServer, tmp_path: Path) -> None:
    seeded(flushed.url).close()
    app = serve(flushed.url, tmp_path, workers=2, env={"CMP_RATE_LIMIT": "10/minute"})
    try:
        codes = [
            request(app.port, "POST", "/api/v1/sites/demo/consents", DECISION) for _ in range(16)
        ]
    finally:
        app.stop()
    statuses = [c[0] for c in codes]
    # Two processes with counters of their own would let up to 20 through.
    assert statuses.count(201) == 10 and statuses.count(429) == 6, statuses
    assert all(c[1] == "application/problem+json" for c in codes if c[0] == 429)


# -- API keys --------------------------------------------------------------------------------


def test_api_keys_are_stored_hashed_only(flushed: RedisServer) -> None:
    app = make_app(flushed.url)
    store = app.extensions["cmp.store"]
    record, plain = issue(store, "demo", ["read"])
    stored = store.list_api_keys("demo")[0]
    assert stored.secret_hash == hash_secret(plain) != plain
    assert plain not in str(stored.to_dict())
    # Nowhere in Redis, under any key, is the plain key or its secret part.
    raw = redis.Redis(port=flushed.port)
    try:
        # cmp_<hex key id>_<secret>: the secret itself may contain '_', so split from the left.
        secret_part = plain.split("_", 2)[2].encode()
        assert len(secret_part) >= 40
        for key in raw.scan_iter(count=1000):
            kind = raw.type(key)
            values = [raw.get(key)] if kind == b"string" else []
            if kind == b"hash":
                values = list(raw.hgetall(key).values())
            assert all(secret_part not in (v or b"") for v in values), key
    finally:
        raw.close()
    app.extensions["cmp.store"].close()


def test_api_key_checks(sqlite_app: Flask) -> None:
    from cmp.api import auth

    store = sqlite_app.extensions["cmp.store"]
    client = sqlite_app.test_client()
    path = "/api/v1/sites/demo/consents/x.y"
    _, plain = issue(store, "demo", ["read"])
    _second_site(sqlite_app)
    _, other = issue(store, "shop", ["read"])
    _, write_only = issue(store, "demo", ["write"])

    def code(key: str) -> int:
        return client.get(path, headers={"Authorization": f"Bearer {key}"}).status_code

    visitor = client.post("/api/v1/sites/demo/consents", json=DECISION).get_json()["visitor_id"]
    path = f"/api/v1/sites/demo/consents/{visitor}"
    assert code(plain) == 200
    assert code(plain[:-1] + ("A" if plain[-1] != "A" else "B")) == 401
    assert client.get(path).headers["WWW-Authenticate"].startswith("Bearer")
    assert code(other) == 403 and code(write_only) == 403
    revoke(store, store.get_api_key(hash_secret(plain)))
    assert code(plain) == 401
    # The secret is looked up by its hash and compared with hmac.compare_digest: no early
    # exit on the first differing character for a timing attack to measure.
    assert "hmac.compare_digest" in inspect.getsource(auth.require)
