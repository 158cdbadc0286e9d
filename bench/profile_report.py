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


def section(r: dict[str, Any]) -> str:
    """Render the numbers of one run as markdown."""
    write, lookup = r["profile_write"], r["profile_lookup"]
    labels = sorted(set(write) | set(lookup), key=lambda k: -write.get(k, 0))
    split = [
        f"| {label} | {write.get(label, 0):.0%} | {write.get(label, 0) * r['write']:,.0f} | "
        f"{lookup.get(label, 0):.0%} | {lookup.get(label, 0) * r['lookup']:,.0f} |"
        for label in labels
    ]
    steps = [f"| {text} | {r['steps'][key]:,.1f} |" for key, text in STEPS]
    limiter = r["write"] - r["write_no_limiter"]
    top = ", ".join(f"{label} {write[label]:.0%}" for label in labels[:3])
    return "\n".join(
        [
            "## Profile of the decision write and the lookup (issue 14)",
            "",
            "`python -m bench.profile_api`: the app itself (`create_app`, rate limiter on with "
            "a budget the loop never reaches) called through its WSGI callable, with no HTTP "
            "server or load generator in front, on a real redis-server (AOF, `appendfsync "
            f"everysec`) started by the bench; {r['count']:,} requests per loop, each write a "
            "new visitor with an agent from `bench/agents.py` traffic, best of 3 alternating "
            "rounds (wall clock, 2 shared cores).",
            "",
            "| request through the app | µs per request |",
            "|---|---:|",
            f"| `/livez` (trivial JSON: the framework alone) | {r['livez']:,.0f} |",
            f"| `/healthz` (trivial + Redis PING) | {r['healthz']:,.0f} |",
            f"| state lookup (`GET …/consents/{{id}}`, API key) | {r['lookup']:,.0f} |",
            f"| decision write, varied agents | {r['write']:,.0f} |",
            f"| decision write, one agent | {r['write_one']:,.0f} |",
            f"| decision write, varied agents, limiter off | {r['write_no_limiter']:,.0f} |",
            "",
            f"Varied / one agent (requests per second, median of rounds): "
            f"**{r['varied_vs_one']:.2f}**. The rate limiter costs {limiter:,.0f} µs of the "
            "write (a Redis round trip of its own, on top of the decision's).",
            "",
            "**Where the time goes** (cProfile self time over the same loops, grouped by where "
            "the code lives; a builtin is charged to its callers; µs = share × the unprofiled "
            "time above, approximate because cProfile inflates Python calls more than C):",
            "",
            "| part | write | write µs | lookup | lookup µs |",
            "|---|---:|---:|---:|---:|",
            *split,
            "",
            f"Largest parts of the write: {top}.",
            "",
            "**Each step on its own** (µs per call, best of rounds; the store steps include "
            "issuing the visitor id and building the receipt):",
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
