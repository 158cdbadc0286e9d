"""Rate limits on the public POST endpoints, per client IP and site (Flask-Limiter).

Flask-Limiter (on the `limits` library) keeps its counters on the same store as cmp when
that is Redis or a Redis Cluster, so every `cmp serve` host shares one budget; with the
embedded SQLite store they are per process. ``CMP_RATE_LIMIT`` sets the limit (``off``
disables it, for load and fault tests).
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded

from cmp.api import problems


def client_key() -> str:
    """The budget a request spends: its client IP and the site in its path."""
    site = (request.view_args or {}).get("site", "")
    return f"{request.remote_addr or '-'}|{site}"


limiter = Limiter(key_func=client_key, default_limits=[], headers_enabled=True)


def public_limit() -> str:
    """The configured limit for public POSTs (read per request, so tests can change it)."""
    return str(current_app.config["RATE_LIMIT"])


def login_limit() -> str:
    """Sign-in attempts allowed per client IP (on top of the per-account lock-out)."""
    return str(current_app.config["ADMIN_LOGIN_LIMIT"])


def login_limit_off() -> bool:
    """True when ``CMP_ADMIN_LOGIN_LIMIT`` is ``off``."""
    return current_app.config["ADMIN_LOGIN_LIMIT"] == "off"


def remote_address() -> str:
    """The budget of an admin sign-in: the client IP alone."""
    return request.remote_addr or "-"


def storage_uri(store_url: str) -> str:
    """The limits storage for a store URL: the same Redis, or memory beside SQLite."""
    if store_url.startswith(("redis://", "rediss://", "redis+cluster://")):
        return store_url
    return "memory://"


def init_app(app: Flask) -> None:
    """Attach the limiter; a 429 is problem+json with Retry-After."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", storage_uri(app.config["STORE_URL"]))
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "cmp:rl")
    # A limiter whose store is down must not turn a request into a 500: the request goes
    # on and, if it needs the store, gets the usual 503.
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    # `off` turns every limit off (load and fault tests); CMP_ADMIN_LOGIN_LIMIT=off only
    # the sign-in one.
    app.config["RATELIMIT_ENABLED"] = app.config["RATE_LIMIT"] != "off"
    limiter.init_app(app)

    @app.errorhandler(RateLimitExceeded)
    def _too_many(exc: RateLimitExceeded) -> Response:
        if request.path.startswith("/api/"):
            resp = problems.response(
                problems.Problem(429, "rate_limited", f"too many requests: limit {exc.description}")
            )
        else:
            resp = Response(
                "Too many attempts; wait a minute and try again. / "
                "試行回数が多すぎます。1分ほど待ってから再度お試しください。",
                status=429,
                mimetype="text/plain",
            )
        retry = getattr(exc, "retry_after", None)
        resp.headers["Retry-After"] = str(int(retry)) if retry else "60"
        return resp
