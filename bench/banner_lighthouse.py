"""Lighthouse (npm ``lighthouse@12.2.3``, Node 20, Debian Chromium) in mobile mode on ``/demo``,
with the banner and with ``cmp.js`` blocked, in the same run. Targets (issue 10): performance
>= 98 with the banner, CLS <= 0.01 (Lighthouse counts every shift), TBT <= 30 ms.

Lighthouse is not a dependency of the build: set ``LIGHTHOUSE`` to its CLI (e.g. after
``npm install lighthouse@12.2.3`` somewhere, ``…/node_modules/.bin/lighthouse``), else
``npx --yes lighthouse@12.2.3`` is used. Run ``python -m bench.banner_lighthouse [rounds]``;
medians are written into docs/benchmarks.md and docs/banner.md.
"""

from __future__ import annotations

import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.banner_size import BANNER_DOC, write_section
from bench.banner_start import cmp_server
from tests.chromium import CHROMIUM

ROUNDS = 3
FLAGS = "--headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking"


def lighthouse(url: str, out: Path, blocked: bool) -> dict[str, float]:
    """One Lighthouse mobile run; the scores that matter here."""
    cli = shlex.split(os.environ.get("LIGHTHOUSE", "npx --yes lighthouse@12.2.3"))
    args = [
        *cli,
        url,
        "--only-categories=performance",
        "--output=json",
        f"--output-path={out}",
        f"--chrome-flags={FLAGS}",
        "--quiet",
    ]
    if blocked:
        args.append("--blocked-url-patterns=*cmp.js*")
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    subprocess.run(args, check=True, env=env, capture_output=True, timeout=300)
    data = json.loads(out.read_text())
    audits = data["audits"]
    return {
        "score": data["categories"]["performance"]["score"] * 100,
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "tbt": audits["total-blocking-time"]["numericValue"],
        "lcp": audits["largest-contentful-paint"]["numericValue"],
    }


def report(rounds: int = ROUNDS) -> str:
    """Measure and return the Markdown section."""
    runs: dict[str, list[dict[str, float]]] = {"with": [], "without": []}
    with cmp_server() as base, tempfile.TemporaryDirectory() as tmp:
        for i in range(rounds):
            for kind in ("with", "without"):
                out = Path(tmp) / f"{kind}-{i}.json"
                runs[kind].append(lighthouse(f"{base}/demo", out, blocked=kind == "without"))
    med = {k: {m: statistics.median(r[m] for r in v) for m in v[0]} for k, v in runs.items()}
    w = med["with"]
    met = w["score"] >= 98 and w["cls"] <= 0.01 and w["tbt"] <= 30
    rows = [
        "## Lighthouse mobile on /demo (issue 10)",
        "",
        f"Lighthouse 12.2.3, mobile (its default throttling), Debian Chromium, median of "
        f"{rounds} runs each, same run. `python -m bench.banner_lighthouse`.",
        "",
        "| page | performance | CLS | TBT | LCP |",
        "|---|---:|---:|---:|---:|",
    ]
    for kind, label in (("with", "with the banner"), ("without", "cmp.js blocked")):
        m = med[kind]
        rows.append(
            f"| {label} | {m['score']:.0f} | {m['cls']:.3f} | {m['tbt']:.0f} ms "
            f"| {m['lcp'] / 1000:.2f} s |"
        )
    rows += [
        "",
        f"Targets (performance >= 98, CLS <= 0.01, TBT <= 30 ms with the banner): "
        f"{'met' if met else 'MISSED'}.",
    ]
    return "\n".join(rows)


def main() -> None:
    """Print the section and write it into docs/benchmarks.md and docs/banner.md."""
    from bench.report import write_section as write_benchmarks

    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else ROUNDS
    body = report(rounds)
    print(body)
    write_benchmarks("banner-lighthouse", body)
    write_section(BANNER_DOC, "banner-lighthouse", body.replace("## ", "### ", 1))


if __name__ == "__main__":
    main()
