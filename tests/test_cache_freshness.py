"""Several `cmp serve` hosts on one Redis see a config change within CONFIG_CACHE_SECONDS.

Each worker process keeps built config documents for ``CONFIG_CACHE_SECONDS`` (1 s by
default) and then reads the store again; there is no invalidation message between hosts.
The guarantee is therefore exact and testable: a request that *starts* more than 1 s after
the change was committed is answered from the new config, on every host and every worker.
Two real servers (two workers each) on one Redis are polled before and after a change made
through the storage contract, as the admin console of a third host would make it.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from cmp.siteconfig import publish_policy
from tests.servers import RedisServer
from tests.serving import Serve, request, seeded, serve

TTL = 1.0  # the default CONFIG_CACHE_SECONDS, deliberately not overridden here


def _poll(server: Serve, until: float, seen: list[tuple[float, int]], errors: list[str]) -> None:
    while time.monotonic() < until:
        started = time.monotonic()
        status, _, data = request(server.port, "GET", "/api/v1/sites/demo/config", timeout=5)
        if status != 200:
            errors.append(f"{server.port}: {status} {data!r}")
        else:
            seen.append((started, data["policy_version"]))
        time.sleep(0.02)


def test_two_hosts_see_a_config_change_within_one_second(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    client = redis_server.client()
    client.flushall()
    client.close()
    store = seeded(redis_server.url)
    hosts = [serve(redis_server.url, tmp_path / name) for name in ("a", "b")]
    try:
        seen: list[list[tuple[float, int]]] = [[], []]
        errors: list[str] = []
        start = time.monotonic()
        pollers = [
            threading.Thread(target=_poll, args=(host, start + 4.0, seen[i], errors))
            for i, host in enumerate(hosts)
        ]
        for t in pollers:
            t.start()
        # 1.5 s of polling first fills every worker's cache with version 1.
        time.sleep(1.5)
        publish_policy(store, "demo", "second version", bump=True)
        changed = time.monotonic()
        for t in pollers:
            t.join(timeout=30)
    finally:
        for host in hosts:
            host.stop()
        store.close()
    assert errors == []
    for index, polls in enumerate(seen):
        before = [v for t, v in polls if t < changed]
        after = [v for t, v in polls if t >= changed + TTL]
        assert before and set(before) <= {1, 2}
        assert 1 in before, "the caches were never warm with the old version"
        assert len(after) >= 10 and set(after) == {2}, (index, after)
        first_fresh = min(t for t, v in polls if v == 2 and t >= changed) - changed
        last_stale = max((t for t, v in polls if v == 1), default=changed) - changed
        print(
            f"\nhost {'ab'[index]}: first new config {first_fresh:.3f}s after the change, "
            f"last old one served to a request started {last_stale:.3f}s after it"
        )
        assert last_stale < TTL
