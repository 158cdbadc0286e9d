"""Per-app objects the faces reach through the current Flask app."""

from __future__ import annotations

from flask import current_app

from cmp.lookup import Namer
from cmp.storage import Storage


def store() -> Storage:
    """Return the app's storage backend."""
    return current_app.extensions["cmp.store"]


def secret() -> str:
    """Return the key that signs visitor ids and sessions."""
    return current_app.config["SECRET_KEY"]


def lookup_secret() -> str:
    """Return the key lookup-only ids derive from (``CMP_LOOKUP_SECRET``, else the secret)."""
    return current_app.config.get("LOOKUP_SECRET") or current_app.config["SECRET_KEY"]


def lookup_scope(recipient: str) -> str:
    """Return the scope of the lookup ids made for ``recipient``: the recipient itself, or
    the whole site (``_``) when ``CMP_LOOKUP_ID_SCOPE`` is ``site``."""
    return "_" if current_app.config.get("LOOKUP_ID_SCOPE") == "site" else recipient


def lookup_namer(site: str) -> Namer:
    """Return how exports and listings of ``site``'s records name visitors (lookup ids)."""
    return Namer(lookup_secret(), site, current_app.config.get("LOOKUP_ID_SCOPE") != "site")
