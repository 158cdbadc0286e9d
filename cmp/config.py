"""Settings: defaults, then ``instance/config.py``, then ``CMP_*`` environment, then test config.

Each setting is validated once at start-up; a bad one raises :class:`ConfigError` whose
message is one line naming the setting, which the CLI and ``wsgi.py`` print and exit on.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

ENVIRONMENTS = ("production", "development", "testing")

#: Setting name -> (default, type). ``None`` default means "computed" or "required".
SETTINGS: dict[str, tuple[Any, type]] = {
    "SECRET_KEY": (None, str),
    "STORE_URL": (None, str),
    "ENV": ("production", str),
    "RATE_LIMIT": ("600/minute", str),
    "PUBLIC_MAX_BYTES": (16 * 1024, int),
    "MAX_CONTENT_LENGTH": (4 * 1024 * 1024, int),
    # Three calendar years (Rule 29) hold at most one 29 February: 3 * 365 + 1 days never
    # falls short of them, where 1,095 days would one day in three cases out of four.
    "PROVISION_RETENTION_DAYS": (3 * 365 + 1, int),
    "PROVISION_MAX_IDS": (10_000, int),
    "CONFIG_CACHE_SECONDS": (1.0, float),
    # Proxies in front whose X-Forwarded-For/-Proto to trust (0: none; the peer is the client).
    "TRUST_PROXY": (0, int),
    # Of those, how many may also set the host (X-Forwarded-Host): 0 unless configured, since
    # links in the banner's config and /demo are built from it.
    "TRUST_PROXY_HOST": (0, int),
    "ADMIN_SESSION_HOURS": (12.0, float),
    "ADMIN_MAX_FAILURES": (5, int),
    "ADMIN_LOCK_MINUTES": (15, int),
    "ADMIN_LOGIN_LIMIT": ("20/minute", str),
    # Comma-separated host names cmp answers for (Flask's TRUSTED_HOSTS); empty: any.
    "TRUSTED_HOSTS": ("", str),
    # Lookup-only ids (cmp/lookup.py): their key (default: SECRET_KEY) and their scope.
    "LOOKUP_SECRET": (None, str),
    "LOOKUP_ID_SCOPE": ("recipient", str),
}


class ConfigError(ValueError):
    """A setting is missing or invalid; the message names it."""


def _coerce(name: str, raw: str, kind: type) -> Any:
    try:
        return kind(raw)
    except ValueError as exc:
        raise ConfigError(f"CMP_{name}: expected {kind.__name__}, got {raw!r}") from exc


def load(app: Flask, test_config: dict[str, Any] | None = None) -> None:
    """Fill ``app.config`` from every layer and validate it."""
    for name, (default, _kind) in SETTINGS.items():
        if default is not None:
            app.config[name] = default
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
    )
    app.config.from_pyfile("config.py", silent=True)
    for name, (_default, kind) in SETTINGS.items():
        raw = os.environ.get(f"CMP_{name}")
        if raw is not None and raw != "":
            app.config[name] = _coerce(name, raw, kind)
    if test_config:
        app.config.update(test_config)
        app.config.setdefault("ENV", "testing")
        if app.config.get("TESTING") and app.config["ENV"] == "production":
            app.config["ENV"] = "testing"
    if not app.config.get("STORE_URL"):
        path = os.path.join(app.instance_path, "cmp.sqlite3")
        app.config["STORE_URL"] = f"sqlite:///{path}"
    validate(app.config)


def validate(config: dict[str, Any]) -> None:
    """Raise :class:`ConfigError` for the first bad setting."""
    env = config.get("ENV")
    if env not in ENVIRONMENTS:
        raise ConfigError(f"CMP_ENV: must be one of {', '.join(ENVIRONMENTS)}, got {env!r}")
    secret = config.get("SECRET_KEY")
    if not secret:
        if env == "production":
            raise ConfigError(
                "CMP_SECRET_KEY: required in production (set it, or put SECRET_KEY in "
                "instance/config.py; `make run` generates one)"
            )
        config["SECRET_KEY"] = "dev-only-not-secret"
    elif env == "production" and len(str(secret)) < 16:
        raise ConfigError("CMP_SECRET_KEY: must be at least 16 characters")
    for name in (
        "PUBLIC_MAX_BYTES",
        "MAX_CONTENT_LENGTH",
        "PROVISION_RETENTION_DAYS",
        "ADMIN_SESSION_HOURS",
        "ADMIN_MAX_FAILURES",
        "ADMIN_LOCK_MINUTES",
    ):
        if int(config[name]) <= 0:
            raise ConfigError(f"CMP_{name}: must be a positive number")
    for name in ("TRUST_PROXY", "TRUST_PROXY_HOST"):
        if int(config.get(name) or 0) < 0:
            raise ConfigError(f"CMP_{name}: must be 0 or a positive number of proxies")
    if int(config.get("TRUST_PROXY_HOST") or 0) > int(config.get("TRUST_PROXY") or 0):
        raise ConfigError("CMP_TRUST_PROXY_HOST: cannot exceed CMP_TRUST_PROXY")
    hosts = config.get("TRUSTED_HOSTS")
    if isinstance(hosts, str):
        # Flask wants a list, or None for "any host".
        config["TRUSTED_HOSTS"] = [h.strip() for h in hosts.split(",") if h.strip()] or None
    lookup_secret = config.get("LOOKUP_SECRET")
    if lookup_secret and env == "production" and len(str(lookup_secret)) < 16:
        raise ConfigError("CMP_LOOKUP_SECRET: must be at least 16 characters")
    if config.get("LOOKUP_ID_SCOPE") not in ("recipient", "site"):
        raise ConfigError("CMP_LOOKUP_ID_SCOPE: must be recipient or site")
    for name in ("RATE_LIMIT", "ADMIN_LOGIN_LIMIT"):
        limit = str(config.get(name, ""))
        if limit != "off" and not _looks_like_limit(limit):
            raise ConfigError(f"CMP_{name}: expected like '60/minute' or 'off', got {limit!r}")


def _looks_like_limit(text: str) -> bool:
    """A rate-limit string `limits` reads, e.g. ``60/minute`` or ``10/second;100/day``."""
    from limits import parse_many

    try:
        return bool(parse_many(text))
    except ValueError:
        return False
