"""The ``profile`` section of docs/benchmarks.md, from :func:`bench.profile_api.run`."""

from __future__ import annotations

from typing import Any

STEPS = [
    ("redis_ping", "Redis round trip: `PING` from redis-py"),
    ("record_aof_no", "store: `record_decision` of a new visitor (one Lua script), AOF off"),
    ("record_aof_everysec", "the same, AOF `appendfsync everysec`"),
    ("record_aof_always", "the same, AOF `appendfsync always` (fsync per write)"),
    ("get_state", "store: `get_state` (the lookup's one round trip)"),
    ("ua_never_seen", "UA summary of a never-seen agent (`cmp.useragent.parse`)"),
    ("ua_cached", "UA summary in the LRU (`ua_summary`)"),
    ("receipt_seal", "receipt seal: canonical JSON + SHA-256 (`receipts.seal`)"),
    ("present_state", "answer's state: `present_state` (signs the id again)"),
    ("json_dumps_answer", "JSON: dumps of the 201 answer"),
    ("json_loads_body", "JSON: loads of the decision body"),
    ("truncate_ip", "IP truncation (`receipts.truncate_ip`, ipaddress)"),
    ("id_issue", "visitor id: issue (16 random bytes + HMAC)"),
    ("id_verify", "visitor id: verify (HMAC)"),
]


REQUESTS = [
    ("livez", "`/livez` (trivial JSON: the framework alone)"),
    ("healthz", "`/healthz` (trivial + Redis PING)"),
    ("lookup", "state lookup (`GET …/consents/{id}`, API key)"),
    ("write", "decision write, varied agents"),
    ("write_one", "decision write, one agent"),
    ("write_no_limiter", "decision write, varied agents, limiter off"),
]


def _commands(found: dict[str, float]) -> str:
    return ", ".join(f"{name} {n:.2f}" for name, n in sorted(found.items()) if n >= 0.01)


def section(r: dict[str, Any]) -> str:
    """Render the numbers of one run as markdown."""
    write, lookup = r["profile_write"], r["profile_lookup"]
    labels = sorted(set(write) | set(lookup), key=lambda k: -write.get(k, 0))
    w_cpu, l_cpu = r["write"]["cpu"], r["lookup"]["cpu"]
    split = [
        f"| {label} | {write.get(label, 0):.0%} | {write.get(label, 0) * w_cpu:,.0f} | "
        f"{lookup.get(label, 0):.0%} | {lookup.get(label, 0) * l_cpu:,.0f} |"
        for label in labels
    ]
    requests = [
        f"| {text} | {r[k]['wall']:,.0f} | {r[k]['cpu']:,.0f} | {r[k]['redis']:,.1f} | "
        f"{_commands(r[k]['commands'])} |"
        for k, text in REQUESTS
    ]
    steps = [f"| {text} | {r['steps'][key]:,.1f} |" for key, text in STEPS]
    limiter_cpu = r["write"]["cpu"] - r["write_no_limiter"]["cpu"]
    with_limiter, without = r["write"]["commands"], r["write_no_limiter"]["commands"]
    extra = {
        name: with_limiter.get(name, 0) - without.get(name, 0)
        for name in set(with_limiter) | set(without)
    }
    # The UA intern script runs on whichever writes meet a new summary: not the limiter's.
    extra = {k: v for k, v in extra.items() if k not in ("hget", "hset", "rpush", "llen")}
    limiter_redis = r["write"]["redis"] - r["write_no_limiter"]["redis"]
    top = ", ".join(f"{label} {write[label]:.0%}" for label in labels[:3])
    return "\n".join(
        [
            "## Profile of the decision write and the lookup (issue 14)",
            "",
            "`python -m bench.profile_api`: the app itself (`create_app`, rate limiter on with "
            "a budget the loop never reaches) called through its WSGI callable, with no HTTP "
            "server or load generator in front, on a real redis-server (AOF, `appendfsync "
            f"everysec`) started by the bench; {r['count']:,} requests per loop, each write a "
            "new visitor with an agent from `bench/agents.py` traffic, after a warm-up of "
            f"{r['warmup']:,} such writes; each figure the best of 3 rounds (the two write "
            "workloads alternate in order). Wall clock on 2 shared cores measures the "
            "neighbours too: the app's own CPU time and Redis's own (`INFO commandstats`) "
            "are the steadier figures.",
            "",
            "| request through the app | wall µs | app CPU µs | Redis CPU µs | Redis commands "
            "per request |",
            "|---|---:|---:|---:|---|",
            *requests,
            "",
            f"Varied / one agent, requests per second: **{r['varied_vs_one']:.2f}** by wall "
            f"clock, {r['varied_vs_one_cpu']:.2f} by the app's CPU time (medians of rounds). "
            f"The rate limiter costs the write {limiter_cpu:,.0f} µs of app CPU and "
            f"{limiter_redis:,.1f} µs of Redis CPU; its commands per write, the difference "
            f"of the two rows above: {_commands(extra)} (on one Redis node the counter is "
            "spent inside the decision's own script: no round trip of its own).",
            "",
            "**Where the app's CPU time goes** (cProfile with a CPU clock over the same loops, "
            "self time grouped by where the code lives; a builtin is charged to its callers; "
            "µs = share × the unprofiled app CPU above, approximate because cProfile inflates "
            "Python calls more than C):",
            "",
            "| part | write | write µs | lookup | lookup µs |",
            "|---|---:|---:|---:|---:|",
            *split,
            "",
            f"Largest parts of the write: {top}.",
            "",
            "**Each step on its own** (wall µs per call, best of rounds; the store steps "
            "include issuing the visitor id and building the receipt):",
            "",
            "| step | µs |",
            "|---|---:|",
            *steps,
            "",
            f"The store's intern table of UA summaries held {r['ua_table']:,} entries after the "
            "run (one per distinct summary: a summary a process has not seen yet costs one "
            "more script round trip, once per process).",
        ]
    )
