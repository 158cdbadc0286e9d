"""Bulk GET for the provision path: one pipeline per node, sent to every node before reading.

redis-py's generic pipeline costs about ten microseconds of Python per command (and its
cluster pipeline more), which for 10,000 ids per call is most of the time a check takes.
Here the commands are packed into one buffer per node, written to each node's connection,
and only then are the replies read, so the nodes work in parallel while Python parses.
A reply that is an error (a slot moved during resharding, a node briefly down) is retried
through the client's own pipeline, which follows redirections; connection failures raise
and the backend turns them into ``StorageError``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from redis.cluster import RedisCluster
from redis.crc import key_slot
from redis.exceptions import ResponseError


def _pack_get(keys: Sequence[bytes]) -> bytes:
    return b"".join(b"*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n" % (len(k), k) for k in keys)


def by_node(client: Any, keys: Sequence[bytes]) -> list[tuple[Any, list[int]]]:
    """Split key positions by the client (node) that serves them: ``[(client, positions)]``."""
    if not isinstance(client, RedisCluster):
        return [(client, list(range(len(keys))))]
    by_slot: dict[int, list[int]] = {}
    for i, key in enumerate(keys):
        by_slot.setdefault(key_slot(key), []).append(i)
    groups: dict[str, tuple[Any, list[int]]] = {}
    # The slot table itself, read directly: the client's lookup method costs tens of
    # microseconds per slot (argument deprecation checks, a lock), for ~7,000 slots per call.
    slots = client.nodes_manager.slots_cache
    for slot, positions in by_slot.items():
        owners = slots.get(slot)
        node = owners[0] if owners else client.nodes_manager.get_node_from_slot(slot)
        entry = groups.get(node.name)
        if entry is None:
            entry = groups[node.name] = (client.get_redis_connection(node), [])
        entry[1].extend(positions)
    return list(groups.values())


def _reader(conn: Any) -> Callable[[], Any]:
    """Return a function reading one reply, raw, with error replies returned, not raised.

    The connection's parser is used directly when it has the usual ``read_response``: the
    connection's own wrapper formats the host name and the health-check clock on every
    reply, which for 10,000 replies costs more than parsing them. Otherwise the public
    method is used and error replies are caught.
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


def bulk_get(client: Any, names: Sequence[str]) -> list[bytes | None]:
    """GET every key in ``names`` (single node or cluster); replies in order, raw bytes."""
    keys = [n.encode() for n in names]
    out: list[bytes | None] = [None] * len(keys)
    if not keys:
        return out
    sent: list[tuple[Any, Any, list[int]]] = []
    retry: list[int] = []
    try:
        for node_client, positions in by_node(client, keys):
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
