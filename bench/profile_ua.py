"""What one User-Agent summary costs: a never-seen agent before and after, and a cached one.

"Before" is the summary as cmp built it until issue 14, through user-agents 2.2 (ua-parser's
legacy pure-Python API); "after" is :func:`cmp.useragent.parse`, ua-parser 1.x's own API
with the native ua-parser-rs matcher. Both parse agents they have never seen (distinct
strings from :mod:`bench.agents`, none repeated, no cache in front); "cached" is
:func:`cmp.receipts.ua_summary` on an agent already in its LRU. ``python -m bench.profile_ua``.
"""

from __future__ import annotations

import collections
import os
import statistics
import time
from typing import Any

from bench.agents import generate
from bench.report import write_section
from cmp import useragent
from cmp.receipts import ua_summary

COUNT = int(os.environ.get("BENCH_UA_COUNT", "3000"))
ROUNDS = 3


def before(agent: str) -> dict[str, Any]:
    """The summary exactly as cmp/receipts.py built it with user-agents 2.2."""
    from user_agents import parse  # the test extras' reference; not used at run time

    ua = parse(agent[: useragent.MAX_LENGTH])
    kinds = [("bot", ua.is_bot), ("tablet", ua.is_tablet), ("mobile", ua.is_mobile)]
    device = next((k for k, on in [*kinds, ("pc", ua.is_pc)] if on), "other")
    return {
        "browser": f"{ua.browser.family} {ua.browser.version_string}".strip(),
        "os": f"{ua.os.family} {ua.os.version_string}".strip(),
        "device": device,
        "bot": bool(ua.is_bot),
    }


def _per_call_us(fn: Any, agents: list[str]) -> float:
    # CPU time of this thread: other work on the two shared cores does not inflate it.
    started = time.thread_time()
    for agent in agents:
        fn(agent)
    return (time.thread_time() - started) / len(agents) * 1e6


def measure(count: int = COUNT) -> dict[str, Any]:
    """Per-call µs (median of rounds, fresh agents each round) and the agreement found."""
    useragent.resolver()  # built once per process (~0.1 s), not part of a parse
    rounds: dict[str, list[float]] = {"before": [], "after": [], "cached": []}
    for n in range(ROUNDS):
        agents = generate(count, seed=1000 + n)
        rounds["before"].append(_per_call_us(before, agents[: count // 4]))
        rounds["after"].append(_per_call_us(useragent.parse, agents))
        hot = agents[:100]
        for agent in hot:
            ua_summary(agent)
        rounds["cached"].append(_per_call_us(ua_summary, hot * 50))
    agents = generate(count, seed=1000)
    summaries = [useragent.parse(a) for a in agents]
    differ = sum(1 for a, s in zip(agents, summaries, strict=True) if before(a) != s)
    return {
        **{k: statistics.median(v) for k, v in rounds.items()},
        "count": count,
        "distinct_summaries": len({tuple(s.values()) for s in summaries}),
        "kinds": collections.Counter(s["device"] for s in summaries),
        "differ": differ,
    }


def main() -> str:
    """Measure and write the ``ua`` section of docs/benchmarks.md; return it."""
    m = measure()
    kinds = ", ".join(f"{k} {n / m['count']:.0%}" for k, n in m["kinds"].most_common())
    body = "\n".join(
        [
            "## User-Agent summary cost (issue 14)",
            "",
            "`python -m bench.profile_ua`: CPU µs per call (thread time), median of "
            f"{ROUNDS} rounds, each over agents never seen before ({m['count']:,} distinct "
            "strings per round from `bench/agents.py`; no cache in front).",
            "",
            "| summary of one User-Agent | CPU µs per call |",
            "|---|---:|",
            f"| before: user-agents 2.2 (ua-parser's legacy Python API), never seen | "
            f"{m['before']:,.1f} |",
            f"| **after: ua-parser 1.x + ua-parser-rs, `cmp.useragent.parse`, never seen** | "
            f"**{m['after']:,.1f}** |",
            f"| after, in the LRU (`ua_summary`, {useragent.CACHE_SIZE:,} entries) | "
            f"{m['cached']:,.2f} |",
            "",
            f"Speed-up on a never-seen agent: {m['before'] / m['after']:.0f}×. The summaries "
            f"agree with user-agents 2.2 on {m['count'] - m['differ']:,} of {m['count']:,} "
            f"agents. Those agents give {m['distinct_summaries']:,} distinct summaries "
            f"(device kinds: {kinds}).",
        ]
    )
    write_section("ua", body)
    return body


if __name__ == "__main__":
    print(main())
