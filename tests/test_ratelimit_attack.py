"""Attacks on the rate-limit fold (cmp/ratelimit.py ``fold``, decide.lua's charges).

The promise under attack: every request that should be counted against the public limit is
counted exactly once, whatever path it takes; a refused (429) write stores nothing; the
limit cannot be bypassed or double-spent. Each test is one concrete attack, written by an
outside review; two got through and are fixed (a refused decision interned its user agent
and choice before the script refused it; a failure between handing the charges over and the
script left the request uncounted), their tests kept as regressions.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask
from flask.testing import FlaskClient

from cmp import ids
from cmp.ratelimit import parse
from cmp.storage import StorageError, intern, redis_conn
from tests.conftest import _flush, make_app
from tests.servers import RedisCluster, RedisServer, start_redis

URL = "/api/v1/sites/demo/consents"
STATE_URL = "/api/v1/sites/demo/consent-state"
BODY = {"policy_version": 1, "categories": {"analytics": True}}
ORIGIN = "http://127.0.0.1:8000"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0"
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
UA_LIST = "cmp:t:{ua}"
CHOICES = "cmp:t:{ch:demo}"


def spent(app: Flask, key: str = "127.0.0.1|demo", scope: str = "api.record_consent") -> int:
    """The count of the (single) configured limit for ``key``, read from the limiter's own
    storage (the same counter whether a request spent it in the script or on its own)."""
    budget = app.extensions["cmp.ratelimit"]
    (item,) = parse(app.config["RATE_LIMIT"])
    return int(budget.storage.get(budget.counter(item, key, scope)))


def _raw(app: Flask, signed: str) -> str:
    return ids.verify(app.config["SECRET_KEY"], signed)


def _receipts(app: Flask, signed: str) -> int:
    return len(app.extensions["cmp.store"].get_receipts("demo", _raw(app, signed)))


def _commands(server: RedisServer) -> Counter[str]:
    client = server.client()
    try:
        found = client.info("commandstats")
    finally:
        client.close()
    return Counter({name.removeprefix("cmdstat_"): v["calls"] for name, v in found.items()})


@pytest.fixture
def limited(store_url: str) -> Iterator[Flask]:
    app = make_app(store_url, RATE_LIMIT="40/minute")
    yield app
    app.extensions["cmp.store"].close()


# -- every path counts exactly once ------------------------------------------------------------


def test_every_failure_path_counts_exactly_once(limited: Flask) -> None:
    """400 (bad JSON, forged id), 403 (foreign origin), 409, 413, 415, 422, 404 visitor-less
    lookups aside: each request spends exactly one count, on every backend, and a 201 too."""
    client = limited.test_client()
    vid = client.post(URL, json=BODY).get_json()["visitor_id"]
    assert spent(limited) == 1
    big = b'{"policy_version":1,"categories":{},"x":"' + b"a" * 40_000 + b'"}'
    attempts = [
        (dict(data=b"{", content_type="application/json"), 400),
        (dict(json={**BODY, "visitor_id": "forged.id"}), 400),
        (dict(json={**BODY, "visitor_id": vid[:-2] + "AA"}), 400),
        (dict(json=BODY, headers={"Origin": "https://evil.example"}), 403),
        (dict(json={**BODY, "policy_version": 99}), 409),
        (dict(data=big, content_type="application/json"), 413),
        (dict(data=b"policy_version=1", content_type="text/plain"), 415),
        (dict(json={**BODY, "categories": {"nope": True}}), 422),
        (dict(json={"categories": {}}), 422),
        (dict(json={**BODY, "visitor_id": vid}), 201),
        (dict(json={**BODY, "aliases": [{"type": "cookie:_ga", "value": "GA1.2.3"}]}), 201),
        # Another visitor's claim on the same alias: a conflict, still one count.
        (dict(json={**BODY, "aliases": [{"type": "cookie:_ga", "value": "GA1.2.3"}]}), 201),
    ]
    for n, (kwargs, status) in enumerate(attempts, start=2):
        answer = client.post(URL, **kwargs)
        assert answer.status_code == status, (kwargs, answer.get_json())
        assert spent(limited) == n, (n, kwargs, status)


def test_a_fold_spends_one_incrby_for_any_outcome(redis_server: RedisServer) -> None:
    """On one Redis node: a 201 counts in the script, a 400/409/422 on its own when the
    view ends; never both (commandstats: exactly one INCRBY per request)."""
    _flush(redis_server)
    app = make_app(redis_server.url, RATE_LIMIT="100/minute")
    assert app.extensions["cmp.ratelimit"].folds
    client = app.test_client()
    client.post(URL, json=BODY)  # scripts loaded, tables warm
    for kwargs in (
        dict(json=BODY),
        dict(data=b"{", content_type="application/json"),
        dict(json={**BODY, "policy_version": 9}),
        dict(json={**BODY, "categories": {"nope": True}}),
    ):
        before = _commands(redis_server)
        client.post(URL, **kwargs)
        assert (_commands(redis_server) - before)["incrby"] == 1, kwargs
    app.extensions["cmp.store"].close()


# -- refused writes store nothing -------------------------------------------------------------


def test_a_refused_claim_leaves_the_alias_with_its_holder(store_url: str) -> None:
    """Budget spent, a second visitor claims the first one's alias: the 429 must not put
    the alias in conflict (which would unlink it from its holder)."""
    app = make_app(store_url, RATE_LIMIT="1/minute")
    client = app.test_client()
    claim = {**BODY, "aliases": [{"type": "cookie:_ga", "value": "GA1.2.99"}]}
    first = client.post(URL, json=claim).get_json()["visitor_id"]
    assert client.post(URL, json=claim).status_code == 429
    store = app.extensions["cmp.store"]
    assert store.resolve_aliases("demo", [("cookie:_ga", "GA1.2.99")]) == [_raw(app, first)]
    assert _receipts(app, first) == 1
    store.close()


def _over_budget(server: RedisServer) -> tuple[Flask, FlaskClient]:
    """An app on a flushed single node whose one network has spent its 1/minute budget."""
    _flush(server)
    app = make_app(server.url, RATE_LIMIT="1/minute")
    client = app.test_client()
    assert client.post(URL, json=BODY).status_code == 201
    return app, client


def test_refused_decisions_add_no_user_agents_to_the_store(redis_server: RedisServer) -> None:
    """One network over its budget sends 30 decisions, each with a never-seen browser
    version: every one is 429, and none adds an entry to the store's user-agent table."""
    app, client = _over_budget(redis_server)
    r = redis_server.client()
    before = r.llen(UA_LIST)
    codes = [
        client.post(URL, json=BODY, headers={"User-Agent": FIREFOX.format(v=100 + i)}).status_code
        for i in range(30)
    ]
    assert codes == [429] * 30
    after = r.llen(UA_LIST)
    r.close()
    app.extensions["cmp.store"].close()
    assert after == before, f"{after - before} user-agent summaries stored by 429s"


