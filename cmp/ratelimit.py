"""Rate limits on the public POST endpoints and sign-in, per client network and site.

The counters live on the same store as cmp when that is Redis or a Redis Cluster, so every
`cmp serve` host shares one budget; beside the embedded SQLite store they live in a small
SQLite file next to it (:mod:`cmp.storage.sqlite_limits`), so every worker on the machine
shares one budget too. Both through the `limits` library's storages.

The budget is the client's IPv4 address, or its IPv6 /64 (one subscriber's network: a
client rotating addresses inside its /64 gains nothing), plus the site. The default,
``CMP_RATE_LIMIT`` = 600/minute, is set for carrier-grade NAT, where one public IPv4 address
fronts many phones; docs/api.md gives the reasoning. ``off`` disables every limit (load
and fault tests).

A limit is a fixed window that starts at its first request (the `limits` library's fixed
window): the check is one ``incr`` of its counter, one store round trip, and a 429 costs one
more, to read when the window ends for ``Retry-After``. (The Flask-Limiter extension used
before spent three round trips per limited request and ran hooks on every request of the
app.) A store that cannot be reached lets the request go on: if it needs the store it gets
the usual 503, never a 500.

A decision write on a single Redis node spends its limit inside its own write instead
(``fold=True`` and :func:`take_charges`): the same counters, under the same rule, counted by
the decision's script (:class:`cmp.storage.Charge`), which saves the write one of its two
round trips. A request that never reaches the store (a bad body, an old policy version)
spends them on its own when the view ends, so it is limited all the same, and a request over
the limit is answered 429 whatever else was wrong with it, as before.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, Response, current_app, g, request
from limits import RateLimitItem, parse_many
from limits.storage import RedisStorage, Storage, storage_from_string

import cmp.storage.sqlite_limits  # noqa: F401  (registers the cmp+sqlite limits storage)
from cmp.api import problems
from cmp.storage import Charge, ChargeExceeded
from cmp.storage.redis_conn import own_options
from cmp.storage.sqlite_limits import limits_path

log = logging.getLogger("cmp.ratelimit")

View = TypeVar("View", bound=Callable[..., Any])


def network(address: str) -> str:
    """The budget's network of a client address: the IPv4 address or the IPv6 /64."""
    return _network(address)


@functools.lru_cache(maxsize=4096)
def _network(address: str) -> str:
    # Cached: the same few addresses (proxies, NAT gateways) send most requests, and
    # ipaddress parsing is a measurable share of a decision write.
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


@functools.lru_cache(maxsize=64)
def parse(text: str) -> tuple[RateLimitItem, ...]:
    """The limits of a setting such as ``10/second;100/day``, shortest window first."""
    return tuple(sorted(parse_many(text)))


class RateLimited(Exception):
    """A limit is spent: answered 429 with ``Retry-After`` (see :func:`init_app`)."""

    def __init__(self, item: RateLimitItem, retry_after: int) -> None:
        super().__init__(str(item))
        self.description = str(item)
        self.retry_after = retry_after


@dataclass
class _Budget:
    """One app's limits storage and settings (tests build many apps in one process)."""

    storage: Storage
    prefix: str
    enabled: bool
    swallow: bool
    #: The limits storage is the store's own single Redis: a decision can spend its
    #: counters in its own script (keys named as the limits storage names them).
    folds: bool = False

    def counter(self, item: RateLimitItem, key: str, scope: str) -> str:
        """The name of ``item``'s counter for ``key`` and ``scope`` (before the storage's
        own prefix)."""
        return f"{self.prefix}/{key}/{scope}/{item.amount}/{item.multiples}/{item.GRANULARITY.name}"

    def charges(self, text: str, key: str, scope: str) -> tuple[Charge, ...]:
        """The counters of ``text`` as a store spends them in a write, full names on Redis."""
        assert isinstance(self.storage, RedisStorage)
        return tuple(
            Charge(
                self.storage.prefixed_key(self.counter(item, key, scope)),
                item.amount,
                item.get_expiry(),
            )
            for item in parse(text)
        )

    def spend(self, text: str, key: str, scope: str) -> None:
        """Count one request against every limit of ``text``; raise :class:`RateLimited`
        at the first that is spent (shortest window first)."""
        for item in parse(text):
            counter = self.counter(item, key, scope)
            try:
                if self.storage.incr(counter, item.get_expiry()) <= item.amount:
                    continue
                retry_after = max(1, int(self.storage.get_expiry(counter) - time.time()) + 1)
            except Exception:
                if not self.swallow:
                    raise
                log.warning("rate limit storage unreachable; request not limited", exc_info=True)
                return
            raise RateLimited(item, retry_after)


