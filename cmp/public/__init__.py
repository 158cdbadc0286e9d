"""Public pages: the banner script and demo site, the external-transmission notice, health."""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify
from flask.typing import ResponseReturnValue

from cmp import context

health = Blueprint("health", __name__)


@health.route("/livez")
def livez() -> ResponseReturnValue:
    """200 while the process serves requests (liveness: the store is not consulted)."""
    return jsonify({"status": "ok"})


@health.route("/healthz")
def healthz() -> ResponseReturnValue:
    """200 when the store answers; 503 (via the StorageError handler) when it does not."""
    context.store().ping()
    return jsonify({"status": "ok"})


def init_app(app: Flask) -> None:
    """Register the public blueprints."""
    from cmp.public import demo, notice

    app.register_blueprint(health)
    app.register_blueprint(demo.bp)
    app.register_blueprint(notice.bp)
