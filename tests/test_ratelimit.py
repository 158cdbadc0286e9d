"""The rate limiter of the public POSTs (cmp/ratelimit.py) on every backend, and its cost.

Issue 14: Flask-Limiter spent three Redis round trips on every limited request (a script
around INCRBY, then TTL and GET for headers no answer carries) and ran hooks on every request
of the app. A limited request now spends one round trip; a 429 one more.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from flask import Flask

from cmp import ids
from tests.conftest import make_app
from tests.servers import RedisServer

BODY = {"policy_version": 1, "categories": {"analytics": True}}


@pytest.fixture
def limited(store_url: str) -> Iterator[Flask]:
    """The app with two limits at once: 3 a minute and 4 an hour."""
    app = make_app(store_url, RATE_LIMIT="4/hour;3/minute")
    yield app
    app.extensions["cmp.store"].close()


def test_every_limit_of_a_setting_is_spent(limited: Flask) -> None:
    client = limited.test_client()
    codes = [client.post("/api/v1/sites/demo/consents", json=BODY).status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]
    answer = client.post("/api/v1/sites/demo/consents", json=BODY)
    assert answer.status_code == 429 and answer.mimetype == "application/problem+json"
    assert answer.get_json()["detail"] == "too many requests: limit 3 per 1 minute"
    assert 0 < int(answer.headers["Retry-After"]) <= 61
    # The hour's budget counted the refused requests too (4 of 4 spent): another network
    # is a budget of its own.
    other = {"REMOTE_ADDR": "198.51.100.9"}
    assert (
        client.post("/api/v1/sites/demo/consents", json=BODY, environ_base=other).status_code == 201
    )


def test_the_hour_limit_holds_when_the_minute_one_does_not(store_url: str) -> None:
    app = make_app(store_url, RATE_LIMIT="2/hour;100/minute")
    client = app.test_client()
    codes = [client.post("/api/v1/sites/demo/consents", json=BODY).status_code for _ in range(3)]
    assert codes == [201, 201, 429]
    answer = client.post("/api/v1/sites/demo/consents", json=BODY)
    assert answer.get_json()["detail"] == "too many requests: limit 2 per 1 hour"
    assert 3000 < int(answer.headers["Retry-After"]) <= 3601
    app.extensions["cmp.store"].close()


def _commands(server: RedisServer) -> Counter[str]:
    """Calls per command so far (commands a script runs count under their own names)."""
    client = server.client()
    try:
        found = client.info("commandstats")
    finally:
        client.close()
    return Counter({name.removeprefix("cmdstat_"): v["calls"] for name, v in found.items()})


def test_a_limited_write_spends_no_round_trip_of_its_own(redis_server: RedisServer) -> None:
    """A new visitor's decision with the limiter off and on: the same script calls, the
    decision's own script increments the counter (the TTL is read only for a 429)."""
    spent = {}
    for limit in ("off", "1000/minute"):
        server = redis_server.client()
        server.flushall()
        app = make_app(redis_server.url, RATE_LIMIT=limit)
        client = app.test_client()
        client.post("/api/v1/sites/demo/consents", json=BODY)  # scripts loaded, tables warm
        before = _commands(redis_server)
        assert client.post("/api/v1/sites/demo/consents", json=BODY).status_code == 201
        spent[limit] = _commands(redis_server) - before - Counter(info=1)
        app.extensions["cmp.store"].close()
        server.close()
    assert spent["1000/minute"] - spent["off"] == Counter(incrby=1), spent
    assert spent["off"] - spent["1000/minute"] == Counter(), spent


def test_requests_that_never_reach_the_store_spend_the_same_budget(store_url: str) -> None:
    """A bad body, an unknown category and an old policy version are limited with the
    decisions (one counter), and a request over the limit is 429 whatever its body."""
    app = make_app(store_url, RATE_LIMIT="4/minute")
    client = app.test_client()
    post = client.post
    url = "/api/v1/sites/demo/consents"
    assert post(url, data=b"{", content_type="application/json").status_code == 400
    assert post(url, json={**BODY, "categories": {"nope": True}}).status_code == 422
    assert post(url, json={**BODY, "policy_version": 99}).status_code == 409
    assert post(url, json=BODY).status_code == 201
    for body in (BODY, {**BODY, "policy_version": 99}):
        answer = post(url, json=body)
        assert answer.status_code == 429 and 0 < int(answer.headers["Retry-After"]) <= 61
    assert post(url, data=b"{", content_type="application/json").status_code == 429
    app.extensions["cmp.store"].close()


def test_a_refused_decision_writes_nothing(store_url: str) -> None:
    """The decision over the limit (spent inside its write on one Redis) leaves the
    visitor's state and receipts as they were."""
    app = make_app(store_url, RATE_LIMIT="2/minute")
    client = app.test_client()
    url = "/api/v1/sites/demo/consents"
    first = client.post(url, json=BODY).get_json()
    vid = first["visitor_id"]
    again = {**BODY, "visitor_id": vid, "categories": {"analytics": False}}
    assert client.post(url, json=again).status_code == 201
    assert client.post(url, json={**again, "categories": {"analytics": True}}).status_code == 429
    store = app.extensions["cmp.store"]
    raw = ids.verify(app.config["SECRET_KEY"], vid)
    assert len(store.get_receipts("demo", raw)) == 2
    state = store.get_state("demo", raw)
    assert state is not None and state.categories["analytics"] is False
    store.close()


def test_a_limiter_set_apart_keeps_every_counter(redis_server: RedisServer, tmp_path) -> None:
    """Counters on a storage of their own (``RATELIMIT_STORAGE_URI``) are never folded
    into the store's writes: the limit holds there."""
    flush = redis_server.client()
    flush.flushall()
    flush.close()
    app = make_app(
        f"sqlite:///{tmp_path / 's.sqlite3'}",
        RATE_LIMIT="2/minute",
        RATELIMIT_STORAGE_URI=redis_server.url,
    )
    assert not app.extensions["cmp.ratelimit"].folds
    client = app.test_client()
    codes = [client.post("/api/v1/sites/demo/consents", json=BODY).status_code for _ in range(3)]
    assert codes == [201, 201, 429]
    app.extensions["cmp.store"].close()


def test_a_limit_store_that_is_down_lets_requests_through(tmp_path) -> None:
    """The counters on a Redis nobody listens on: the decision is still recorded (SQLite)."""
    app = make_app(
        f"sqlite:///{tmp_path / 's.sqlite3'}",
        RATE_LIMIT="1/minute",
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:9/0",
    )
    client = app.test_client()
    codes = [client.post("/api/v1/sites/demo/consents", json=BODY).status_code for _ in range(3)]
    assert codes == [201, 201, 201]
    app.extensions["cmp.store"].close()
