"""API keys: issuing (secret shown once), hashing, and the ``require`` check per request.

Keys look like ``cmp_<key id>_<secret>``. Only the SHA-256 of the whole key is stored: the
secret has 256 bits of entropy, so a slow password hash would add cost and no safety.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import g, request

from cmp import clock
from cmp.api.problems import Problem
from cmp.model import SCOPES, ApiKey
from cmp.storage import Storage

TOUCH_EVERY_SECONDS = 60


def hash_secret(key: str) -> str:
    """Return the stored form of an API key."""
    return hashlib.sha256(key.encode()).hexdigest()


def issue(store: Storage, site: str, scopes: list[str], name: str = "") -> tuple[ApiKey, str]:
    """Create and store a key; return it and the plain key (never stored, shown once)."""
    bad = sorted(set(scopes) - set(SCOPES))
    if bad or not scopes:
        raise ValueError(
            f"scopes must be among {', '.join(SCOPES)}; got {', '.join(bad) or 'none'}"
        )
    key_id = secrets.token_hex(4)
    plain = f"cmp_{key_id}_{secrets.token_urlsafe(32)}"
    record = ApiKey(
        key_id=key_id,
        site=site,
        name=name or f"key {key_id}",
        scopes=sorted(set(scopes)),
        secret_hash=hash_secret(plain),
        created_at=clock.iso(clock.now()),
    )
    store.put_api_key(record)
    return record, plain


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
