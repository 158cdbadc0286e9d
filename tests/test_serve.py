"""A real ``cmp serve`` against slow clients, long exports and forged forwarding headers.

Issue 12: two connections sending headers slowly made a default ``cmp serve`` unresponsive,
``/livez`` included, ~30 s each time (finding 6); a CSV export was killed at the worker
timeout (finding 5); gunicorn trusted ``X-Forwarded-Proto`` from 127.0.0.1 with
``CMP_TRUST_PROXY=0``, and with ``CMP_TRUST_PROXY=1`` ``X-Forwarded-Host`` moved the banner's
notice link and /demo's script host (finding 11). Real sockets, real subprocesses, SQLite.
"""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cmp import clock, provision
from cmp.apikeys import issue
from cmp.model import ProvisionRecord
from cmp.serve_worker import HEAD_SECONDS
from cmp.storage import open_store
from tests.conftest import make_app
from tests.serving import Serve, listening_sockets, seeded, serve


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Serve]:
    """A default ``cmp serve`` (2 workers, nothing else set) on a fresh SQLite store."""
    url = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    seeded(url).close()
    running = serve(url, tmp_path)
    yield running
    running.stop()


def _livez(port: int, timeout: float = 20.0) -> float:
    """Seconds ``/livez`` took to answer (``timeout`` if it did not)."""
    began = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", "/livez")
        assert conn.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return timeout
    finally:
        conn.close()
    return time.monotonic() - began


class SlowClient:
    """A connection that sends a request head one header line per ``every`` seconds."""

    def __init__(self, port: int, every: float = 0.5) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.sock.sendall(b"GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        self.every, self.stopped, self.closed_by_server = every, threading.Event(), False
        self.thread = threading.Thread(target=self._trickle, daemon=True)
        self.thread.start()

    def _trickle(self) -> None:
        n = 0
        while not self.stopped.wait(self.every):
            try:
                self.sock.sendall(f"X-Slow-{n}: x\r\n".encode())
            except OSError:
                self.closed_by_server = True
                return
            n += 1

    def answer(self) -> bytes:
        """Whatever the server sent before closing (the 408), waiting at most 15 s."""
        self.sock.settimeout(15)
        try:
            return self.sock.recv(4096)
        except OSError:
            return b""

    def close(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)
        self.sock.close()


@pytest.mark.parametrize("slow", [2, 40])
def test_slow_clients_do_not_stop_the_server(server: Serve, slow: int) -> None:
    assert _livez(server.port) < 2
    clients = [SlowClient(server.port) for _ in range(slow)]
    try:
        time.sleep(1.0)  # every slow client is in the middle of its head
        rounds = [_livez(server.port) for _ in range(7)]
        assert statistics.median(rounds) < 0.5, rounds
        assert max(rounds) < 2, rounds
        # A head still incomplete after HEAD_SECONDS is answered 408 and closed.
        began = time.monotonic()
        assert clients[0].answer().startswith(b"HTTP/1.1 408")
        assert time.monotonic() - began < HEAD_SECONDS + 3
    finally:
        for client in clients:
            client.close()
    assert _livez(server.port) < 2


def test_idle_connections_do_not_hold_threads(server: Serve) -> None:
    idle = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(40)]
    try:
        time.sleep(0.5)
        assert _livez(server.port) < 1
    finally:
        for sock in idle:
            sock.close()


def test_small_bodies_pipelining_and_keep_alive_still_work(server: Serve) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    for _ in range(3):  # one kept-alive connection, three requests
        conn.request(
            "POST",
            "/api/v1/sites/demo/consents",
            body=b'{"policy_version": 1, "categories": {"analytics": true}}',
            headers={"Content-Type": "application/json"},
        )
        resp = conn.getresponse()
        body = resp.read()
        assert resp.status == 201, body
    conn.close()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(
            b"GET /livez HTTP/1.1\r\nHost: x\r\n\r\nGET /livez HTTP/1.1\r\nHost: x\r\n"
            b"Connection: close\r\n\r\n"
        )
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    assert data.count(b"HTTP/1.1 200") == 2


