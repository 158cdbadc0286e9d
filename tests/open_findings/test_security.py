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
from flask.testing import FlaskClient

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


# -- aliases -------------------------------------------------------------------------------

SITE = "/api/v1/sites/demo"
ORIGIN = {"Origin": "http://127.0.0.1:8000"}
BOTH = {"dmp-partner": True, "ad-global": True}


def _decide(client: FlaskClient, cats: dict, recipients: dict, aliases=(), vid=None) -> str:  # noqa: ANN001
    body = {"policy_version": 1, "categories": cats, "recipients": recipients}
    body["aliases"] = list(aliases)
    if vid:
        body["visitor_id"] = vid
    resp = client.post(f"{SITE}/consents", json=body, headers=ORIGIN)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["visitor_id"]


def _check_alias(client: FlaskClient, key: str, alias: dict) -> dict:
    body = {"recipient": "dmp-partner", "items": ["閲覧履歴"], "identifiers": [alias]}
    resp = client.post(
        f"{SITE}/provision-checks", json=body, headers={"Authorization": f"Bearer {key}"}
    )
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def test_a_keyed_link_does_not_silently_move_a_refusing_visitors_alias(
    client: FlaskClient, api_key
) -> None:
    """Finding 2: the victim refused with her ``_ga`` (banner claim). An attacker who sends
    the victim's ``_ga`` value next to his own cmp cookie in one first-party request gets the
    operator's backend to link it to him (``POST /aliases``); the check by that ``_ga`` then
    answers ``allowed`` on the attacker's consent, and the victim's refusal no longer applies
    through it. A link to another visitor than the one holding the alias must not allow
    (leave it in conflict, or refuse the link with 409)."""
    ga = {"type": "cookie:_ga", "value": "GA1.2.111.222"}
    _decide(client, {"targeting": False}, {}, [ga])
    assert _check_alias(client, api_key("provision"), ga)["allowed"] == []
    attacker = _decide(client, {"targeting": True}, BOTH)
    link = {"visitor_id": attacker, "aliases": [ga]}
    client.post(
        f"{SITE}/aliases", json=link, headers={"Authorization": f"Bearer {api_key('write')}"}
    )
    assert _check_alias(client, api_key("provision"), ga)["allowed"] == []


def test_an_anonymous_claim_does_not_undo_a_keyed_link(client: FlaskClient, api_key) -> None:
    """Finding 3: any anonymous decision naming an ``api``-linked ``_ga`` value turns the
    operator's authenticated link into a conflict: the alias then resolves to no one, so the
    linked visitor's own refusal (``no_consent``) is answered as ``unknown_visitor`` and a
    consenting visitor's data flow stops. storage/base.py: "a decision must never move an
    identifier away from the visitor who had it"."""
    ga = {"type": "cookie:_ga", "value": "GA1.2.333.444"}
    owner = _decide(client, {"targeting": True}, BOTH)
    link = {"visitor_id": owner, "aliases": [ga]}
    client.post(
        f"{SITE}/aliases", json=link, headers={"Authorization": f"Bearer {api_key('write')}"}
    )
    assert _check_alias(client, api_key("provision"), ga)["allowed"] == [ga]
    _decide(client, {}, {}, [ga])  # a stranger's banner decision claiming the same value
    assert _check_alias(client, api_key("provision"), ga)["allowed"] == [ga]
