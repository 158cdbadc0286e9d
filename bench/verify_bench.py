"""`cmp verify-receipts` speed: the batched walk against checking one visitor at a time.

Run ``python -m bench.verify_bench`` (about half a minute). It starts its own redis-server
and 3-node Redis Cluster on free ports, records ``BENCH_VERIFY_VISITORS`` visitors (20,000
by default, one in ten opting out afterwards) through the real decision path, and times
:func:`cmp.verify.verify_store` against a loop of :func:`cmp.verify.check_visitor` on the
same store. Results go to the ``verify`` section of docs/benchmarks.md. There is no target;
the figures size an audit walk (docs/reliability.md).
"""

from __future__ import annotations

import os
import time
from typing import Any

from bench.report import write_section
from cmp import consents, ids
from cmp.seed import seed_demo
from cmp.storage import Storage, open_store
from cmp.verify import Report, check_visitor, verify_store
from tests.servers import start_cluster, start_redis

N = int(os.environ.get("BENCH_VERIFY_VISITORS", "20000"))


def load(store: Storage) -> None:
    """Record N visitors' decisions (and some opt-outs) through the real path."""
    seed_demo(store)
    site = store.get_site("demo")
    cats, recips = store.get_categories("demo"), store.get_recipients("demo")
    ctx = consents.Context(lang="ja", texts_hash="0" * 64, ip="203.0.113.0")
    for n in range(N):
        vid, _ = ids.issue("bench-verify-secret-0123456789")
        consents.record(
            store, site, cats, recips, vid, {"analytics": n % 2 == 0}, {},
            method="banner", gpc=False, ctx=ctx, fresh=True,
        )  # fmt: skip
        if n % 10 == 0:
            consents.opt_out(store, site, cats, recips, vid, ["analytics"], ctx=ctx)


def one_at_a_time(store: Storage) -> Report:
    """The walk as it was before batching: a few round trips per visitor."""
    report = Report()
    sites = [s.key for s in store.list_sites()]
    for vid in store.iter_visitors():
        checked = check_visitor(store, vid, None, sites)
        if checked is not None:
            report.visitors += 1
            report.receipts += checked[0]
            report.findings += checked[1]
    return report


def measure(url: str) -> dict[str, Any]:
    """Load a store and time both walks on it."""
    store = open_store(url)
    try:
        load(store)
        out: dict[str, Any] = {}
        for label, walk in (("batched", verify_store), ("single", one_at_a_time)):
            began = time.perf_counter()
            report = walk(store)
            elapsed = time.perf_counter() - began
            assert report.ok, report.findings[:3]
            out[label] = report.visitors / elapsed
            out["receipts"] = report.receipts
        return out
    finally:
        store.close()


def main() -> str:
    """Run the benchmark and write its section; return the section text."""
    server = start_redis(appendonly=False)
    cluster = start_cluster(masters=3)
    try:
        single = measure(server.url)
        spread = measure(cluster.url)
    finally:
        server.stop(kill=True)
        cluster.stop()
    rows = [
        f"| {name} | {r['single']:,.0f} | {r['batched']:,.0f} | {r['batched'] / r['single']:.1f}× |"
        for name, r in (("Redis, single node", single), ("Redis Cluster, 3 masters", spread))
    ]
    body = "\n".join(
        [
            "## Receipt verification walk (`cmp verify-receipts`)",
            "",
            f"`python -m bench.verify_bench`: {N:,} visitors recorded through the real decision "
            f"path, one in ten opting out afterwards ({single['receipts']:,} receipts); every "
            "chain re-hashed and every state compared with its receipts on every site. "
            "Visitors per second:",
            "",
            "| store | one visitor at a time | batches of 1,000 | speed-up |",
            "|---|---:|---:|---:|",
            *rows,
            "",
            f"At the batched rate a walk of 10 million visitors takes about "
            f"{10_000_000 / single['batched'] / 60:.0f} minutes on a single node.",
        ]
    )
    write_section("verify", body)
    print(body)
    return body


if __name__ == "__main__":
    main()
