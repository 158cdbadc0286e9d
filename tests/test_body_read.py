"""A body read straight off the server's stream (cmp.api.problems.read_body) is never taken
whole when the client stopped short of its Content-Length: on a server that does not frame
bodies itself (werkzeug's), a complete JSON prefix of a cut body is a 400, not a decision."""

from __future__ import annotations

import json
import socket
import threading

import pytest
from werkzeug.serving import make_server

from tests.conftest import make_app

BODY = json.dumps({"policy_version": 1, "categories": {"analytics": True}, "lang": "ja"}).encode()


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_body_shorter_than_its_length_is_refused(store_url: str) -> None:
    app = make_app(store_url)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        s = socket.create_connection(("127.0.0.1", server.port), timeout=8)
        s.sendall(
            b"POST /api/v1/sites/demo/consents HTTP/1.1\r\nHost: x\r\n"
            b"Origin: http://127.0.0.1:8000\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(BODY) + 5}\r\n\r\n".encode()
            + BODY
        )
        s.shutdown(socket.SHUT_WR)
        raw = b""
        while chunk := s.recv(65536):
            raw += chunk
        s.close()
    finally:
        server.shutdown()
    assert raw.startswith(b"HTTP/1.1 400"), raw[:200]
    assert app.extensions["cmp.store"].iter_visitors() is not None
    assert list(app.extensions["cmp.store"].iter_visitors()) == []
