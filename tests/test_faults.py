"""Fault injection on real processes: nothing acknowledged is lost, nothing answers 500.

Each test runs a real ``cmp serve`` (gunicorn, 2 workers) as a subprocess, streams decisions
at it from a few threads, and kills something underneath: the Redis server (SIGKILL, then a
restart that reloads the AOF written with ``appendfsync always``), a Redis Cluster master
(its replica is promoted), or a gunicorn worker mid-request. Afterwards every decision the
API acknowledged with a 201 is looked up through the storage contract, and every touched
visitor's receipt chain and state must agree.
"""

from __future__ import annotations

import os
import random
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cmp.storage import open_store
from tests.servers import (
    RedisServer,
    free_port,
    start_cluster,
    start_redis,
    wait_until,
)
from tests.serving import SECRET, Serve, Stream, audit, request, seeded, serve  # noqa: F401

pytestmark = pytest.mark.faults


# -- the tests -------------------------------------------------------------------------------


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    """A Redis of this test alone (AOF, ``appendfsync always``), killed at teardown."""
    server = start_redis()
    yield server
    server.stop(kill=True)


def test_redis_killed_mid_stream_gives_503_and_recovers_by_itself(
    own_redis: RedisServer, tmp_path: Path
) -> None:
    store = seeded(own_redis.url)
    app = serve(own_redis.url, tmp_path)
    try:
        with Stream(app.port) as stream:
            stream.wait_for(201, 60)
            own_redis.stop(kill=True)
            killed = time.monotonic()
            stream.wait_for(503, 30)
            time.sleep(1.0)  # a sustained outage, not a blip
            own_redis.start()
            restarted = time.monotonic()
            stream.wait_for(201, 60)
        recovered = next(t for t, s in stream.timeline if t > restarted and s == 201)
        first_503 = next(t for t, s in stream.timeline if t > killed and s == 503)
    finally:
        app.stop()
    assert stream.wrong == []
    assert set(stream.statuses) <= {201, 503}, stream.statuses
    assert stream.statuses[503] >= 30
    assert first_503 - killed < 5.0
    assert recovered - restarted < 10.0
    print(
        f"\nredis kill: {dict(stream.statuses)}; first 503 after {first_503 - killed:.3f}s; "
        f"first 201 {recovered - restarted:.3f}s after restart"
    )
    result = audit(store, stream.acked)
    store.close()
    assert result["missing"] == [] and result["broken"] == [], result
    print(f"acknowledged {result['acked']}, stored {result['stored']}")


@pytest.mark.parametrize("fsync", ["always", "everysec"])
def test_aof_restart_keeps_every_acknowledged_decision(fsync: str, tmp_path: Path) -> None:
    # everysec too: Redis write()s the AOF before it replies, so a killed *process* loses
    # nothing either way; only an OS crash or power loss tells the two apart (reliability.md).
    own_redis = RedisServer(
        port=free_port(), directory=tmp_path / "redis", extra=["--appendfsync", fsync]
    )
    own_redis.directory.mkdir()
    own_redis.start()
    try:
        _aof_restarts(own_redis, tmp_path)
    finally:
        own_redis.stop(kill=True)


def _aof_restarts(own_redis: RedisServer, tmp_path: Path) -> None:
    store = seeded(own_redis.url)
    store.close()
    app = serve(own_redis.url, tmp_path)
    try:
        with Stream(app.port, threads=4) as stream:
            for _ in range(3):
                stream.wait_for(201, 80)
                # SIGKILL at full load: no chance to flush anything the AOF did not hold.
                own_redis.stop(kill=True)
                stream.wait_for(503, 5)
                own_redis.start()
            stream.wait_for(201, 40)
    finally:
        app.stop()
    assert stream.wrong == [] and set(stream.statuses) <= {201, 503}, stream.statuses
    store = open_store(own_redis.url)
    result = audit(store, stream.acked)
    every = sum(len(store.get_receipts(None, v)) for v in store.iter_visitors())
    store.close()
    print(
        f"\nAOF restarts x3: {dict(stream.statuses)}; "
        f"{result['acked']} acknowledged, {every} stored"
    )
    assert result["missing"] == [] and result["broken"] == [], result
    assert every >= result["acked"] > 0


def _cluster_nodes(server: RedisServer) -> list[tuple[str, str]]:
    """``(address, flags)`` of every node as ``server`` sees them (CLUSTER NODES)."""
    client = server.client()
    try:
        reply = client.execute_command("CLUSTER NODES")
    finally:
        client.close()
    # redis-py parses the reply into {address: {flags, ...}}; plain text is parsed here.
    if isinstance(reply, dict):
        return [(addr, info["flags"]) for addr, info in reply.items()]
    return [(p[1], p[2]) for p in (line.split() for line in str(reply).splitlines()) if p]


