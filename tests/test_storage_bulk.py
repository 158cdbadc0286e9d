"""The cluster's bulk read (``bulk.get_cluster``, one script call per node) against plain
GETs, and while a slot moves between nodes: a key that moved is read where it now is,
never answered as missing. A cluster of its own, since these tests reshard it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
from redis.cluster import RedisCluster as ClusterClient

from cmp.storage import bulk
from tests.servers import RedisCluster, start_cluster


@pytest.fixture(scope="module")
def cluster() -> Iterator[RedisCluster]:
    started = start_cluster(masters=3)
    yield started
    started.stop()


@pytest.fixture
def client(cluster: RedisCluster) -> Iterator[ClusterClient]:
    cluster.flush()
    made = ClusterClient(host="127.0.0.1", port=cluster.nodes[0].port)
    yield made
    made.close()


def _node(cluster: RedisCluster, port: int) -> redis.Redis:
    return redis.Redis(port=port)


def _ports(client: ClusterClient, key: str) -> tuple[int, int]:
    """The port of ``key``'s node and of another primary."""
    here = client.get_node_from_key(key).port
    other = next(n.port for n in client.get_primaries() if n.port != here)
    return here, other


def _begin_move(cluster: RedisCluster, slot: int, source: int, target: int) -> tuple[str, str]:
    """Mark ``slot`` as leaving ``source`` for ``target``; return both node ids."""
    src, dst = _node(cluster, source), _node(cluster, target)
    src_id, dst_id = src.execute_command("CLUSTER MYID"), dst.execute_command("CLUSTER MYID")
    dst.execute_command("CLUSTER SETSLOT", slot, "IMPORTING", src_id)
    src.execute_command("CLUSTER SETSLOT", slot, "MIGRATING", dst_id)
    return src_id.decode(), dst_id.decode()


def _migrate(cluster: RedisCluster, source: int, target: int, *names: str) -> None:
    _node(cluster, source).execute_command(
        "MIGRATE", "127.0.0.1", target, "", 0, 5000, "KEYS", *names
    )


def _finish_move(cluster: RedisCluster, slot: int, target_id: str) -> None:
    """Give ``slot`` to its target on every node (the target first, as resharding does)."""
    for node in sorted(cluster.nodes, key=lambda n: _node(cluster, n.port).execute_command(
        "CLUSTER MYID").decode() != target_id):  # fmt: skip
        _node(cluster, node.port).execute_command("CLUSTER SETSLOT", slot, "NODE", target_id)


def _spread(n: int) -> list[str]:
    """Names of ``n`` state-like keys, of two lengths, over many slots and every node."""
    return [f"cv{{visitor{i:06d}}}{'1' if i % 3 else 'z9'}" for i in range(n)]


def test_read_matches_plain_gets_on_every_node(client: ClusterClient) -> None:
    names = _spread(3000)
    for n, name in enumerate(names):
        if n % 4:
            client.set(name, f"v{n}".encode())
    expected = [client.get(name) for name in names]
    assert bulk.get_cluster(client, names) == expected
    assert bulk.get_cluster(client, []) == []


def test_long_lists_are_split_into_calls(
    client: ClusterClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "CHUNK", 7)
    names = _spread(200)
    for name in names[::2]:
        client.set(name, name.encode())
    assert bulk.get_cluster(client, names) == [
        name.encode() if n % 2 == 0 else None for n, name in enumerate(names)
    ]


def test_keys_of_a_slot_being_moved_are_read_where_they_are(
    cluster: RedisCluster, client: ClusterClient
) -> None:
    moved, stays, never = "cv{migrating}1", "cv{migrating}2", "cv{migrating}3"
    source, target = _ports(client, moved)
    client.set(moved, b"moved")
    client.set(stays, b"stays")
    slot = client.keyslot(moved)
    _src_id, dst_id = _begin_move(cluster, slot, source, target)
    try:
        _migrate(cluster, source, target, moved)
        # Only ``stays`` is left on the source: a read there finds nothing for ``moved``.
        assert _node(cluster, source).execute_command("CLUSTER COUNTKEYSINSLOT", slot) == 1
        others = _spread(300)
        for name in others:
            client.set(name, name.encode())
        got = bulk.get_cluster(client, [moved, *others, stays, never])
        assert got == [b"moved", *(n.encode() for n in others), b"stays", None]
    finally:
        _migrate(cluster, source, target, stays)
        _finish_move(cluster, slot, dst_id)


def test_keys_of_a_moved_slot_are_read_from_the_new_node(
    cluster: RedisCluster, client: ClusterClient
) -> None:
    names = [f"cv{{moved}}{n}" for n in range(5)]
    source, target = _ports(client, names[0])
    for name in names[:4]:
        client.set(name, name.encode())
    slot = client.keyslot(names[0])
    # A second client learns the layout now and keeps it, stale, through the move.
    stale = ClusterClient(host="127.0.0.1", port=cluster.nodes[0].port)
    try:
        assert stale.get_node_from_key(names[0]).port == source
        _src_id, dst_id = _begin_move(cluster, slot, source, target)
        _migrate(cluster, source, target, *names[:4])
        _finish_move(cluster, slot, dst_id)
        expected = [name.encode() for name in names[:4]] + [None]
        assert bulk.get_cluster(stale, names) == expected
        # The redirection taught the client the new owner; the next read goes there.
        assert stale.get_node_from_key(names[0]).port == target
        assert bulk.get_cluster(stale, names) == expected
    finally:
        stale.close()
