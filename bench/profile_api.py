"""Where a decision write and a state lookup spend their time (issue 14).

``python -m bench.profile_api``: the app (limiter on, as in production, with a budget no
loop reaches) on a real redis-server with AOF (``appendfsync everysec``) started here. Three
views of the same two requests:

1. the requests served through the app's WSGI callable with no HTTP server in front, with
   varied agents and with one agent (µs per request, no profiler);
2. cProfile over the same loop, self CPU time grouped by where the code lives (Flask and
   Werkzeug, the limiter, JSON, id signatures, UA, the receipt hash, redis-py, cmp's
   storage), scaled to the unprofiled CPU µs (cProfile inflates Python calls, so the split
   is approximate); Redis's side (the Lua script, the AOF write) from its commandstats;
3. each step timed on its own (:mod:`bench.profile_steps`).

The app's CPU time (this thread's) and Redis's own (``INFO commandstats``) are reported
beside the wall clock: on two shared cores the wall clock mostly measures the neighbours.
"""

from __future__ import annotations

import cProfile
import json
import os
import pstats
import statistics
import time
from collections import defaultdict
from typing import Any

from bench.profile_steps import environs, per_request, redis_app, steps, wsgi_loop
from bench.report import write_section
from cmp import apikeys
from cmp.seed import seed_demo
from cmp.storage import keys

SECRET = "profile-secret-key-0123456789abcdef"
COUNT = int(os.environ.get("BENCH_PROFILE_REQUESTS", "2000"))
ROUNDS = 3
WARMUP = int(os.environ.get("BENCH_PROFILE_WARMUP", "3000"))
KINDS = ["livez", "healthz", "lookup", "write", "write_one", "write_no_limiter"]

# (label, substrings of a profiled function's file or name), first match wins.
GROUPS: list[tuple[str, tuple[str, ...]]] = [
    ("socket send/recv (system calls)", ("recv", "sendall", "'send'", "poll")),
    ("UA summary (cmp/useragent.py, ua-parser)", ("useragent", "ua_parser")),
    ("rate limiter (cmp/ratelimit.py, limits)", ("cmp/ratelimit.py", "/limits/")),
    ("redis-py client (commands, replies)", ("/redis/", "hiredis")),
    ("cmp storage (codec, keys, intern tables)", ("cmp/storage/",)),
    ("JSON (loads, dumps)", ("json",)),
    ("visitor id + API key (HMAC, SHA-256, base64)", ("cmp/ids.py", "hmac", "base64", "secrets",
                                                      "itsdangerous", "apikeys", "auth.py")),
    ("receipt hash chain (cmp/receipts.py)", ("receipts.py", "sha256", "hexdigest")),
    ("cmp views, validation, CORS (cmp/api)", ("cmp/api/",)),
    ("decision rules, model, clock, config cache", ("cmp/consents.py", "cmp/decisions.py",
                                                    "cmp/model.py", "cmp/clock.py",
                                                    "cmp/siteconfig.py", "datetime",
                                                    "dataclasses", "copy.py")),
    ("Flask, Werkzeug (routing, request, response)", ("/flask/", "/werkzeug/")),
]  # fmt: skip
OTHER = "other (stdlib, builtins called from several places)"


def _group(func: tuple[str, int, str]) -> str:
    where = f"{func[0]}:{func[2]}"
    for label, marks in GROUPS:
        if any(m in where for m in marks):
            return label
    return OTHER


def profile(app: Any, environ_list: list[dict]) -> dict[str, float]:
    """Share of self CPU time per :data:`GROUPS` label over serving ``environ_list``.

    A builtin (file ``~``) that no label names is charged to its callers' labels, in
    proportion to the time each caller spent in it.
    """
    # CPU time of this thread as the clock: a blocking wait for Redis costs nothing here
    # (it is measured apart, as wall time less CPU time, and Redis's own commandstats).
    profiler = cProfile.Profile(time.thread_time)
    profiler.enable()
    for _ in wsgi_loop(app, environ_list):
        pass
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    totals: dict[str, float] = defaultdict(float)
    for func, (_cc, _nc, tottime, _ct, callers) in stats.items():
        label = _group(func)
        if label == OTHER and func[0] == "~" and callers:
            spent = sum(c[2] for c in callers.values()) or 1.0
            for caller, c in callers.items():
                totals[_group(caller)] += tottime * c[2] / spent
        else:
            totals[label] += tottime
    whole = sum(totals.values())
    return {label: t / whole for label, t in totals.items()}


def run(count: int = COUNT) -> dict[str, Any]:
    """Start Redis and the app, measure the three views; return the numbers."""
    with redis_app(SECRET, "cmp-profile-") as (app, client):
        store = app.extensions["cmp.store"]
        budget = app.extensions["cmp.ratelimit"]
        seed_demo(store)
        _, key = apikeys.issue(store, "demo", ["read"])
        # Visitors to look up, recorded through the app, which warms it up too (as a server
        # that has run for a while: its intern tables hold the common UA summaries).
        visitor_ids = [
            json.loads(b"".join(app.wsgi_app(e, lambda *a: None)))["visitor_id"]
            for e in environs("write", WARMUP, seed=1)
        ]
        for _ in wsgi_loop(app, environs("lookup", 100, key=key, lookup_ids=visitor_ids)):
            pass
        out: dict[str, Any] = {"count": count, "warmup": WARMUP}
        rounds: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for n in range(ROUNDS):
            # The two write workloads swap order each round (the machine's load drifts).
            for kind in KINDS if n % 2 == 0 else [*KINDS[:3], *KINDS[3:5][::-1], KINDS[5]]:
                budget.enabled = kind != "write_no_limiter"
                request = "write" if kind == "write_no_limiter" else kind
                env = environs(request, count, 100 + n * 10, key, visitor_ids)
                rounds[kind].append(per_request(app, env, client))
        budget.enabled = True
        for kind, runs in rounds.items():
            # Each figure's best round: the others measure what else the cores were doing.
            out[kind] = {f: min(r[f] for r in runs) for f in ("wall", "cpu", "redis")}
            out[kind]["commands"] = runs[0]["commands"]
            out.setdefault("statuses", set()).update(*(r["statuses"] for r in runs))
        pairs = list(zip(rounds["write"], rounds["write_one"], strict=True))
        out["varied_vs_one"] = statistics.median(o["wall"] / v["wall"] for v, o in pairs)
        out["varied_vs_one_cpu"] = statistics.median(o["cpu"] / v["cpu"] for v, o in pairs)
        out["profile_write"] = profile(app, environs("write", count, seed=900))
        out["profile_lookup"] = profile(
            app, environs("lookup", count, key=key, lookup_ids=visitor_ids)
        )
        out["steps"] = steps(app, client, max(count // 3, 200))
        out["ua_table"] = client.llen(keys.table("ua"))
    return out


def main() -> str:
    """Measure and write the ``profile`` section of docs/benchmarks.md; return it."""
    from bench.profile_report import section

    body = section(run())
    write_section("profile", body)
    return body


if __name__ == "__main__":
    print(main())
