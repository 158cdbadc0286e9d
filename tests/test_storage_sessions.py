"""The storage contract's admin sessions and sign-in counters, on every backend.

Issue 12, findings 3 and 10: a session must end on the server (log-out), and the sign-in
counters must count exactly under concurrency, across processes (SQLite) and on a cluster.
"""

from __future__ import annotations

import threading
import time

from cmp.storage import Storage, open_store


def test_sessions_live_end_and_expire(store: Storage) -> None:
    assert store.get_admin_session("t1") is None
    store.put_admin_session("t1", "alice", 60)
    store.put_admin_session("t2", "alice", 0.5)
    assert store.get_admin_session("t1") == "alice"
    assert store.get_admin_session("t2") == "alice"
    store.delete_admin_session("t1")
    store.delete_admin_session("never-there")
    assert store.get_admin_session("t1") is None
    time.sleep(0.7)
    assert store.get_admin_session("t2") is None


def test_counter_counts_expires_and_locks(store: Storage) -> None:
    assert store.get_counter("k") == 0
    assert store.hit_counter("k", window_seconds=60)[0] == 1
    count, ttl = store.hit_counter("k", window_seconds=60, lock_at=3, lock_seconds=600)
    assert count == 2 and 55 < ttl <= 60
    count, ttl = store.hit_counter("k", window_seconds=60, lock_at=3, lock_seconds=600)
    assert count == 3 and 590 < ttl <= 600  # reaching lock_at moves the expiry, once
    count, ttl = store.hit_counter("k", window_seconds=60, lock_at=3, lock_seconds=900)
    assert count == 4 and ttl <= 600
    assert store.get_counter("k") == 4
    store.reset_counter("k")
    assert store.get_counter("k") == 0
    store.hit_counter("short", window_seconds=0.4)
    time.sleep(0.6)
    assert store.get_counter("short") == 0
    assert store.hit_counter("short", window_seconds=0.4)[0] == 1


def test_counter_is_exact_under_concurrency(store: Storage) -> None:
    # 16 threads, each with its own connection (and, for SQLite, as good as its own process:
    # one connection per thread), hit one counter at once: every count is handed out once.
    others = [open_store(store.url) for _ in range(4)]
    seen: list[int] = []
    start = threading.Barrier(16)

    def hit(n: int) -> None:
        start.wait()
        seen.append(others[n % 4].hit_counter("race", window_seconds=60)[0])

    threads = [threading.Thread(target=hit, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for other in others:
        other.close()
    assert sorted(seen) == list(range(1, 17))


def test_slots_are_claimed_once(store: Storage) -> None:
    assert store.take_slot("s", 0.4) is True
    assert store.take_slot("s", 0.4) is False
    time.sleep(0.6)
    assert store.take_slot("s", 0.4) is True
