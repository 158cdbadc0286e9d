"""The Redis Cluster backend: ``redis+cluster://host:port,host:port`` (any reachable nodes).

Everything the single-node class does holds here but for what a cluster forbids: a script
may only touch keys of one slot, and the nodes of a slot can move. So, overriding only
those steps of :class:`~.redis.RedisStorage`:

- a decision's script writes the visitor's state and receipts (one slot, the visitor's
  hash tag); the day's counters and the aliases (other slots) follow in a second step,
  each alias by ``lua/claim_alias.lua`` under the same rule as the single-node script;
- ``wait_replicas`` sends the script and WAIT to the node of the visitor's slot, and a lost
  connection makes the client relearn the slot table;
- bulk reads send every node one script call reading all of its keys, whatever their
  slots, and re-read through redirections what a node refuses (:func:`.bulk.get_cluster`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from redis.cluster import ClusterNode, RedisCluster

from cmp.model import Alias
from cmp.storage import bulk, keys
from cmp.storage.contract.aliases import ALIAS_CONFLICT
from cmp.storage.errors import StorageError
from cmp.storage.lua import source
from cmp.storage.redis import RedisStorage
from cmp.storage.redis_aliases import API_LINK
from cmp.storage.redis_conn import CLIENT_OPTIONS


class RedisClusterStorage(RedisStorage):
    """Storage on a Redis Cluster."""

    # The limiter's counter lives in another slot than the visitor: it is spent on its own.
    folds_charges = False

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self._claim = self.client.register_script(source("alias_rule", "claim_alias"))

    @staticmethod
    def _connect(url: str, *, decode: bool = True) -> Any:
        """Open a cluster client from the URL's ``host:port`` list (and password)."""
        parts = urlsplit(url.replace("redis+cluster://", "redis://", 1))
        hosts = parts.netloc.rsplit("@", 1)[-1]
        nodes = []
        for item in hosts.split(","):
            host, _, port = item.strip().rpartition(":")
            if not host or not port.isdigit():
                raise StorageError(f"redis+cluster URL needs host:port pairs, got {item!r}")
            nodes.append(ClusterNode(host, int(port)))
        options: dict[str, Any] = {"decode_responses": decode, **CLIENT_OPTIONS}
        if parts.password:
            options["password"] = parts.password
        return RedisCluster(startup_nodes=nodes, **options)

    def _get_many(self, names: Sequence[str]) -> list[bytes | None]:
        """GET many keys, one script call per node, all nodes at once."""
        return bulk.get_cluster(self.raw, names)

    def _in_decision(
        self, site: str, day: str, counts: dict[str, int], links: list[Alias]
    ) -> tuple[list[str], list[str | int]]:
        """Nothing beyond the visitor's own slot: no extra keys, no counters."""
        return [], [""]

    def _after_decision(
        self, site: str, day: str, counts: dict[str, int], links: list[Alias]
    ) -> None:
        """Add the day's counters (one pipeline), then claim each alias in its own slot."""
        if counts:
            pipe = self.client.pipeline(transaction=False)
            for name, n in counts.items():
                pipe.hincrby(keys.stats(site, day), name, n)
            pipe.execute()
        for a in links:
            name = keys.alias(a.site, a.type, a.value)
            self._claim(keys=[name], args=[a.visitor_id, ALIAS_CONFLICT, API_LINK])

    def _node_of(self, key: str) -> Any:
        """Return the bytes client of the primary that owns ``key``'s slot."""
        return self.raw.get_redis_connection(self.raw.get_node_from_key(key))

    def _lost_node(self) -> None:
        """A fail-over moved the slot: learn the new layout for the next attempt."""
        self.raw.nodes_manager.initialize()
