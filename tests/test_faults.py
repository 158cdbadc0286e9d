"""Fault injection on real processes: nothing acknowledged is lost, nothing answers 500.

Each test runs a real ``cmp serve`` (gunicorn, 2 workers) as a subprocess, streams decisions
at it from a few threads, and kills something underneath: the Redis server (SIGKILL, then a
restart that reloads the AOF written with ``appendfsync always``), a Redis Cluster master
(its replica is promoted), or a gunicorn worker mid-request. Afterwards every decision the
API acknowledged with a 201 is looked up through the storage contract, and every touched
visitor's receipt chain and state must agree.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pytest

from cmp import ids
from cmp.receipts import verify_chain
from cmp.seed import seed_demo
from cmp.storage import Storage, open_store
from tests.servers import (
    RedisCluster,
    RedisServer,
    free_port,
    start_cluster,
    start_redis,
    wait_until,
)

pytestmark = pytest.mark.faults

CMP = str(Path(sys.executable).with_name("cmp"))
SECRET = "fault-test-secret-0123456789abcdef"


# -- a real `cmp serve` ----------------------------------------------------------------------


@dataclass
class Serve:
    """A ``cmp serve`` subprocess (the gunicorn master) and its log file."""

    proc: subprocess.Popen
    port: int
    log: IO[bytes]
    log_path: Path

    def workers(self) -> list[int]:
        """The PIDs of the gunicorn workers (children of the master)."""
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [int(p) for p in path.read_text().split()]

    def stop(self) -> None:
        """Stop gracefully (SIGTERM), wait, and close the log."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()


