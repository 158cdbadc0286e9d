"""Bulk GET for the provision path: 10,000 keys per call, in one round trip per node.

- One node: a single ``MGET`` through redis-py's public API; its one reply is parsed in C
  (hiredis), so nothing here knows the wire protocol.
- A cluster: ``MGET`` needs every key in one slot and the keys of a check spread over
  thousands, and redis-py's cluster pipeline costs about ten microseconds of Python per
  command. So the GETs are packed into one buffer per node, written to each node's
  connection, and only then are the replies read, so the nodes work in parallel while Python
  parses. A reply that is an error (a slot moved during resharding, a node briefly down) is
  retried through the client's own pipeline, which follows redirections; connection
  failures raise and the backend turns them into ``StorageError``.

Two reads below rely on redis-py internals for speed, each with a public fallback, which is
why pyproject.toml pins redis-py's major version: the cluster's slot table
(``nodes_manager.slots_cache``) and a connection's parser (``_parser``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from redis.crc import key_slot
from redis.exceptions import ResponseError


def get_one_node(client: Any, names: Sequence[str]) -> list[bytes | None]:
    """GET every key in ``names`` on one node with one MGET; replies in order, raw bytes."""
    return list(client.mget(names)) if names else []


def _pack_get(keys: Sequence[bytes]) -> bytes:
    return b"".join(b"*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n" % (len(k), k) for k in keys)


def cluster_groups(client: Any, keys: Sequence[bytes]) -> list[tuple[Any, list[int]]]:
    """Split key positions by the node that serves them: ``[(node client, positions)]``."""
    by_slot: dict[int, list[int]] = {}
    for i, key in enumerate(keys):
        by_slot.setdefault(key_slot(key), []).append(i)
    groups: dict[str, tuple[Any, list[int]]] = {}
    manager = client.nodes_manager
    # The slot table itself, read directly: the client's lookup method costs tens of
    # microseconds per slot (argument deprecation checks, a lock), for ~7,000 slots per call.
    slots = getattr(manager, "slots_cache", {})
    for slot, positions in by_slot.items():
        owners = slots.get(slot)
        node = owners[0] if owners else manager.get_node_from_slot(slot)
        entry = groups.get(node.name)
        if entry is None:
            entry = groups[node.name] = (client.get_redis_connection(node), [])
        entry[1].extend(positions)
    return list(groups.values())


def _reader(conn: Any) -> Callable[[], Any]:
    """Return a function reading one reply, raw, with error replies returned, not raised.

    The connection's parser is used directly when it has the usual ``read_response``: the
    connection's own wrapper formats the host name and the health-check clock on every
    reply, which for 10,000 replies costs about as much as parsing them. Otherwise the
    public method is used and error replies are caught.
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
    """GET every key in ``names`` on a cluster, one packed pipeline per node; replies in
    order, raw bytes."""
    keys = [n.encode() for n in names]
    out: list[bytes | None] = [None] * len(keys)
    if not keys:
        return out
    sent: list[tuple[Any, Any, list[int]]] = []
    retry: list[int] = []
    try:
        for node_client, positions in cluster_groups(client, keys):
            conn = node_client.connection_pool.get_connection()
            sent.append((node_client, conn, positions))
            conn.send_packed_command([_pack_get([keys[i] for i in positions])])
        for _node_client, conn, positions in sent:
            read = _reader(conn)
            for i in positions:
                reply = read()
                if isinstance(reply, ResponseError):
                    retry.append(i)
                else:
                    out[i] = reply
    except BaseException:
        # A half-read connection must not go back to the pool with replies pending.
        for _node_client, conn, _positions in sent:
            conn.disconnect()
        raise
    finally:
        for node_client, conn, _positions in sent:
            node_client.connection_pool.release(conn)
    if retry:
        pipe = client.pipeline(transaction=False)
        for i in retry:
            pipe.get(keys[i])
        for i, value in zip(retry, pipe.execute(), strict=True):
            out[i] = value if value is None or isinstance(value, bytes) else value.encode()
    return out
