"""cmp: consent management for cookies and identifiers, built first for Japanese websites.

:func:`create_app` is the application factory: settings, the store chosen by its URL, the
faces (API, public pages, admin console) and the CLI.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

__version__ = "0.1.0"

_PACKAGE = Path(__file__).resolve().parent


def _asset_dir(name: str) -> str:
    """Top-level ``static/`` or ``templates/`` in a checkout, else the copy in the wheel."""
    checkout = _PACKAGE.parent / name
    return str(checkout if checkout.is_dir() else _PACKAGE / f"_{name}")


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app; raise ``ConfigError`` or ``StorageError`` with one clear line."""
    from cmp import config
    from cmp.configcache import ConfigCache
    from cmp.storage import open_store

    app = Flask(
        __name__,
        instance_path=os.environ.get("CMP_INSTANCE_PATH") or None,
        instance_relative_config=True,
        static_folder=_asset_dir("static"),
        template_folder=_asset_dir("templates"),
    )
    config.load(app, test_config)
    if app.config.get("TRUST_PROXY"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Exactly what the settings say: client address and scheme from TRUST_PROXY hops,
        # the host only when TRUST_PROXY_HOST says so (docs/deploy.md).
        hops, host_hops = int(app.config["TRUST_PROXY"]), int(app.config["TRUST_PROXY_HOST"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=host_hops)  # type: ignore[method-assign]

    app.extensions["cmp.store"] = open_store(app.config["STORE_URL"])
    app.extensions["cmp.config_cache"] = ConfigCache(float(app.config["CONFIG_CACHE_SECONDS"]))

    from cmp import admin, api, public, ratelimit, security

    api.init_app(app)
    ratelimit.init_app(app)
    admin.init_app(app)
    public.init_app(app)
    security.init_app(app)
    return app
