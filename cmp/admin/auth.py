"""Signing in to the console: sessions, CSRF on every POST, lock-out, roles.

- Passwords are checked with werkzeug's hashes (``cmp create-admin`` writes them).
- After ``ADMIN_MAX_FAILURES`` wrong passwords in a row from one address, that name is locked
  for that address for ``ADMIN_LOCK_MINUTES``; the form says so. Unknown names cost the same
  hash check and lock the same way; guesses from many addresses are slowed down
  (:mod:`cmp.admin.lockout`).
- Signing in starts a new session (nothing of the old one is kept but the UI language), so a
  session planted before login is worthless. The session is also kept on the server (the
  store holds the hash of its random token): log-out deletes it there, so a copy of the
  cookie is worthless afterwards. A session ends after ``ADMIN_SESSION_HOURS``, at log-out,
  or as soon as the user's password or role changes.
- Every POST carries a CSRF token (flask-wtf), checked here before any view runs.
- A ``viewer`` sees every page; any change it attempts is answered 403.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import timedelta
from typing import Any

from flask import abort, current_app, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import validate_csrf
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import ValidationError

from cmp import clock, context
from cmp.admin import bp, lockout
from cmp.admin.audit import record
from cmp.admin.forms import ActionForm, LoginForm
from cmp.admin.i18n import safe_next
from cmp.model import AdminUser
from cmp.ratelimit import limiter, login_limit, login_limit_off, remote_address

#: Endpoints reachable without signing in.
PUBLIC = {"admin.login", "admin.lang"}
#: POSTs that change nothing, so a viewer may send them (with their CSRF token).
READ_ONLY_POSTS = {"admin.logout", "admin.preview"}

_dummy_hash: list[str] = []


def fingerprint(user: AdminUser) -> str:
    """Return what a session remembers of the user: changes when the password or role does."""
    return hashlib.sha256(f"{user.password_hash}|{user.role}".encode()).hexdigest()[:24]


def current_user() -> AdminUser | None:
    """Return the signed-in user of this request (None on public endpoints)."""
    return g.get("admin_user")


def can_edit() -> bool:
    """True when the signed-in user may change things (role ``admin``)."""
    user = current_user()
    return user is not None and user.role == "admin"


def _token_hash(sid: object) -> str:
    return hashlib.sha256(f"cmp.admin.session|{sid}".encode()).hexdigest()


def _session_user() -> AdminUser | None:
    name, fp, started = session.get("user"), session.get("fp"), session.get("at", 0)
    sid = session.get("sid")
    if not name or not fp or not sid:
        return None
    if time.time() - float(started) > float(current_app.config["ADMIN_SESSION_HOURS"]) * 3600:
        return None
    store = context.store()
    if store.get_admin_session(_token_hash(sid)) != str(name):
        return None  # logged out (or never started on this server)
    user = store.get_admin(str(name))
    if user is None or not secrets.compare_digest(fingerprint(user), str(fp)):
        return None
    return user


def _fresh_session(user: AdminUser | None) -> None:
    """Drop everything in the session (but the UI language) and start it over; the old
    session ends on the server too, a new signed-in one is recorded there."""
    ui = session.get("ui_lang")
    if session.get("sid"):
        context.store().delete_admin_session(_token_hash(session["sid"]))
    session.clear()
    if ui:
        session["ui_lang"] = ui
    if user is not None:
        session["user"] = user.username
        session["fp"] = fingerprint(user)
        session["at"] = int(time.time())
        session["sid"] = secrets.token_urlsafe(32)
        hours = float(current_app.config["ADMIN_SESSION_HOURS"])
        context.store().put_admin_session(_token_hash(session["sid"]), user.username, hours * 3600)


@bp.before_request
def _guard() -> ResponseReturnValue | None:
    """CSRF on every POST, then sign-in, then the role."""
    if request.method == "POST" and current_app.config.get("WTF_CSRF_ENABLED", True):
        try:
            validate_csrf(request.form.get("csrf_token"))
        except ValidationError:
            abort(400)
    if request.endpoint in PUBLIC:
        return None
    user = _session_user()
    if user is None:
        if session.get("user"):
            _fresh_session(None)
        target = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("admin.login", next=target), code=303)
    g.admin_user = user
    if request.method not in ("GET", "HEAD") and user.role != "admin":
        if request.endpoint not in READ_ONLY_POSTS:
            abort(403)
    return None


@bp.context_processor
def _inject_user() -> dict[str, Any]:
    return {"user": current_user(), "can_edit": can_edit(), "action_form": ActionForm()}


def check_login(username: str, password: str) -> tuple[AdminUser | None, str]:
    """Return ``(user, "")`` on success, else ``(None, reason)`` with reason ``failed``,
    ``slow`` or ``locked:<until>`` (see :mod:`cmp.admin.lockout`)."""
    ip = remote_address()
    turn = lockout.begin(username, ip)
    if not turn.check:
        return None, _reason(turn)
    user = context.store().get_admin(username)
    if user is None:
        if not _dummy_hash:
            _dummy_hash.append(generate_password_hash(secrets.token_hex(8)))
        check_password_hash(_dummy_hash[0], password)
    elif check_password_hash(user.password_hash, password):
        lockout.succeeded(username, ip)
        return user, ""
    after = lockout.failed(username, turn)
    if after.reason == "locked" and user is not None:
        until = _reason(after).partition(":")[2]
        record("", "admin.lock", username, None, {"address": ip, "until": until}, actor=username)
    return None, _reason(after)


def _reason(turn: lockout.Turn) -> str:
    if turn.reason == "locked":
        return f"locked:{clock.iso(clock.now() + timedelta(seconds=round(turn.seconds)))}"
    return turn.reason


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"], key_func=remote_address, exempt_when=login_limit_off)
def login() -> ResponseReturnValue:
    """The sign-in form; success starts a new session and returns to ``next``."""
    form = LoginForm()
    error, until = "", ""
    if form.validate_on_submit():
        user, reason = check_login(form.username.data.strip(), form.password.data)
        if user is not None:
            _fresh_session(user)
            record("", "admin.login", user.username, None, {"role": user.role}, actor=user.username)
            return redirect(safe_next(request.args.get("next"), url_for("admin.index")), code=303)
        error, _, until = reason.partition(":")
    status = 200 if request.method == "GET" or error else 422
    return render_template(
        "admin/login.html",
        form=form,
        error=error,
        until=until,
        max_failures=current_app.config["ADMIN_MAX_FAILURES"],
        lock_minutes=current_app.config["ADMIN_LOCK_MINUTES"],
    ), status


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    """End the session."""
    _fresh_session(None)
    return redirect(url_for("admin.login"), code=303)