def test_cluster_master_killed_replica_takes_over(tmp_path: Path) -> None:
    cluster = start_cluster(3, 1)
    try:
        store = seeded(cluster.url)
        app = serve(cluster.url, tmp_path)
        try:
            with Stream(app.port, threads=4) as stream:
                stream.wait_for(201, 80)
                masters = [n for n in cluster.nodes if _role(n) == "master"]
                victim = masters[0]
                victim.stop(kill=True)
                killed = time.monotonic()
                watcher = next(n for n in cluster.nodes if n is not victim)

                def promoted() -> bool:
                    nodes = _cluster_nodes(watcher)
                    dead = [f for a, f in nodes if a.split("@")[0].endswith(f":{victim.port}")]
                    up = [f for _, f in nodes if "master" in f and "fail" not in f]
                    return bool(dead) and "fail" in dead[0] and len(up) == 3

                wait_until(promoted, timeout=30, step=0.1)
                took_over = time.monotonic()
                stream.wait_for(201, 80, timeout=30)
            resumed = next(t for t, s in stream.timeline if t > took_over and s == 201)
        finally:
            app.stop()
        assert stream.wrong == [] and set(stream.statuses) <= {201, 503}, stream.statuses
        result = audit(store, stream.acked)
        store.close()
        print(
            f"\ncluster fail-over: {dict(stream.statuses)}; replica promoted "
            f"{took_over - killed:.2f}s after the kill, 201s again {resumed - took_over:.2f}s "
            f"later; {result['acked']} acknowledged, {len(result['missing'])} missing"
        )
        assert result["missing"] == [] and result["broken"] == [], result
    finally:
        cluster.stop()


def _role(server: RedisServer) -> str:
    client = server.client()
    try:
        return str(client.execute_command("ROLE")[0])
    finally:
        client.close()


def test_worker_killed_mid_request_leaves_state_and_receipts_agreeing(
    own_redis: RedisServer, tmp_path: Path
) -> None:
    store = seeded(own_redis.url)
    app = serve(own_redis.url, tmp_path)
    kills = 0
    try:
        with Stream(app.port, threads=4) as stream:
            for _ in range(4):
                stream.wait_for(201, 40)
                # With four threads posting, a worker is almost always inside a request.
                os.kill(random.choice(app.workers()), signal.SIGKILL)
                kills += 1
                wait_until(lambda: len(app.workers()) == 2, timeout=20)
            stream.wait_for(201, 40)
    finally:
        app.stop()
    print(f"\nworker SIGKILL x{kills}: {dict(stream.statuses)}")
    # A killed worker drops its connections (status 0); it never answers 500.
    assert stream.wrong == [] and set(stream.statuses) <= {0, 201}, stream.statuses
    result = audit(store, stream.acked)
    store.close()
    assert result["missing"] == [] and result["broken"] == [], result


def test_worker_restarted_during_an_outage_keeps_the_server_up(
    own_redis: RedisServer, tmp_path: Path
) -> None:
    """Gunicorn stops the whole server when a worker fails to boot, and a worker built its
    app (which reaches the store) at boot: a worker restarted during a store outage took
    the service down for good (seen as a flaky fault test). Now it boots into a stand-in
    that answers 503 and builds the app once the store is back."""
    seeded(own_redis.url).close()
    app = serve(own_redis.url, tmp_path)
    try:
        own_redis.stop(kill=True)
        for pid in app.workers():
            os.kill(pid, signal.SIGKILL)  # both restart while the store is down
        wait_until(lambda: len(app.workers()) == 2, timeout=20)
        time.sleep(1.0)  # time enough for a boot that would fail
        assert app.proc.poll() is None, "cmp serve exited"
        status, media, body = request(app.port, "POST", "/api/v1/sites/demo/consents", DECISION)
        assert (status, media, body["code"]) == (
            503,
            "application/problem+json",
            "store_unavailable",
        )
        assert request(app.port, "GET", "/livez")[0] == 200
        assert request(app.port, "GET", "/healthz")[0] == 503
        own_redis.start()
        wait_until(
            lambda: request(app.port, "POST", "/api/v1/sites/demo/consents", DECISION)[0] == 201,
            timeout=20,
        )
    finally:
        app.stop()


DECISION = {"policy_version": 1, "categories": {"analytics": True}}
