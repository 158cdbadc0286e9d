"""Rate limits on the public POST endpoints and sign-in, per client network and site.

Flask-Limiter (on the `limits` library) keeps its counters on the same store as cmp when
that is Redis or a Redis Cluster, so every `cmp serve` host shares one budget; beside the
embedded SQLite store they live in a small SQLite file next to it
(:mod:`cmp.storage.sqlite_limits`), so every worker on the machine shares one budget too.

The budget is the client's IPv4 address, or its IPv6 /64 (one subscriber's network: a
client rotating addresses inside its /64 gains nothing), plus the site. The default,
``CMP_RATE_LIMIT`` = 600/minute, is set for carrier-grade NAT, where one public IPv4 address
fronts many phones; docs/api.md gives the reasoning. ``off`` disables every limit (load
and fault tests).
"""

from __future__ import annotations

import ipaddress
import time

from flask import Flask, Response, current_app, request
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded

import cmp.storage.sqlite_limits  # noqa: F401  (registers the cmp+sqlite limits storage)
from cmp.api import problems
from cmp.storage.redis_conn import own_options
from cmp.storage.sqlite_limits import limits_path


def network(address: str) -> str:
    """The budget's network of a client address: the IPv4 address or the IPv6 /64."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address or "-"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def client_key() -> str:
    """The budget a request spends: its client network and the site in its path."""
    site = (request.view_args or {}).get("site", "")
    return f"{network(request.remote_addr or '')}|{site}"


# No X-RateLimit-*/Retry-After on every answer: a 201 with Retry-After told clients to wait.
# Only a 429 carries Retry-After (set below).
limiter = Limiter(key_func=client_key, default_limits=[], headers_enabled=False)


def public_limit() -> str:
    """The configured limit for public POSTs (read per request, so tests can change it)."""
    return str(current_app.config["RATE_LIMIT"])


def login_limit() -> str:
    """Sign-in attempts allowed per client network (on top of the per-account lock-out)."""
    return str(current_app.config["ADMIN_LOGIN_LIMIT"])


def login_limit_off() -> bool:
    """True when ``CMP_ADMIN_LOGIN_LIMIT`` is ``off``."""
    return current_app.config["ADMIN_LOGIN_LIMIT"] == "off"


def remote_address() -> str:
    """The budget of an admin sign-in: the client network alone."""
    return network(request.remote_addr or "")


def storage_uri(store_url: str) -> str:
    """The limits storage for a store URL: the same Redis, or a counters file beside SQLite."""
    if store_url.startswith(("redis://", "rediss://", "redis+cluster://")):
        # cmp's own options (wait_replicas, wait_ms) are no driver's: the limiter's client
        # refused them on every call, and its swallowed errors turned every limit off.
        return own_options(store_url)[0]
    if store_url.startswith("sqlite://"):
        path = store_url.removeprefix("sqlite://")
        path = path[1:] if path.startswith("/") else path
        return "cmp+sqlite:///" + limits_path(path)
    return "memory://"


def _retry_after() -> int:
    current = limiter.current_limit
    if current is None:
        return 60
    return max(1, int(current.reset_at - time.time()) + 1)


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
        resp.headers["Retry-After"] = str(_retry_after())
        return resp
