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


def test_a_limited_write_spends_one_round_trip(redis_server: RedisServer) -> None:
    """A new visitor's decision with the limiter off and on: one script call apart, which
    increments the counter (the TTL is read only for a 429; no GET, no TTL otherwise)."""
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
    assert spent["1000/minute"] - spent["off"] == Counter(evalsha=1, incrby=1), spent


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
