"""Redis backend: the per-site ``sync`` counter (server-side changes to visitors' states).

One string key per site, tagged with the site key like the site's other keys, changed only
by ``INCR``, which Redis runs atomically on a single node and on the slot's primary in a
cluster.
"""

from __future__ import annotations

from typing import Any

from cmp.storage import keys
from cmp.storage.contract.sites import SyncStorage
from cmp.storage.redis_conn import guard


class SyncMixin(SyncStorage):
    """``bump_sync`` / ``get_sync``; mixed into ``RedisStorage``."""

    client: Any

    @guard
    def bump_sync(self, site: str) -> int:
        """Add one to the site's counter and return the new value."""
        return int(self.client.incr(keys.sync(site)))

    @guard
    def get_sync(self, site: str) -> int:
        """Return the site's counter (0 when nothing was ever bumped)."""
        return int(self.client.get(keys.sync(site)) or 0)
