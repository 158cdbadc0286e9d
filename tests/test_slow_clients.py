"""A real ``cmp serve`` against slow bodies and thousands of idle connections.

Review of issue 12's fixes: 20 anonymous decision POSTs whose body trickled in (chunked, or a
``Content-Length`` over the 64 KiB the event loop used to read itself) took every thread and
``/livez`` stopped answering (finding 1); 2,500 idle connections filled both workers'
``worker_connections`` and ``/livez`` waited 4-10 s in the listen queue (finding 4). Real
sockets, real subprocesses, SQLite. The framing rules themselves: tests/test_serve_body.py.
"""

from __future__ import annotations

import json
import resource
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cmp.serve_worker import HEAD_SECONDS
from tests.serving import Serve, seeded, serve
from tests.test_serve import _livez


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Serve]:
    """A default ``cmp serve`` (2 workers, nothing else set) on a fresh SQLite store."""
    url = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    seeded(url).close()
    running = serve(url, tmp_path)
    yield running
    running.stop()


_PUBLIC_POST = (
    b"POST /api/v1/sites/demo/consents HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    b"Origin: http://127.0.0.1:8000\r\nContent-Type: application/json\r\n"
)


class SlowBody:
    """A public decision POST whose body trickles in: chunked, or a Content-Length over
    64 KiB (but within the limit's reach of the event loop), one piece every 0.5 s."""

    def __init__(self, port: int, chunked: bool) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        if chunked:
            self.sock.sendall(_PUBLIC_POST + b"Transfer-Encoding: chunked\r\n\r\n1\r\n{\r\n")
            self.piece = b"1\r\n \r\n"
        else:
            self.sock.sendall(_PUBLIC_POST + b"Content-Length: 70000\r\n\r\n{")
            self.piece = b" "
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._trickle, daemon=True)
        self.thread.start()

    def _trickle(self) -> None:
        while not self.stopped.wait(0.5):
            try:
                self.sock.sendall(self.piece)
            except OSError:
                return

    def answer(self) -> bytes:
        """What the server sent, waiting at most ``HEAD_SECONDS + 5`` s."""
        self.sock.settimeout(HEAD_SECONDS + 5)
        try:
            return self.sock.recv(65536)
        except OSError:
            return b""

    def close(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)
        self.sock.close()


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "over-64k"])
def test_slow_public_bodies_do_not_stop_the_server(server: Serve, chunked: bool) -> None:
    """20 trickling bodies cost sockets, not threads: /livez answers meanwhile. A body over
    the public limit is answered 413 at once (as the app would, readable cross-origin); a
    chunked one still trickling when its deadline passes is answered 408."""
    assert _livez(server.port) < 2
    clients = [SlowBody(server.port, chunked) for _ in range(20)]
    try:
        time.sleep(1.0)
        for _ in range(3):
            assert _livez(server.port, timeout=8.0) < 2
        answer = clients[0].answer()
        head, _, body = answer.partition(b"\r\n\r\n")
        if chunked:
            assert head.startswith(b"HTTP/1.1 408")
        else:
            assert head.startswith(b"HTTP/1.1 413"), answer
            assert b"Access-Control-Allow-Origin: http://127.0.0.1:8000" in head
            assert json.loads(body)["code"] == "payload_too_large"
    finally:
        for client in clients:
            client.close()
    assert _livez(server.port) < 2


def test_a_chunked_body_read_by_the_event_loop_reaches_the_app(server: Serve) -> None:
    """A chunked body that arrives whole (pieces, an extension, a trailer) is decoded by
    gunicorn as before: the event loop only waits for it."""
    body = json.dumps({"policy_version": 1, "categories": {"analytics": True}}).encode()
    pieces = b"".join(b"%x;ext=1\r\n%s\r\n" % (len(p), p) for p in (body[:5], body[5:]))
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(_PUBLIC_POST + b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
        for n in range(0, len(pieces), 7):  # in small pieces, as a slow network would
            sock.sendall(pieces[n : n + 7])
            time.sleep(0.01)
        sock.sendall(b"0\r\nX-Trailer: 1\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    assert data.startswith(b"HTTP/1.1 201"), data


def test_thousands_of_idle_connections_do_not_delay_livez(server: Serve) -> None:
    """2,500 connections that send nothing: more than both workers' worker_connections
    (1,000 each). Each worker makes room by closing its oldest idle connection."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 3000:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
    idle: list[socket.socket] = []
    try:
        for _ in range(2500):
            idle.append(socket.create_connection(("127.0.0.1", server.port), timeout=10))
        time.sleep(0.5)
        rounds = [_livez(server.port, timeout=15.0) for _ in range(5)]
        assert max(rounds) < 2, rounds
    finally:
        for sock in idle:
            sock.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert _livez(server.port) < 2
