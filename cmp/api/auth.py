"""The per-request API key check: bearer key -> stored hash -> site and scope."""

from __future__ import annotations

import hmac
import time
from typing import NamedTuple

from flask import current_app, g, request

from cmp import clock, context
from cmp.api import site_config
from cmp.api.problems import Problem
from cmp.apikeys import hash_secret
from cmp.configcache import BoundedMap
from cmp.model import ApiKey
from cmp.siteconfig import BuiltConfig
from cmp.storage import Storage

TOUCH_EVERY_SECONDS = 60


class KeyCache:
    """Per-process cache of key look-ups, for as long as the config cache keeps documents.

    A lookup API call would otherwise spend a store round trip on the key alone; a revoked
    key therefore stops working within ``CONFIG_CACHE_SECONDS`` (1 s by default) on every host.
    """

    def __init__(self, seconds: float, entries: int = 1024) -> None:
        self.seconds = seconds
        # Bounded, and unknown keys apart: random bearer tokens cannot push real keys out.
        self._items = BoundedMap(entries)
        self._unknown = BoundedMap(entries)

    def get(self, store: Storage, digest: str) -> ApiKey | None:
        """Return the key stored under ``digest`` (or None), from cache when fresh."""
        if self.seconds <= 0:
            return store.get_api_key(digest)
        now = time.monotonic()
        hit = self._items.get(digest) or self._unknown.get(digest)
        if hit and now - hit[0] < self.seconds:
            return hit[1]
        key = store.get_api_key(digest)
        (self._items if key is not None else self._unknown).put(digest, (now, key))
        return key


def _cache() -> KeyCache:
    cache = current_app.extensions.get("cmp.key_cache")
    if cache is None:
        cache = KeyCache(float(current_app.config["CONFIG_CACHE_SECONDS"]))
        current_app.extensions["cmp.key_cache"] = cache
    return cache


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
    key = _cache().get(store, digest)
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
        # Set on the cached object too, so the next minute of requests skips the write.
        key.last_used_at = clock.iso(now)
        store.touch_api_key(key.key_id, key.last_used_at)
    g.api_key = key
    return key


class Keyed(NamedTuple):
    """What a keyed view starts from: the site's built config, the store, the caller's key."""

    built: BuiltConfig
    store: Storage
    key: ApiKey


def keyed(site: str, scope: str) -> Keyed:
    """The preamble of every view behind an API key: the key first, then the site.

    Authenticating before anything of the request is looked at means a caller without a
    valid key gets 401 (or 403) whatever the ids, body or site it sends: it learns nothing
    about which ids are well formed or which sites exist. Then 404 ``unknown_site``.
    """
    store = context.store()
    key = require(store, site, scope)
    return Keyed(site_config(site), store, key)
