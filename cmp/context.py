"""Per-app objects the faces reach through the current Flask app."""

from __future__ import annotations

from flask import current_app

from cmp.storage import Storage


def store() -> Storage:
    """Return the app's storage backend."""
    return current_app.extensions["cmp.store"]


def secret() -> str:
    """Return the key that signs visitor ids and sessions."""
    return current_app.config["SECRET_KEY"]
