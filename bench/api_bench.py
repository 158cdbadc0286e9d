"""Decision writes and state lookups on Redis under `cmp serve`, driven by wrk on loopback.

Each workload is measured as a ratio to a trivial JSON endpoint (``/livez``) of the same app
and server in the same run, over several rounds (median), because the two shared cores make
absolute numbers drift. Targets (issue 2): writes >= 0.6, lookups >= 0.8 of the trivial
endpoint.

``/healthz`` is measured too, as the ceiling of any endpoint that touches the store: it is
the trivial endpoint plus one Redis round trip (PING) and nothing else. A lookup is one
round trip, so its ratio cannot exceed that one on the same machine.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.report import write_section
from tests.servers import free_port, start_redis, wait_until

SECRET = "bench-secret-key-0123456789abcdef"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
CONNECTIONS = 16
THREADS = os.environ.get("BENCH_THREADS", "1")
VISITORS = 2000

WRITE_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  local a = (n % 2 == 0) and "true" or "false"
  local body = '{"policy_version":1,"lang":"ja","method":"banner","categories":' ..
    '{"analytics":' .. a .. ',"targeting":false},"recipients":{}}'
  return wrk.format(nil, nil, nil, body)
end
"""

LOOKUP_LUA = """
local ids = {}
for line in io.lines("%(ids)s") do ids[#ids + 1] = line end
wrk.headers["Authorization"] = "Bearer %(key)s"
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/api/v1/sites/demo/consents/" .. ids[(n %% #ids) + 1])
end
"""


def _cmp() -> str:
    return str(Path(sys.executable).with_name("cmp"))


def _wrk(url: str, script: str | None, workdir: Path) -> dict[str, float]:
    args = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency"]
    if script:
        path = workdir / f"s{abs(hash(script))}.lua"
        path.write_text(script)
        args += ["-s", str(path)]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)

    def pct(p: str) -> float:
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    return {
        "rps": rps,
        "p50": pct("50"),
        "p99": pct("99"),
        "errors": int(errors.group(1)) if errors else 0,
    }


def post_visitors(base: str, count: int, category: str, every: int) -> list[str]:
    """Record ``count`` first decisions (every ``every``-th grants ``category``); return the
    signed visitor ids, for the lookup workloads."""
    ids = []
    for n in range(count):
        body = json.dumps({"policy_version": 1, "categories": {category: n % every == 0}})
        req = urllib.request.Request(
            f"{base}/api/v1/sites/demo/consents",
            data=body.encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req) as resp:
            ids.append(json.load(resp)["visitor_id"])
    return ids


def main() -> str:
    """Run the benchmark and write its section; return the section text."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: run `make bench` (it installs it)")
    workdir = Path(tempfile.mkdtemp(prefix="cmp-bench-"))
    redis = start_redis(appendonly=True)
    env = {**os.environ, "CMP_STORE_URL": redis.url, "CMP_SECRET_KEY": SECRET,
           "CMP_RATE_LIMIT": "off", "CMP_INSTANCE_PATH": str(workdir)}  # fmt: skip
    # AOF on; writes are measured under both fsync policies (docs/reliability.md explains
    # the choice: `always` loses nothing acknowledged on a power cut, `everysec` is faster).
    admin = redis.client()
    subprocess.run([_cmp(), "seed-demo"], env=env, check=True, capture_output=True)
    key = subprocess.run(
        [_cmp(), "create-api-key", "--site", "demo", "--scope", "read"],
        env=env, check=True, capture_output=True, text=True,
    ).stdout.strip().splitlines()[-1]  # fmt: skip
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [_cmp(), "serve", "--port", str(port), "--workers", "2", "--threads", THREADS],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_until(lambda: urllib.request.urlopen(f"{base}/livez", timeout=1).status == 200, 30)
        ids = post_visitors(base, VISITORS, "analytics", 2)
        (workdir / "ids.txt").write_text("\n".join(ids) + "\n")
        lookup = LOOKUP_LUA % {"ids": workdir / "ids.txt", "key": key}
        runs: dict[str, list[dict[str, float]]] = {
            "trivial": [], "ceiling": [], "write": [], "write_always": [], "lookup": []
        }  # fmt: skip
        for _ in range(ROUNDS):
            runs["trivial"].append(_wrk(f"{base}/livez", None, workdir))
            runs["ceiling"].append(_wrk(f"{base}/healthz", None, workdir))
            admin.config_set("appendfsync", "everysec")
            runs["write"].append(_wrk(f"{base}/api/v1/sites/demo/consents", WRITE_LUA, workdir))
            admin.config_set("appendfsync", "always")
            runs["write_always"].append(
                _wrk(f"{base}/api/v1/sites/demo/consents", WRITE_LUA, workdir)
            )
            runs["lookup"].append(_wrk(base, lookup, workdir))
            time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=15)
        admin.close()
        redis.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        shutil.rmtree(redis.directory, ignore_errors=True)

    def med(kind: str, field: str) -> float:
        return statistics.median(r[field] for r in runs[kind])

    ratios = {
        kind: statistics.median(
            r["rps"] / t["rps"] for r, t in zip(runs[kind], runs["trivial"], strict=True)
        )
        for kind in ("ceiling", "write", "write_always", "lookup")
    }
    rows = [
        f"| {label} | {med(kind, 'rps'):,.0f} | {ratio} | {med(kind, 'p50'):.2f} | "
        f"{med(kind, 'p99'):.2f} | {sum(r['errors'] for r in runs[kind])} |"
        for label, kind, ratio in [
            ("trivial JSON (`/livez`)", "trivial", "1.00"),
            (
                "ceiling: trivial + one Redis PING (`/healthz`)",
                "ceiling",
                f"{ratios['ceiling']:.2f}",
            ),
            ("decision write, `everysec`", "write", f"**{ratios['write']:.2f}** (≥ 0.6)"),
            (
                "decision write, `always`",
                "write_always",
                f"**{ratios['write_always']:.2f}** (≥ 0.6)",
            ),
            (
                "state lookup (`GET …/consents/{id}`)",
                "lookup",
                f"**{ratios['lookup']:.2f}** (≥ 0.8)",
            ),
        ]
    ]
    body = "\n".join(
        [
            "## API on Redis under `cmp serve` (issue 2)",
            "",
            f"`cmp serve --workers 2 --threads {THREADS}` on a Redis with AOF; wrk, 1 thread, "
            f"{CONNECTIONS} connections, {SECONDS} s per workload, median of {ROUNDS} rounds, "
            "each ratio taken against the trivial endpoint in the same round.",
            "",
            "| workload | req/s | ratio to trivial | p50 ms | p99 ms | non-2xx |",
            "|---|---:|---:|---:|---:|---:|",
            *rows,
            "",
            "The `/healthz` row is the ceiling for any endpoint that makes one store round "
            "trip (a lookup makes exactly one): it does nothing but the trivial endpoint's "
            f"work and a Redis PING. The lookup reaches {ratios['lookup'] / ratios['ceiling']:.2f} "
            "of that ceiling and the write (`everysec`) "
            f"{ratios['write'] / ratios['ceiling']:.2f}.",
        ]
    )
    write_section("api", body)
    return body


if __name__ == "__main__":
    print(main())
