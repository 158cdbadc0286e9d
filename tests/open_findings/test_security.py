"""Open findings of the outside penetration test of issue 12's fixes, kept outside the suite
`make test` runs until fixed (docs/open-findings.md); run them with `.venv/bin/pytest
tests/open_findings`; a fixed finding's test moves into tests/."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

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
    """A public decision POST whose body trickles in: chunked, or a Content-Length over the
    64 KiB the event loop reads itself. Both go to a thread at once."""

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

    def close(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)
        self.sock.close()


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "over-64k"])
def test_slow_public_bodies_do_not_stop_the_server(server: Serve, chunked: bool) -> None:
    """Finding 1: 20 anonymous decision POSTs trickling their body (chunked, which the public
    endpoints accept, or a Content-Length over MAX_BODY) hold all 16 threads of a default
    ``cmp serve``; /livez then does not answer for as long as the bodies trickle."""
    assert _livez(server.port) < 2
    clients = [SlowBody(server.port, chunked) for _ in range(20)]
    try:
        time.sleep(1.0)
        assert _livez(server.port, timeout=8.0) < 2
    finally:
        for client in clients:
            client.close()
