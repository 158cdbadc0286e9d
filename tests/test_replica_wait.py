"""``wait_replicas``: a decision is acknowledged only once replicas hold it (Redis WAIT)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from cmp import ids
from cmp.storage import StorageError
from cmp.storage.redis_conn import own_options
from tests.conftest import SECRET, make_app
from tests.servers import RedisServer, free_port, start_cluster, start_redis, wait_until

BODY = {"policy_version": 1, "categories": {"analytics": True}}


@pytest.fixture
def primary() -> Iterator[RedisServer]:
    server = start_redis()
    yield server
    server.stop(kill=True)
    shutil.rmtree(server.directory, ignore_errors=True)


def _replica_of(primary: RedisServer) -> RedisServer:
    replica = RedisServer(
        port=free_port(),
        directory=Path(tempfile.mkdtemp(prefix="cmp-replica-")),
        extra=["--replicaof", "127.0.0.1", str(primary.port), "--repl-diskless-sync-delay", "0"],
    ).start()

    def linked() -> bool:
        client = replica.client()
        try:
            return client.info("replication").get("master_link_status") == "up"
        finally:
            client.close()

    wait_until(linked, timeout=20, step=0.1)
    return replica


def test_url_options_are_split_off() -> None:
    url, own = own_options("redis://h:1/0?wait_replicas=2&wait_ms=250&ssl_cert_reqs=none")
    assert url == "redis://h:1/0?ssl_cert_reqs=none"
    assert own == {"wait_replicas": 2, "wait_ms": 250}
    assert own_options("redis://h:1/0")[1] == {"wait_replicas": 0, "wait_ms": 100}
    with pytest.raises(StorageError, match="wait_ms"):
        own_options("redis://h:1/0?wait_ms=soon")


def test_without_a_replica_nothing_is_acknowledged(primary: RedisServer) -> None:
    app = make_app(f"{primary.url}?wait_replicas=1&wait_ms=50")
    resp = app.test_client().post("/api/v1/sites/demo/consents", json=BODY)
    assert resp.status_code == 503 and resp.get_json()["code"] == "store_unavailable"
    app.extensions["cmp.store"].close()


def test_with_a_replica_the_decision_is_on_both(primary: RedisServer) -> None:
    replica = _replica_of(primary)
    try:
        app = make_app(f"{primary.url}?wait_replicas=1&wait_ms=2000")
        resp = app.test_client().post("/api/v1/sites/demo/consents", json=BODY)
        assert resp.status_code == 201
        on_replica, on_primary = replica.client(), primary.client()
        try:
            # WAIT returned, so the replica already holds the visitor's records.
            assert on_replica.dbsize() == on_primary.dbsize()
        finally:
            on_replica.close()
            on_primary.close()
        app.extensions["cmp.store"].close()
    finally:
        replica.stop(kill=True)
        shutil.rmtree(replica.directory, ignore_errors=True)


def test_cluster_with_replicas_acknowledges_after_wait() -> None:
    cluster = start_cluster(3, 1)
    try:
        app = make_app(f"{cluster.url}?wait_replicas=1&wait_ms=2000")
        client = app.test_client()
        statuses = [
            client.post("/api/v1/sites/demo/consents", json=BODY).status_code for _ in range(12)
        ]
        assert statuses == [201] * 12
        app.extensions["cmp.store"].close()
    finally:
        cluster.stop()


def test_a_retried_first_decision_keeps_its_own_alias(primary: RedisServer) -> None:
    """The 503 of a first decision hands back the id it was issued, readable cross-origin:
    the banner retries as that visitor, so its own alias cookie is not claimed by a second
    new visitor (which would leave the alias in conflict). From the second review."""
    app = make_app(f"{primary.url}?wait_replicas=1&wait_ms=50")
    client = app.test_client()
    origin = {"Origin": "http://127.0.0.1:8000"}
    ga = [{"type": "cookie:_ga", "value": "GA1.1.5.6"}]
    resp = client.post("/api/v1/sites/demo/consents", json={**BODY, "aliases": ga}, headers=origin)
    assert (
        resp.status_code == 503 and resp.headers["Access-Control-Allow-Origin"] == origin["Origin"]
    )
    assert resp.headers["Retry-After"]
    vid = resp.get_json()["visitor_id"]
    retry = {**BODY, "aliases": ga, "visitor_id": vid}
    assert client.post("/api/v1/sites/demo/consents", json=retry).status_code == 503
    store = app.extensions["cmp.store"]
    assert store.resolve_aliases("demo", [("cookie:_ga", "GA1.1.5.6")]) == [ids.verify(SECRET, vid)]
    app.extensions["cmp.store"].close()
