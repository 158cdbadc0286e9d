"""The per-request API key check: bearer key -> stored hash -> site and scope."""

from __future__ import annotations

import hmac

from flask import g, request

from cmp import clock
from cmp.api.problems import Problem
from cmp.apikeys import hash_secret
from cmp.model import ApiKey
from cmp.storage import Storage

TOUCH_EVERY_SECONDS = 60


def require(store: Storage, site: str, scope: str) -> ApiKey:
    """Return the request's key if it may use ``scope`` on ``site``; else raise 401/403."""
    header = request.headers.get("Authorization", "")
    kind, _, token = header.partition(" ")
    if kind.lower() != "bearer" or not token.strip():
        raise Problem(401, "unauthorized", "send 'Authorization: Bearer <api key>'")
    token = token.strip()
    if len(token) > 200:
        raise Problem(401, "unauthorized", "API key not recognised")
    digest = hash_secret(token)
    key = store.get_api_key(digest)
    if key is None or not hmac.compare_digest(key.secret_hash, digest) or key.revoked_at:
        raise Problem(401, "unauthorized", "API key not recognised or revoked")
    if key.site != site:
        raise Problem(403, "forbidden", "this API key belongs to another site")
    if scope not in key.scopes:
        raise Problem(403, "forbidden", f"this API key lacks the '{scope}' scope", scope=scope)
    now = clock.now()
    if (
        not key.last_used_at
        or (now - clock.parse(key.last_used_at)).total_seconds() > TOUCH_EVERY_SECONDS
    ):
        store.touch_api_key(key.key_id, clock.iso(now))
    g.api_key = key
    return key
