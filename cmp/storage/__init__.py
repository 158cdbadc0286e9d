"""Backends behind one contract, chosen by the store URL's scheme (see :func:`open_store`)."""

from __future__ import annotations

from cmp.storage.base import Storage
from cmp.storage.contract.visitors import Charge, ChargeExceeded, Charges
from cmp.storage.errors import StorageError

__all__ = [
    "Charge",
    "ChargeExceeded",
    "Charges",
    "Storage",
    "StorageError",
    "open_store",
    "SCHEMES",
]

SCHEMES = ("sqlite", "redis", "rediss", "redis+cluster")


def open_store(url: str) -> Storage:
    """Open the backend for ``url``; raise :class:`StorageError` with one clear line if the
    scheme is unknown or the store cannot be reached."""
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme == "sqlite":
        from cmp.storage.sqlite import SQLiteStorage

        return SQLiteStorage(url)
    if scheme in ("redis", "rediss"):
        from cmp.storage.redis import RedisStorage

        return RedisStorage(url)
    if scheme == "redis+cluster":
        from cmp.storage.redis_cluster import RedisClusterStorage

        return RedisClusterStorage(url)
    raise StorageError(
        f"unknown store URL scheme {scheme or url!r}: use one of "
        + ", ".join(f"{s}://" for s in SCHEMES)
    )
