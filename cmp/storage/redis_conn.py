"""Connecting to one Redis node, and turning driver errors into ``StorageError`` (the
cluster's connection is :mod:`.redis_cluster`'s)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import redis
from redis.exceptions import RedisClusterException, RedisError

from cmp import clock
from cmp.storage.errors import StorageError, error_guard

DRIVER_ERRORS = (RedisError, RedisClusterException, OSError)


#: Decorator for the Redis backend's methods: driver errors become StorageError.
guard = error_guard(DRIVER_ERRORS, lambda exc: f"redis: {exc.__class__.__name__}: {exc}")


def score(text: str) -> float:
    """Return an ISO time as epoch seconds, the score of the time-ordered indexes."""
    return clock.parse(text).timestamp() if text else 0.0


#: Query parameters of a store URL that are cmp's, not the driver's.
OWN_PARAMS = ("wait_replicas", "wait_ms")


def own_options(url: str) -> tuple[str, dict[str, int]]:
    """Split cmp's own query parameters off a Redis URL.

    ``wait_replicas=N`` makes every decision wait until N replicas hold it (Redis ``WAIT``)
    before it is acknowledged, at most ``wait_ms`` milliseconds (default 100).
    """
    parts = urlsplit(url)
    kept, own = [], {"wait_replicas": 0, "wait_ms": 100}
    for pair in filter(None, parts.query.split("&")):
        name, _, value = pair.partition("=")
        if name in OWN_PARAMS:
            if not value.isdigit():
                raise StorageError(f"store URL parameter {name} must be a whole number")
            own[name] = int(value)
        else:
            kept.append(pair)
    return parts._replace(query="&".join(kept)).geturl(), own


#: Client options both topologies share.
CLIENT_OPTIONS: dict[str, Any] = {
    "socket_timeout": 5,
    "socket_connect_timeout": 2,
    "health_check_interval": 30,
}


def connect(url: str, *, decode: bool = True) -> redis.Redis:
    """Open a client for a ``redis://`` or ``rediss://`` URL.

    ``decode=False`` gives a client that returns bytes, for the binary visitor records.
    """
    return redis.Redis.from_url(url, decode_responses=decode, **CLIENT_OPTIONS)