@dataclass
class _Pending:
    """A folded limit of the request being served, not spent yet (kept on ``flask.g``)."""

    budget: _Budget
    text: str
    key: str
    scope: str
    taken: bool = False

    def spend_now(self) -> None:
        """Spend it on its own (once); raise :class:`RateLimited` if it is spent."""
        if not self.taken:
            self.taken = True
            self.budget.spend(self.text, self.key, self.scope)

    # The store's side (cmp.storage.Charges).
    spend = spend_now

    def fold(self) -> tuple[Charge, ...]:
        """Hand the limit to the decision's own write (once): its counters as charges."""
        if self.taken:
            return ()
        self.taken = True
        return self.budget.charges(self.text, self.key, self.scope)


def take_charges(store: Any) -> _Pending | None:
    """The request's folded limit, for ``store``'s decision write (:class:`~cmp.storage.
    Charges`: the store takes it right before its write, or spends it first if it must
    write anything else).

    Call before the write. Where the store cannot fold it (SQLite, a cluster, a limiter
    on another storage) the limit is spent here, on its own, and None is returned;
    :class:`RateLimited` if it is spent. None when the view is not folded or no limit
    applies.
    """
    pending: _Pending | None = g.get("cmp_rate_pending")
    if pending is None or pending.taken:
        return None
    if pending.budget.folds and store.folds_charges:
        return pending
    pending.spend_now()
    return None


class Limiter:
    """Decorates views with a limit, spent per request in one store round trip."""

    def limit(
        self,
        limit_value: Callable[[], str],
        *,
        key_func: Callable[[], str],
        methods: list[str] | None = None,
        exempt_when: Callable[[], bool] | None = None,
        fold: bool = False,
    ) -> Callable[[View], View]:
        """Limit a view: ``limit_value()`` (a limits string, read per request) per
        ``key_func()`` and view; only for ``methods`` if given; none while ``exempt_when()``.

        ``fold``: the view hands the limit to its store write (:func:`take_charges`); what
        the view did not hand over is spent when it ends, whatever its outcome.
        """

        def decorate(view: View) -> View:
            @functools.wraps(view)
            def limited(*args: Any, **kwargs: Any) -> Any:
                budget: _Budget = current_app.extensions["cmp.ratelimit"]
                if not (
                    budget.enabled
                    and (methods is None or request.method in methods)
                    and not (exempt_when is not None and exempt_when())
                ):
                    return view(*args, **kwargs)
                text, key, scope = limit_value(), key_func(), request.endpoint or ""
                if not fold:
                    budget.spend(text, key, scope)
                    return view(*args, **kwargs)
                g.cmp_rate_pending = pending = _Pending(budget, text, key, scope)
                try:
                    return view(*args, **kwargs)
                except ChargeExceeded as exc:
                    raise RateLimited(parse(text)[exc.index], exc.retry_after) from exc
                finally:
                    # A request that never reached the store is limited all the same; a
                    # limit spent this way answers 429 in place of the view's answer.
                    pending.spend_now()

            return limited  # type: ignore[return-value]

        return decorate


limiter = Limiter()


def init_app(app: Flask) -> None:
    """Attach the limits storage; a 429 is problem+json with Retry-After.

    No X-RateLimit-*/Retry-After on other answers: a 201 with Retry-After told clients to
    wait. Only a 429 carries Retry-After.
    """
    app.config.setdefault("RATELIMIT_STORAGE_URI", storage_uri(app.config["STORE_URL"]))
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "cmp:rl")
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    # `off` turns every limit off (load and fault tests); CMP_ADMIN_LOGIN_LIMIT=off only
    # the sign-in one.
    uri = app.config["RATELIMIT_STORAGE_URI"]
    storage = storage_from_string(uri)
    app.extensions["cmp.ratelimit"] = _Budget(
        storage=storage,
        prefix=app.config["RATELIMIT_KEY_PREFIX"],
        enabled=app.config["RATE_LIMIT"] != "off",
        swallow=bool(app.config["RATELIMIT_SWALLOW_ERRORS"]),
        # Only the store's own server may count a folded limit: one set apart
        # (RATELIMIT_STORAGE_URI) must keep every counter.
        folds=type(storage) is RedisStorage and uri == storage_uri(app.config["STORE_URL"]),
    )

    @app.errorhandler(RateLimited)
    def _too_many(exc: RateLimited) -> Response:
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
        resp.headers["Retry-After"] = str(exc.retry_after)
        return resp
