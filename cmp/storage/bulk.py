"""Bulk GET for the provision path: 10,000 keys per call, in one round trip per node.

- One node: a single ``MGET`` through redis-py's public API; its one reply is parsed in C
  (hiredis), so nothing here knows the wire protocol.
- A cluster: ``MGET`` needs every key in one slot and the keys of a check spread over
  thousands. So each node gets one script call (``lua/get_local.lua``) that reads all of
  its keys, whatever their slots, and answers with one reply, parsed in C like the single
  node's. The calls are written to every node's connection before any reply is read, so the
  nodes work in parallel. A key the node refuses (its slot moved or is moving during
  resharding, the cluster is down) and a call refused as a whole are re-read through the
  client's own pipeline, which follows redirections: a key that moved is never answered as
  missing. Connection failures raise and the backend turns them into ``StorageError``.

Two reads below rely on redis-py internals for speed, each with a public fallback, which is
why pyproject.toml pins redis-py's major version: the cluster's slot table
(``nodes_manager.slots_cache``) and a connection's parser (``_parser``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import compress, count
from typing import Any

from redis.crc import key_slot
from redis.exceptions import ResponseError

from cmp.storage.lua import source

#: The script, sent whole with EVAL: no NOSCRIPT to handle after a fail-over or a flush,
#: and hashing its few hundred bytes costs the node far less than reading the keys.
_SCRIPT = source("get_local").encode()
#: Keys per round of calls (one per node): a script holds its node for its whole run, so a
#: long list is split into calls the node serves one after another, others' commands in
#: between; and a node runs one round's call while the client prepares the next.
CHUNK = 5000


def get_one_node(client: Any, names: Sequence[str]) -> list[bytes | None]:
    """GET every key in ``names`` on one node with one MGET; replies in order, raw bytes."""
    return list(client.mget(names)) if names else []


def _pack_read(keys: Sequence[bytes]) -> bytes:
    """Encode ``EVAL get_local 0 key...`` in the wire protocol."""
    head = b"*%d\r\n$4\r\nEVAL\r\n$%d\r\n%s\r\n$1\r\n0\r\n" % (len(keys) + 3, len(_SCRIPT), _SCRIPT)
    sizes = set(map(len, keys))
    if len(sizes) == 1:
        # The usual batch: keys of one kind and site, all of one length, so one join.
        size = b"$%d\r\n" % sizes.pop()
        return head + size + (b"\r\n" + size).join(keys) + b"\r\n"
    return head + b"".join(b"$%d\r\n%s\r\n" % (len(k), k) for k in keys)


def cluster_groups(
    client: Any, keys: Sequence[bytes], first: int = 0
) -> list[tuple[Any, list[int]]]:
    """Split key positions (counted from ``first``) by the node that serves them:
    ``[(node client, positions)]``, each node's positions in ascending order."""
    slot_of = list(map(key_slot, keys))
    manager = client.nodes_manager
    # The slot table itself, read directly: the client's lookup method costs tens of
    # microseconds per slot (argument deprecation checks, a lock), for ~7,000 slots per call.
    slots = getattr(manager, "slots_cache", {})
    distinct = set(slot_of)
    try:
        owner = {slot: slots[slot][0] for slot in distinct}
    except (KeyError, IndexError):
        # A slot the table lacks (being relearned): the client's own lookup, which raises
        # when no node serves it.
        owner = {slot: manager.get_node_from_slot(slot) for slot in distinct}
    nodes = {node.name: node for node in owner.values()}
    names = [node.name for node in map(owner.__getitem__, slot_of)]
    # One pass per node, each in C (``compress``), instead of a Python step per key.
    return [
        (client.get_redis_connection(node), list(compress(count(first), map(name.__eq__, names))))
        for name, node in nodes.items()
    ]


def _reader(conn: Any) -> Callable[[], Any]:
    """Return a function reading one reply, raw, with error replies returned, not raised.

    The connection's parser is used directly when it has the usual ``read_response``: the
    connection's own wrapper also formats the host name and the health-check clock. Otherwise
    the public method is used and error replies are caught.
    """
    parse = getattr(getattr(conn, "_parser", None), "read_response", None)
    if parse is not None:
        return lambda: parse(disable_decoding=True)

    def read() -> Any:
        try:
            return conn.read_response(disable_decoding=True)
        except ResponseError as exc:
            return exc

    return read


def get_cluster(client: Any, names: Sequence[str]) -> list[bytes | None]:
    """GET every key in ``names`` on a cluster, one script call per node (and chunk), all
    nodes at once; replies in order, raw bytes."""
    keys = [n.encode() for n in names]
    out: list[bytes | None] = [None] * len(keys)
    if not keys:
        return out
    conns: dict[int, tuple[Any, Any]] = {}
    sent: list[tuple[Any, list[int]]] = []
    retry: list[int] = []
    try:
        # Round by round: the nodes run one round's calls while the next is grouped here.
        for first in range(0, len(keys), CHUNK):
            part = keys[first : first + CHUNK]
            for node_client, positions in cluster_groups(client, part, first):
                held = conns.get(id(node_client))
                if held is None:
                    held = conns[id(node_client)] = (
                        node_client,
                        node_client.connection_pool.get_connection(),
                    )
                held[1].send_packed_command([_pack_read([keys[i] for i in positions])])
                sent.append((held[1], positions))
        for conn, positions in sent:
            reply = _reader(conn)()
            if isinstance(reply, ResponseError):
                retry.extend(positions)
                continue
            values, refused = reply
            for i, value in zip(positions, values, strict=True):
                out[i] = value
            retry.extend(positions[n - 1] for n in refused)
    except BaseException:
        # A half-read connection must not go back to the pool with replies pending.
        for _node_client, conn in conns.values():
            conn.disconnect()
        raise
    finally:
        for node_client, conn in conns.values():
            node_client.connection_pool.release(conn)
    if retry:
        pipe = client.pipeline(transaction=False)
        for i in retry:
            pipe.get(keys[i])
        for i, value in zip(retry, pipe.execute(), strict=True):
            out[i] = value if value is None or isinstance(value, bytes) else value.encode()
    return out
