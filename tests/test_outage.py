"""A store outage is a 503 problem+json, never a 500, and the app recovers by itself."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import make_app
from tests.servers import RedisServer, start_redis


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    server = start_redis()
    yield server
    server.stop(kill=True)


def test_redis_down_gives_503_then_recovers(own_redis: RedisServer) -> None:
    app = make_app(own_redis.url)
    client = app.test_client()
    body = {"policy_version": 1, "categories": {"analytics": True}}
    assert client.post("/api/v1/sites/demo/consents", json=body).status_code == 201

    own_redis.stop(kill=True)
    for resp in (
        client.post("/api/v1/sites/demo/consents", json=body),
        client.get("/api/v1/sites/demo/config"),
    ):
        assert resp.status_code == 503
        assert resp.mimetype == "application/problem+json"
        assert resp.get_json()["code"] == "store_unavailable"
        assert resp.headers["Retry-After"]
    assert client.get("/healthz").status_code == 503

    own_redis.start()
    assert client.get("/healthz").status_code == 200
    assert client.post("/api/v1/sites/demo/consents", json=body).status_code == 201
    app.extensions["cmp.store"].close()


def test_unreachable_store_at_start_up_is_one_clear_line() -> None:
    from cmp import create_app
    from cmp.storage import StorageError

    with pytest.raises(StorageError) as info:
        create_app({"TESTING": True, "STORE_URL": "redis://127.0.0.1:1/0"})
    assert "\n" not in str(info.value) and "cannot reach Redis" in str(info.value)