def request(
    port: int, method: str, path: str, body: Any = None, timeout: float = 15.0
) -> tuple[int, str, Any]:
    """Send one request; return ``(status, media type, JSON body or None)``; status 0 means
    no answer at all (connection refused or reset: a killed worker)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        payload = None if body is None else json.dumps(body)
        headers = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, path, body=payload, headers=headers)
        resp = conn.getresponse()
        raw = resp.read()
        media = (resp.getheader("Content-Type") or "").split(";")[0]
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            data = raw.decode(errors="replace")
        return resp.status, media, data
    except (ConnectionError, http.client.HTTPException, TimeoutError):
        return 0, "", None
    finally:
        conn.close()


def serve(
    store_url: str, tmp_path: Path, workers: int = 2, env: dict[str, str] | None = None
) -> Serve:
    """Start ``cmp serve`` on ``store_url`` and wait until it answers ``/livez``."""
    port = free_port()
    tmp_path.mkdir(parents=True, exist_ok=True)
    log_path = tmp_path / f"serve-{port}.log"
    log = log_path.open("wb")
    full = {
        **os.environ,
        "CMP_STORE_URL": store_url,
        "CMP_SECRET_KEY": SECRET,
        "CMP_RATE_LIMIT": "off",
        "CMP_INSTANCE_PATH": str(tmp_path / "instance"),
        **(env or {}),
    }
    full.pop("CMP_ENV", None)
    proc = subprocess.Popen(
        [CMP, "serve", "--port", str(port), "--workers", str(workers)],
        env=full,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = Serve(proc, port, log, log_path)

    def up() -> bool:
        if proc.poll() is not None:
            raise AssertionError(f"cmp serve exited: {log_path.read_text()}")
        return request(port, "GET", "/livez", timeout=2)[0] == 200

    try:
        wait_until(up, timeout=40, step=0.1)
    except BaseException:
        server.stop()
        raise
    return server


def seeded(store_url: str) -> Storage:
    """Open the store and make sure the demo site exists."""
    store = open_store(store_url)
    seed_demo(store)
    return store


# -- a stream of decisions -------------------------------------------------------------------


@dataclass
class Stream:
    """Threads posting decisions until stopped: a new visitor, then a few more decisions
    for the same visitor (so receipt chains grow across the fault)."""

    port: int
    threads: int = 3
    statuses: Counter = field(default_factory=Counter)
    acked: dict[str, list[str]] = field(default_factory=dict)
    wrong: list[str] = field(default_factory=list)
    timeline: list[tuple[float, int]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _workers: list[threading.Thread] = field(default_factory=list)

    def _one(self, visitor: str | None) -> str | None:
        body: dict[str, Any] = {
            "policy_version": 1,
            "categories": {"analytics": random.random() < 0.5, "targeting": False},
            "method": "banner",
        }
        if visitor:
            body["visitor_id"] = visitor
        status, media, data = request(self.port, "POST", "/api/v1/sites/demo/consents", body)
        with self._lock:
            self.statuses[status] += 1
            self.timeline.append((time.monotonic(), status))
            if status == 201:
                signed = data["visitor_id"]
                self.acked.setdefault(signed, []).append(data["receipt_id"])
                return signed
            if status == 503:
                if media != "application/problem+json" or data.get("code") != "store_unavailable":
                    self.wrong.append(f"503 without problem+json: {media} {data!r}")
            elif status != 0:
                self.wrong.append(f"{status} {media} {data!r}")
        return visitor

    def _run(self) -> None:
        while not self._stop.is_set():
            visitor = self._one(None)
            for _ in range(3):
                if self._stop.is_set() or visitor is None:
                    break
                visitor = self._one(visitor)

    def __enter__(self) -> Stream:
        for _ in range(self.threads):
            t = threading.Thread(target=self._run, daemon=True)
            t.start()
            self._workers.append(t)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for t in self._workers:
            t.join(timeout=60)

    def count(self, status: int) -> int:
        """How many answers with ``status`` so far."""
        with self._lock:
            return self.statuses[status]

    def wait_for(self, status: int, more: int, timeout: float = 30.0) -> None:
        """Wait until ``more`` further answers with ``status`` arrived."""
        target = self.count(status) + more
        wait_until(lambda: self.count(status) >= target, timeout=timeout, step=0.02)


def audit(store: Storage, acked: dict[str, list[str]]) -> dict[str, Any]:
    """Look every acknowledged decision up through the contract; check chains and states."""
    missing: list[str] = []
    broken: list[str] = []
    stored_total = 0
    for signed, receipt_ids in acked.items():
        raw = ids.verify(SECRET, signed)
        receipts = store.get_receipts(None, raw)
        stored_total += len(receipts)
        have = {r.receipt_id for r in receipts}
        missing += [r for r in receipt_ids if r not in have]
        broken += verify_chain(receipts, store.get_head(raw))
        state = store.get_state("demo", raw)
        if receipts and (state is None or state.receipt_id != receipts[-1].receipt_id):
            broken.append(f"{raw}: state points at {state and state.receipt_id}")
    acked_total = sum(len(v) for v in acked.values())
    return {"acked": acked_total, "stored": stored_total, "missing": missing, "broken": broken}


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


def _replicas_in_sync(cluster: RedisCluster) -> None:
    """Wait until every replica has finished its first sync (start_cluster returns before).

    Redis 7 syncs replicas diskless after ``repl-diskless-sync-delay`` (5 s by default); a
    master killed before that has no replica that may take over, so the delay is dropped.
    """
    for node in cluster.nodes:
        client = node.client()
        try:
            client.config_set("repl-diskless-sync-delay", 0)
        finally:
            client.close()

    def synced() -> bool:
        for node in cluster.nodes:
            client = node.client()
            try:
                info = client.info("replication")
            finally:
                client.close()
            if info["role"] == "slave" and info.get("master_link_status") != "up":
                return False
        return True

    wait_until(synced, timeout=20, step=0.1)


def test_cluster_master_killed_replica_takes_over(tmp_path: Path) -> None:
    cluster = start_cluster(3, 1)
    try:
        _replicas_in_sync(cluster)
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