def test_refused_decisions_cannot_fill_the_user_agent_cap(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The table's cap (20,000 in production, 8 here) filled by one network that never got
    past its limit (one 201, then only 429s) would lose the next real visitor's browser."""
    monkeypatch.setattr(intern, "UA_TABLE_MAX", 8)
    app, client = _over_budget(redis_server)
    for i in range(20):
        ua = FIREFOX.format(v=60 + i)
        assert client.post(URL, json=BODY, headers={"User-Agent": ua}).status_code == 429
    other = client.post(
        URL, json=BODY, headers={"User-Agent": CHROME}, environ_base={"REMOTE_ADDR": "192.0.2.7"}
    )
    assert other.status_code == 201
    store = app.extensions["cmp.store"]
    (receipt,) = store.get_receipts("demo", _raw(app, other.get_json()["visitor_id"]))
    store.close()
    assert receipt.ua["browser"].startswith("Chrome"), receipt.ua


def test_refused_decisions_add_no_choices_to_the_store(redis_server: RedisServer) -> None:
    """Refused decisions covering every mix of method, GPC and categories add no choice."""
    app, client = _over_budget(redis_server)
    r = redis_server.client()
    before = r.llen(CHOICES)
    for method in ("banner", "preferences"):
        for gpc in (False, True):
            for analytics in (False, True):
                for targeting in (False, True):
                    body = {
                        **BODY,
                        "method": method,
                        "gpc": gpc,
                        "categories": {"analytics": analytics, "targeting": targeting},
                    }
                    assert client.post(URL, json=body).status_code == 429
    after = r.llen(CHOICES)
    r.close()
    app.extensions["cmp.store"].close()
    assert after == before, f"{after - before} choices stored by 429s"


def test_a_cluster_refuses_before_anything_is_interned(
    redis_cluster: RedisCluster,
) -> None:
    """The same attack on a cluster (no fold: the limit is spent before the write): the
    user-agent table does not move, which is what the single node should match."""
    redis_cluster.flush()
    app = make_app(redis_cluster.url, RATE_LIMIT="1/minute")
    assert not app.extensions["cmp.ratelimit"].folds
    assert not app.extensions["cmp.store"].folds_charges
    client = app.test_client()
    assert client.post(URL, json=BODY).status_code == 201
    store = app.extensions["cmp.store"]
    before = store.client.llen(UA_LIST)
    for i in range(10):
        ua = FIREFOX.format(v=100 + i)
        assert client.post(URL, json=BODY, headers={"User-Agent": ua}).status_code == 429
    assert store.client.llen(UA_LIST) == before
    assert spent(app) == 11
    store.close()


# -- concurrency --------------------------------------------------------------------------------


def test_concurrent_decisions_of_one_visitor_are_each_counted_once(
    redis_server: RedisServer,
) -> None:
    """Twelve decisions of one visitor at once race in decide.lua (lost races retry): a
    retry must not count again, so a budget of exactly 13 lets all of them through."""
    _flush(redis_server)
    app = make_app(redis_server.url, RATE_LIMIT="13/minute")
    vid = app.test_client().post(URL, json=BODY).get_json()["visitor_id"]
    barrier = threading.Barrier(12)

    def one(n: int) -> int:
        client = app.test_client()
        barrier.wait()
        body = {**BODY, "visitor_id": vid, "categories": {"analytics": n % 2 == 0}}
        return client.post(URL, json=body).status_code

    with ThreadPoolExecutor(12) as pool:
        codes = list(pool.map(one, range(12)))
    assert codes == [201] * 12
    assert spent(app) == 13
    assert _receipts(app, vid) == 13
    assert app.test_client().post(URL, json=BODY).status_code == 429
    app.extensions["cmp.store"].close()


def test_a_concurrent_flood_gets_exactly_the_budget(store_url: str) -> None:
    """30 new visitors at once against a budget of 10, on every backend: exactly 10 are
    stored, every request counted, none stored twice."""
    app = make_app(store_url, RATE_LIMIT="10/minute")
    barrier = threading.Barrier(15)

    def one(_: int) -> tuple[int, str | None]:
        client = app.test_client()
        barrier.wait()
        answer = client.post(URL, json=BODY)
        return answer.status_code, (answer.get_json() or {}).get("visitor_id")

    with ThreadPoolExecutor(15) as pool:
        results = list(pool.map(one, range(30)))
    codes = Counter(code for code, _ in results)
    assert codes == Counter({201: 10, 429: 20}), codes
    assert all(vid is None for code, vid in results if code == 429)
    stored = list(app.extensions["cmp.store"].iter_visitors())
    assert len(stored) == 10
    assert spent(app) == 30
    app.extensions["cmp.store"].close()


# -- outages and replica waits ------------------------------------------------------------------


def test_a_write_the_replicas_did_not_confirm_counts_once_and_a_429_stores_nothing(
    redis_server: RedisServer,
) -> None:
    """``wait_replicas=1`` with no replica: the script ran (counted), then 503. Retrying as
    the handed-back visitor over the limit is 429 and adds no receipt."""
    _flush(redis_server)
    app = make_app(redis_server.url + "?wait_replicas=1&wait_ms=10", RATE_LIMIT="2/minute")
    assert app.extensions["cmp.ratelimit"].folds
    client = app.test_client()
    first = client.post(URL, json=BODY)
    assert first.status_code == 503
    vid = first.get_json()["visitor_id"]
    assert spent(app) == 1
    assert client.post(URL, json={**BODY, "visitor_id": vid}).status_code == 503
    assert spent(app) == 2
    held = _receipts(app, vid)
    refused = client.post(URL, json={**BODY, "visitor_id": vid})
    assert refused.status_code == 429 and "visitor_id" not in refused.get_json()
    assert spent(app) == 3
    assert _receipts(app, vid) == held
    app.extensions["cmp.store"].close()


class _SlowReplyProxy:
    """A TCP proxy to Redis that, once armed, holds back the reply to the next decision
    script call (a request carrying a rate-limit key) past the client's socket timeout."""

    def __init__(self, port: int) -> None:
        self.target = port
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.armed = False
        self.held = 0
        self.links: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                near, _ = self.sock.accept()
            except OSError:
                return
            far = socket.create_connection(("127.0.0.1", self.target))
            self.links += [near, far]
            hold = threading.Event()
            threading.Thread(target=self._up, args=(near, far, hold), daemon=True).start()
            threading.Thread(target=self._down, args=(far, near, hold), daemon=True).start()

    def _up(self, near: socket.socket, far: socket.socket, hold: threading.Event) -> None:
        try:
            while data := near.recv(65536):
                if self.armed and b"EVALSHA" in data.upper() and b"LIMITS:" in data:
                    self.armed = False
                    self.held += 1
                    hold.set()
                far.sendall(data)
        except OSError:
            pass

    def _down(self, far: socket.socket, near: socket.socket, hold: threading.Event) -> None:
        try:
            while data := far.recv(65536):
                if hold.is_set():
                    time.sleep(1.0)
                near.sendall(data)
        except OSError:
            pass

    def close(self) -> None:
        self.sock.close()
        for s in self.links:
            try:
                s.close()
            except OSError:
                pass


def test_a_reply_lost_after_the_script_ran_is_not_counted_twice(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The decision script ran (counted) but its reply timed out: the driver must not
    re-send the script (a second count, a second receipt); the answer is 503."""
    _flush(redis_server)
    monkeypatch.setitem(redis_conn.CLIENT_OPTIONS, "socket_timeout", 0.3)
    proxy = _SlowReplyProxy(redis_server.port)
    try:
        app = make_app(f"redis://127.0.0.1:{proxy.port}/0", RATE_LIMIT="10/minute")
        assert app.extensions["cmp.ratelimit"].folds
        client = app.test_client()
        vid = client.post(URL, json=BODY).get_json()["visitor_id"]
        proxy.armed = True
        answer = client.post(URL, json={**BODY, "visitor_id": vid})
        assert proxy.held == 1
        assert answer.status_code == 503
        assert spent(app) == 2
        time.sleep(1.2)  # the held reply drains
        assert _receipts(app, vid) == 2
        app.extensions["cmp.store"].close()
    finally:
        proxy.close()


def test_a_store_outage_is_a_503_never_a_500_and_costs_no_budget(tmp_path) -> None:
    """The store's Redis stops mid-way: decisions get 503 (the late spend in the fold's
    ``finally`` must not turn that into a 500), and the budget is whole afterwards."""
    server = start_redis(appendonly=True)
    try:
        app = make_app(server.url, RATE_LIMIT="3/minute")
        client = app.test_client()
        vid = client.post(URL, json=BODY).get_json()["visitor_id"]
        server.stop()
        for body in (BODY, {**BODY, "visitor_id": vid}, {**BODY, "policy_version": 9}):
            answer = client.post(URL, json=body)
            assert answer.status_code == 503, answer.status_code
        server.start()
        codes = [client.post(URL, json={**BODY, "visitor_id": vid}).status_code for _ in range(3)]
        # Requests made while Redis was down could not be counted (nor refused).
        assert codes == [201, 201, 429]
        assert spent(app) == 4
        app.extensions["cmp.store"].close()
    finally:
        server.stop(kill=True)


# -- where the counters live ------------------------------------------------------------------


def test_a_memory_limiter_beside_redis_never_folds(redis_server: RedisServer) -> None:
    _flush(redis_server)
    app = make_app(redis_server.url, RATE_LIMIT="2/minute", RATELIMIT_STORAGE_URI="memory://")
    assert not app.extensions["cmp.ratelimit"].folds
    client = app.test_client()
    codes = [client.post(URL, json=BODY).status_code for _ in range(4)]
    assert codes == [201, 201, 429, 429]
    r = redis_server.client()
    assert r.keys("LIMITS*") == []
    assert len(r.keys("cr*")) == 2
    r.close()
    assert spent(app) == 4
    app.extensions["cmp.store"].close()


def test_a_limiter_on_another_redis_keeps_its_counters_there(redis_server: RedisServer) -> None:
    _flush(redis_server)
    other = start_redis(appendonly=False)
    try:
        app = make_app(redis_server.url, RATE_LIMIT="2/minute", RATELIMIT_STORAGE_URI=other.url)
        assert not app.extensions["cmp.ratelimit"].folds
        client = app.test_client()
        codes = [client.post(URL, json=BODY).status_code for _ in range(3)]
        assert codes == [201, 201, 429]
        mine, theirs = redis_server.client(), other.client()
        assert mine.keys("LIMITS*") == []
        assert [theirs.get(k) for k in theirs.keys("LIMITS*")] == ["3"]
        mine.close()
        theirs.close()
        app.extensions["cmp.store"].close()
    finally:
        other.stop(kill=True)


def test_a_limiter_on_another_db_of_the_same_server_does_not_fold(
    redis_server: RedisServer,
) -> None:
    """Same host and port, db 1: the script would increment db 0's key of the same name,
    which the limiter never reads."""
    _flush(redis_server)
    app = make_app(
        redis_server.url,
        RATE_LIMIT="2/minute",
        RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{redis_server.port}/1",
    )
    assert not app.extensions["cmp.ratelimit"].folds
    client = app.test_client()
    codes = [client.post(URL, json=BODY).status_code for _ in range(3)]
    assert codes == [201, 201, 429]
    db0 = redis_server.client()
    assert db0.keys("LIMITS*") == []
    db0.close()
    assert spent(app) == 3
    app.extensions["cmp.store"].close()


def test_a_cluster_spends_on_its_own_and_a_refusal_stores_nothing(
    redis_cluster: RedisCluster,
) -> None:
    redis_cluster.flush()
    app = make_app(redis_cluster.url, RATE_LIMIT="2/minute")
    client = app.test_client()
    vid = client.post(URL, json=BODY).get_json()["visitor_id"]
    assert client.post(URL, data=b"{", content_type="application/json").status_code == 400
    refused = client.post(URL, json={**BODY, "visitor_id": vid, "categories": {}})
    assert refused.status_code == 429
    assert _receipts(app, vid) == 1
    assert spent(app) == 3
    app.extensions["cmp.store"].close()


# -- whose budget -------------------------------------------------------------------------------


def test_a_forged_x_forwarded_for_buys_nothing(store_url: str) -> None:
    """Without CMP_TRUST_PROXY the header is ignored; with one trusted hop only the entry
    the proxy appended counts, whatever the client put before it."""
    for trust, forged in (
        (0, lambda i: f"203.0.113.{i}"),
        (1, lambda i: f"203.0.113.{i}, 1.1.1.1"),
    ):
        app = make_app(store_url, RATE_LIMIT="2/minute", TRUST_PROXY=trust)
        client = app.test_client()
        codes = [
            client.post(URL, json=BODY, headers={"X-Forwarded-For": forged(i)}).status_code
            for i in range(4)
        ]
        assert codes == [201, 201, 429, 429], (trust, codes)
        app.extensions["cmp.store"].close()
        if trust == 0:
            assert spent(app, "127.0.0.1|demo") == 4


def test_addresses_of_one_network_share_a_budget(store_url: str) -> None:
    """Rotating through a /64, or writing an IPv4 address as IPv4-mapped IPv6, buys nothing."""
    app = make_app(store_url, RATE_LIMIT="2/minute")
    client = app.test_client()
    for addresses in (
        ["2001:db8:1:2::1", "2001:db8:1:2:ffff::9", "2001:db8:1:2:abcd:1:2:3"],
        ["198.51.100.4", "::ffff:198.51.100.4", "::ffff:c633:6404"],
    ):
        codes = [
            client.post(URL, json=BODY, environ_base={"REMOTE_ADDR": a}).status_code
            for a in addresses
        ]
        assert codes == [201, 201, 429], addresses
    app.extensions["cmp.store"].close()


def test_spellings_of_the_site_in_the_path_do_not_split_its_budget(store_url: str) -> None:
    """``%64emo`` is ``demo`` once decoded (one budget); other spellings are no site."""
    app = make_app(store_url, RATE_LIMIT="2/minute")
    client = app.test_client()
    assert client.post(URL, json=BODY).status_code == 201
    assert client.post("/api/v1/sites/%64emo/consents", json=BODY).status_code == 201
    assert client.post(URL, json=BODY).status_code == 429
    for path in ("DEMO", "demo%20", "demo%00", "Demo"):
        answer = client.post(f"/api/v1/sites/{path}/consents", json=BODY)
        assert answer.status_code in (404, 400), (path, answer.status_code)
    app.extensions["cmp.store"].close()


# -- what the answers say ------------------------------------------------------------------------


def test_headers_and_bodies_of_201_and_429(store_url: str) -> None:
    """201: no Retry-After, no RateLimit or X-RateLimit header. 429: Retry-After within the
    window, CORS readable by the site's origin, and nothing but the problem: over the limit
    a 409 does not tell the current policy version, a 503 no visitor id, a foreign origin
    learns nothing more than the 429."""
    app = make_app(store_url, RATE_LIMIT="1/minute")
    client = app.test_client()
    ok = client.post(URL, json=BODY, headers={"Origin": ORIGIN})
    assert ok.status_code == 201
    assert not [h for h in ok.headers.keys() if "ratelimit" in h.lower() or h == "Retry-After"]
    for kwargs in (
        dict(json=BODY, headers={"Origin": ORIGIN}),
        dict(json={**BODY, "policy_version": 7}, headers={"Origin": ORIGIN}),
        dict(json={**BODY, "visitor_id": ok.get_json()["visitor_id"]}),
        dict(json=BODY, headers={"Origin": "https://evil.example"}),
    ):
        answer = client.post(URL, **kwargs)
        assert answer.status_code == 429, kwargs
        body = answer.get_json()
        assert set(body) <= {"type", "title", "status", "detail", "code"}, body
        assert body["detail"] == "too many requests: limit 1 per 1 minute"
        assert 1 <= int(answer.headers["Retry-After"]) <= 61
        assert not [h for h in answer.headers.keys() if "ratelimit" in h.lower()]
        origin = kwargs.get("headers", {}).get("Origin")
        if origin:
            assert answer.headers["Access-Control-Allow-Origin"] == origin
    app.extensions["cmp.store"].close()


def test_retry_after_of_a_fold_means_what_it_says(redis_server: RedisServer) -> None:
    """A 1/2-second budget: waiting the 429's Retry-After is enough, on the fold path."""
    _flush(redis_server)
    app = make_app(redis_server.url, RATE_LIMIT="1/2 second")
    client = app.test_client()
    assert client.post(URL, json=BODY).status_code == 201
    refused = client.post(URL, json=BODY)
    assert refused.status_code == 429
    wait = int(refused.headers["Retry-After"])
    assert 1 <= wait <= 3
    time.sleep(wait)
    assert client.post(URL, json=BODY).status_code == 201
    app.extensions["cmp.store"].close()


# -- reads are not charged twice -----------------------------------------------------------------


def test_reads_are_charged_once_and_apart_from_decisions(limited: Flask, api_key) -> None:
    """consent-state spends its own budget once per request; the keyed GETs and the
    decision budget are not touched by it, nor it by decisions."""
    client: FlaskClient = limited.test_client()
    vid = client.post(URL, json=BODY).get_json()["visitor_id"]
    assert spent(limited) == 1
    for n in range(1, 4):
        assert client.post(STATE_URL, json={"visitor_id": vid}).status_code == 200
        assert spent(limited, scope="api.consent_state") == n
    assert client.post(STATE_URL, json={"visitor_id": "bad"}).status_code == 400
    assert spent(limited, scope="api.consent_state") == 4
    key = api_key("read")
    for path in (f"{URL}/{vid}", f"{URL}/{vid}/receipts"):
        assert client.get(path, headers={"Authorization": f"Bearer {key}"}).status_code == 200
    assert spent(limited) == 1
    assert spent(limited, scope="api.consent_state") == 4


# -- requests that raise around the write ------------------------------------------------------


@pytest.mark.parametrize("backend", ["redis", "cluster"])
def test_a_failure_after_the_write_is_counted_once(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The decision is written, then the store fails (503): one count, not zero, not two."""
    app = make_app(store_url, RATE_LIMIT="10/minute")
    client = app.test_client()
    vid = client.post(URL, json=BODY).get_json()["visitor_id"]
    store = app.extensions["cmp.store"]

    def broken(*args: object) -> None:
        raise StorageError("lost after the write")

    monkeypatch.setattr(store, "_after_decision", broken)
    assert client.post(URL, json={**BODY, "visitor_id": vid}).status_code == 503
    assert spent(app) == 2
    assert _receipts(app, vid) == 2
    store.close()


@pytest.mark.parametrize("backend", ["redis", "cluster"])
def test_a_failure_between_take_charges_and_the_script_is_counted(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A transient store error after the limit was handed to the store but before decide.lua
    ran: the request reached the store, so it must be counted like on every other path."""
    app = make_app(store_url, RATE_LIMIT="10/minute")
    client = app.test_client()
    vid = client.post(URL, json=BODY).get_json()["visitor_id"]
    store = app.extensions["cmp.store"]

    def flaky(ua: dict) -> tuple[dict, int]:
        raise StorageError("transient: intern call timed out")

    monkeypatch.setattr(store.tables, "bounded_ua", flaky)
    for _ in range(3):
        assert client.post(URL, json={**BODY, "visitor_id": vid}).status_code == 503
    store.close()
    assert spent(app) == 4
