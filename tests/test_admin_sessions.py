"""Sessions that end on the server, and sign-in throttling that holds under concurrency.

Issue 12, finding 3: a cookie copied before log-out kept full rights (creating API keys) for
the 12 h lifetime. Finding 10: 16 parallel wrong passwords got 8 checks against a limit of 5;
unknown names never locked (enumeration); anyone could keep any admin locked out.
Every backend.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from flask import Flask, session
from flask.sessions import NullSession, SecureCookieSession
from werkzeug.security import generate_password_hash

from cmp.admin import auth, lockout
from cmp.model import AdminUser
from tests.conftest import make_app
from tests.test_admin_support import ADMIN, PASSWORD, Console, add_user, sign_in, token_in

LOCKED = "ロックされています"
SLOW = "試行が集中しています"


def _attempt(app: Flask, name: str, password: str, ip: str = "192.0.2.10") -> str:
    client = app.test_client()
    env = {"REMOTE_ADDR": ip}
    page = client.get("/admin/login", environ_base=env)
    resp = client.post(
        "/admin/login",
        data={"username": name, "password": password, "csrf_token": token_in(page.text)},
        environ_base=env,
    )
    if resp.status_code == 303:
        return "signed-in"
    if LOCKED in resp.text:
        return "locked"
    return "slow" if SLOW in resp.text else "failed"


def test_a_cookie_copied_before_log_out_is_worthless_after(app: Flask) -> None:
    console = sign_in(app, "admin")
    stolen = console.client.get_cookie("session")
    assert stolen is not None
    thief = Console(app)
    thief.client.set_cookie("session", stolen.value)
    assert thief.get("/admin/sites/demo/keys").status_code == 200  # a copy works meanwhile
    assert console.post("/admin/logout").status_code == 303
    assert thief.get("/admin/sites/demo/keys").status_code == 303
    before = app.extensions["cmp.store"].list_api_keys("demo")
    # Its CSRF token still verifies (same signed cookie), yet the POST gets nowhere.
    resp = thief.client.post(
        "/admin/sites/demo/keys", data={"name": "x", "scopes": "read", "csrf_token": "x"}
    )
    assert resp.status_code in (303, 400)
    assert app.extensions["cmp.store"].list_api_keys("demo") == before
    # A fresh sign-in works again; the old cookie stays dead.
    assert console.login(ADMIN).status_code == 303
    assert console.get("/admin/").status_code == 200
    assert thief.get("/admin/").status_code == 303


def test_sixteen_parallel_guesses_get_exactly_five_checks(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A real (slow) hash, as `cmp create-admin` writes, so that the guesses overlap.
    store = app.extensions["cmp.store"]
    store.put_admin(AdminUser(ADMIN, generate_password_hash(PASSWORD), "admin"))
    checks: list[int] = []
    real = auth.check_password_hash

    def counted(hashed: str, password: str) -> bool:
        checks.append(1)
        return real(hashed, password)

    monkeypatch.setattr(auth, "check_password_hash", counted)
    start = threading.Barrier(16)
    outcomes: list[str] = []

    def guess(n: int) -> None:
        client = app.test_client()
        page = client.get("/admin/login")
        start.wait()
        resp = client.post(
            "/admin/login",
            data={"username": ADMIN, "password": f"wrong {n}", "csrf_token": token_in(page.text)},
        )
        outcomes.append("locked" if LOCKED in resp.text else "failed")

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(checks) == 5
    assert outcomes.count("failed") == 4 and outcomes.count("locked") == 12
    # Even the right password, meanwhile (the test client's address is 127.0.0.1).
    assert _attempt(app, ADMIN, PASSWORD, ip="127.0.0.1") == "locked"


def test_unknown_names_lock_like_real_ones(app: Flask) -> None:
    add_user(app, ADMIN, "admin")
    for name in (ADMIN, "nobody-here"):
        seen = [_attempt(app, name, "wrong password") for _ in range(6)]
        assert seen == ["failed"] * 4 + ["locked", "locked"], name


def test_guesses_from_elsewhere_do_not_lock_the_admin_out(app: Flask) -> None:
    add_user(app, ADMIN, "admin")
    for _ in range(5):
        _attempt(app, ADMIN, "wrong password", ip="203.0.113.66")
    assert _attempt(app, ADMIN, PASSWORD, ip="203.0.113.66") == "locked"
    assert _attempt(app, ADMIN, PASSWORD, ip="198.51.100.7") == "signed-in"
    # IPv6: the lock covers the attacker's whole /64, not one address of it.
    for n in range(5):
        _attempt(app, ADMIN, "wrong password", ip=f"2001:db8:1:2::{n + 1}")
    assert _attempt(app, ADMIN, PASSWORD, ip="2001:db8:1:2::99") == "locked"
    assert _attempt(app, ADMIN, PASSWORD, ip="2001:db8:1:3::1") == "signed-in"
    audit = app.extensions["cmp.store"].list_audit("")
    assert any(e.action == "admin.lock" and e.target == ADMIN for e in audit)


def test_guesses_from_many_addresses_are_slowed_down(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_user(app, ADMIN, "admin")
    monkeypatch.setattr(lockout, "SLOW_SECONDS", 1.0)
    limit = int(app.config["ADMIN_MAX_FAILURES"])
    for n in range(lockout.GLOBAL_FACTOR * limit):  # each address below its own lock
        assert _attempt(app, ADMIN, "wrong password", ip=f"198.51.100.{n + 1}") == "failed"
    assert _attempt(app, ADMIN, "wrong password", ip="203.0.113.1") == "failed"  # the slot
    assert _attempt(app, ADMIN, PASSWORD, ip="203.0.113.2") == "slow"  # no check meanwhile
    time.sleep(1.2)
    # Slowed, not locked: once the slot is free the admin signs in, from any address.
    assert _attempt(app, ADMIN, PASSWORD, ip="203.0.113.2") == "signed-in"


def test_only_the_console_opens_a_session(tmp_path: Path) -> None:
    """An API request gets Flask's null session (no cookie signer built, nothing saved, a
    write raises); the console and its sign-in keep the signed-cookie session."""
    app = make_app(f"sqlite:///{tmp_path / 'cmp.sqlite3'}")
    try:
        with app.test_request_context("/api/v1/sites/demo/consents", method="POST"):
            assert isinstance(session._get_current_object(), NullSession)  # type: ignore[attr-defined]
        with app.test_request_context("/admin/login"):
            opened = session._get_current_object()  # type: ignore[attr-defined]
            assert isinstance(opened, SecureCookieSession)
            assert not isinstance(opened, NullSession)
        # And the answer sets no cookie.
        console = app.test_client()
        answer = console.post(
            "/api/v1/sites/demo/consents",
            json={"policy_version": 1, "lang": "ja", "method": "banner", "categories": {}},
        )
        assert answer.status_code == 201
        assert "Set-Cookie" not in answer.headers
    finally:
        app.extensions["cmp.store"].close()