def test_a_long_export_outlives_the_worker_timeout(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'export.sqlite3'}"
    store = seeded(url)
    dmp = next(r for r in store.get_recipients("demo") if r.key == "dmp-partner")
    for n in range(4000):
        when = f"2026-01-{1 + n // 1440:02d}T{n // 60 % 24:02d}:{n % 60:02d}:00Z"
        store.append_provision_record(
            ProvisionRecord(
                record_id=f"pr-{n:05d}", site="demo", recipient=provision.recipient_snapshot(dmp),
                items=["閲覧履歴"], purpose="p" * 5000, consent_confirmation="c",
                foreign_info_confirmation="", provided_from=when, provided_to=when,
                allowed_count=1, denied_count=0,
                retention_until=provision.retention_until(clock.parse(when), 30),
                created_by="test", created_at=when,
            )
        )  # fmt: skip
    key = issue(store, "demo", ["read"])[1]
    store.close()
    # 2 s, not 1: gthread's loop wakes at least once a second to tell the master it is
    # alive, so a 1 s timeout killed an idle-looking worker whenever the machine stalled.
    running = serve(url, tmp_path, workers=1, args=("--timeout", "2"))
    try:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.settimeout(20)
        sock.connect(("127.0.0.1", running.port))
        conn = http.client.HTTPConnection("127.0.0.1", running.port)
        conn.sock = sock
        conn.request(
            "GET",
            "/api/v1/sites/demo/provision-records?format=csv",
            headers={"Authorization": f"Bearer {key}"},
        )
        resp = conn.getresponse()
        assert resp.status == 200
        began, body = time.monotonic(), b""
        while chunk := resp.read(65536):  # a slow reader: longer than the 2 s worker timeout
            body += chunk
            time.sleep(0.01)
        assert time.monotonic() - began > 3
        text = body.decode()
        assert text.count("\r\n") == 4001 and "EXPORT INCOMPLETE" not in text
        conn.close()
    finally:
        running.stop()
    assert b"WORKER TIMEOUT" not in running.log_path.read_bytes()


def _get(port: int, path: str, headers: dict[str, str]) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers=headers)
    resp = conn.getresponse()
    resp.read()
    conn.close()
    return resp


FORGED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}


def test_gunicorn_trusts_no_forwarded_header_without_trust_proxy(server: Serve) -> None:
    resp = _get(server.port, "/admin/login", FORGED)
    assert resp.getheader("Strict-Transport-Security") is None  # not taken for https
    assert "Secure" not in (resp.getheader("Set-Cookie") or "")
    page = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    page.request("GET", "/demo", headers=FORGED)
    html = page.getresponse().read().decode()
    page.close()
    assert "evil.example" not in html and "https://127.0.0.1" not in html


def test_trust_proxy_trusts_the_scheme_but_not_the_host(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'proxy.sqlite3'}"
    seeded(url).close()
    running = serve(url, tmp_path, env={"CMP_TRUST_PROXY": "1"})
    try:
        resp = _get(running.port, "/admin/login", FORGED)
        assert resp.getheader("Strict-Transport-Security")  # one proxy hop: its scheme
    finally:
        running.stop()
    app = make_app(url, TRUST_PROXY=1)
    client = app.test_client()
    config = client.get("/api/v1/sites/demo/config", headers=FORGED).get_json()
    assert "evil.example" not in config["links"]["external_transmission"]
    assert "evil.example" not in client.get("/demo", headers=FORGED).text
    app.extensions["cmp.store"].close()
    hosted = make_app(url, TRUST_PROXY=1, TRUST_PROXY_HOST=1)  # said so: then it is used
    notice = hosted.test_client().get("/api/v1/sites/demo/config", headers=FORGED).get_json()
    assert notice["links"]["external_transmission"].startswith("https://evil.example/")
    hosted.extensions["cmp.store"].close()
    store = open_store(url)
    store.close()


def _connections_per_worker(server: Serve) -> list[int]:
    """Established connections on the server's port held by each worker, from /proc."""
    mine = set()
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(name).read_text().splitlines()[1:]:
            fields = line.split()
            # local address:port in hex, state 01 = ESTABLISHED, inode
            if int(fields[1].rsplit(":", 1)[1], 16) == server.port and fields[3] == "01":
                mine.add(fields[9])
    counts = []
    for pid in server.workers():
        links = [os.readlink(p) for p in Path(f"/proc/{pid}/fd").iterdir() if p.is_symlink()]
        counts.append(sum(link[8:-1] in mine for link in links if link.startswith("socket:[")))
    return counts


def test_a_burst_of_kept_alive_connections_is_spread_over_the_workers(server: Serve) -> None:
    """Issue 14: every worker waited on the one shared listener, and the first to wake
    accepted a whole burst, so wrk's 16 kept-alive connections often all went to one of two
    workers, which then served everything on one core. Each worker now listens on its own
    SO_REUSEPORT socket and the kernel spreads the connections (by their addresses)."""
    assert listening_sockets(server.port) == 2, "serve() waits until both workers listen"
    socks = [socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(32)]
    try:
        for sock in socks:  # all connected first: the burst waits in the backlog
            sock.sendall(b"GET /livez HTTP/1.1\r\nHost: x\r\n\r\n")
        for sock in socks:
            assert sock.recv(4096).startswith(b"HTTP/1.1 200")
        counts = _connections_per_worker(server)
    finally:
        for sock in socks:
            sock.close()
    # 32 connections hashed over 2 workers: fewer than 4 on one has odds of 3 in a million.
    assert sum(counts) == 32 and min(counts) >= 4, counts
