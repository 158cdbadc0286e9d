"""A real `cmp serve` subprocess, requests to it, and streams of decisions at it.

Used by the fault, security and cache-freshness tests: each starts real processes and
checks what the API acknowledged against what the store holds.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from cmp import ids
from cmp.receipts import verify_chain
from cmp.seed import seed_demo
from cmp.storage import Storage, open_store
from tests.servers import free_port, wait_until

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
    store_url: str,
    tmp_path: Path,
    workers: int = 2,
    env: dict[str, str] | None = None,
    args: tuple[str, ...] = (),
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
        [CMP, "serve", "--port", str(port), "--workers", str(workers), *args],
        env=full,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = Serve(proc, port, log, log_path)

    def up() -> bool:
        if proc.poll() is not None:
            raise AssertionError(f"cmp serve exited: {log_path.read_text()}")
        # Every worker binds its own SO_REUSEPORT socket: until all have, new connections
        # land on the ones booted so far, and a test would measure a half-started server.
        booted = listening_sockets(port) >= workers
        return booted and request(port, "GET", "/livez", timeout=2)[0] == 200

    try:
        wait_until(up, timeout=40, step=0.1)
    except BaseException:
        server.stop()
        raise
    return server


def listening_sockets(port: int) -> int:
    """Sockets listening on ``port`` (state 0A in /proc/net/tcp*): one per booted worker."""
    count = 0
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(name).read_text().splitlines()[1:]:
            fields = line.split()
            count += int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A"
    return count


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
