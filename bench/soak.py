"""Load soak: mixed traffic under `cmp serve` on Redis for minutes, watching for drift.

The mix is the one a busy site sends: config reads 70 %, decisions 20 % (half of them by
returning visitors, so chains grow), state lookups 8 %, provision checks of 100 ids 2 %;
every request carries a User-Agent picked from realistic, varied traffic (bench/agents.py).
wrk drives it from a second process on loopback, in consecutive chunks so that throughput,
latency and the workers' resident memory can be followed over time: a leak or a slowdown
shows as a trend across chunks. Afterwards every receipt chain in the store is verified.
A short decision-only run under ``appendfsync always`` and ``everysec`` prices the fsync
choice (docs/reliability.md). Settings: ``SOAK_SECONDS`` (300), ``SOAK_CHUNK`` (30),
``SOAK_CONNECTIONS`` (16).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.agents import traffic
from bench.api_bench import WRITE_LUA, _cmp, _wrk, agent_files, post_visitors
from bench.report import write_section
from cmp.storage import open_store
from cmp.verify import verify_store
from tests.servers import RedisServer, free_port, start_redis, wait_until

SECRET = "soak-secret-key-0123456789abcdef"
SECONDS = int(os.environ.get("SOAK_SECONDS", "300"))
CHUNK = int(os.environ.get("SOAK_CHUNK", "30"))
CONNECTIONS = int(os.environ.get("SOAK_CONNECTIONS", "16"))
VISITORS = 1000

MIX_LUA = r"""
local ids, agents = {}, {}
for line in io.lines("%(ids)s") do ids[#ids + 1] = line end
for line in io.lines("%(agents)s") do agents[#agents + 1] = line end
local read_key, prov_key = "Bearer %(read)s", "Bearer %(prov)s"
local batch = {}
for i = 1, 100 do batch[i] = '"' .. ids[i] .. '"' end
local check = '{"recipient":"dmp-partner","items":["閲覧履歴","Cookie ID"],"visitor_ids":[' ..
  table.concat(batch, ",") .. ']}'
local json = {["Content-Type"] = "application/json"}
local plain, read = {}, {["Authorization"] = read_key}
local prov = {["Content-Type"] = "application/json", ["Authorization"] = prov_key}
statuses = {}  -- a global: done() reads it through thread:get
local n = 0
request = function()
  n = n + 1
  local r = math.random(100)
  local id = ids[(n %% #ids) + 1]
  local agent = agents[math.random(#agents)]
  if r <= 70 then
    plain["User-Agent"] = agent
    return wrk.format("GET", "/api/v1/sites/demo/config?lang=ja", plain)
  elseif r <= 90 then
    local a = (n %% 2 == 0) and "true" or "false"
    local who = (r <= 80) and ('"visitor_id":"' .. id .. '",') or ""
    local body = '{' .. who .. '"policy_version":1,"categories":{"analytics":' .. a ..
      ',"targeting":false},"recipients":{}}'
    json["User-Agent"] = agent
    return wrk.format("POST", "/api/v1/sites/demo/consents", json, body)
  elseif r <= 98 then
    return wrk.format("GET", "/api/v1/sites/demo/consents/" .. id, read)
  else
    return wrk.format("POST", "/api/v1/sites/demo/provision-checks", prov, check)
  end
end
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
"""


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _workers(master: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]


def _key(env: dict[str, str], scope: str) -> str:
    out = subprocess.run(
        [_cmp(), "create-api-key", "--site", "demo", "--scope", scope],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return out.stdout.strip().splitlines()[-1]


def _used_memory(redis: RedisServer) -> int:
    client = redis.client()
    try:
        return int(client.info("memory")["used_memory"])
    finally:
        client.close()


def _fsync_prices(redis: RedisServer, base: str, workdir: Path, agents: Path) -> dict[str, float]:
    """Decision-only req/s under each appendfsync setting, median of alternating rounds."""
    runs: dict[str, list[float]] = {"always": [], "everysec": []}
    script = WRITE_LUA % {"agents": agents}
    client = redis.client()
    try:
        for _ in range(2):
            for mode in runs:
                client.config_set("appendfsync", mode)
                runs[mode].append(
                    _wrk(f"{base}/api/v1/sites/demo/consents", script, workdir)["rps"]
                )
        client.config_set("appendfsync", "always")
    finally:
        client.close()
    return {mode: statistics.median(v) for mode, v in runs.items()}


def main() -> str:
    """Run the soak and write its section of docs/benchmarks.md; return the section text."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: run `make bench` (it installs it)")
    workdir = Path(tempfile.mkdtemp(prefix="cmp-soak-"))
    redis = start_redis(appendonly=True)  # appendfsync always, as docs/deploy.md advises
    env = {**os.environ, "CMP_STORE_URL": redis.url, "CMP_SECRET_KEY": SECRET,
           "CMP_RATE_LIMIT": "off", "CMP_INSTANCE_PATH": str(workdir)}  # fmt: skip
    subprocess.run([_cmp(), "seed-demo"], env=env, check=True, capture_output=True)
    keys = {"read": _key(env, "read"), "prov": _key(env, "provision")}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [_cmp(), "serve", "--port", str(port), "--workers", "2"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    chunks: list[dict[str, float]] = []
    try:
        wait_until(lambda: urllib.request.urlopen(f"{base}/livez", timeout=1).status == 200, 30)
        ids = post_visitors(base, VISITORS, "targeting", 3, traffic(VISITORS, seed=3))
        (workdir / "ids.txt").write_text("\n".join(ids) + "\n")
        agents, _ = agent_files(workdir)
        script = MIX_LUA % {"ids": workdir / "ids.txt", "agents": agents, **keys}
        trivial = _wrk(f"{base}/livez", None, workdir)
        first_workers = sorted(_workers(server.pid))
        started = time.monotonic()
        while time.monotonic() - started < SECONDS:
            result = _mix(base, script, workdir)
            result["rss_mb"] = sum(_rss_kb(p) for p in _workers(server.pid)) / 1024
            result["redis_mb"] = _used_memory(redis) / 2**20
            result["at"] = time.monotonic() - started
            chunks.append(result)
        same_workers = sorted(_workers(server.pid)) == first_workers
        fsync = _fsync_prices(redis, base, workdir, agents)
        server.terminate()
        server.wait(timeout=20)
        store = open_store(redis.url)
        report = verify_store(store)
        store.close()
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=20)
        redis.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        shutil.rmtree(redis.directory, ignore_errors=True)
    body = _section(chunks, trivial, fsync, report, same_workers)
    write_section("soak", body)
    return body


def _mix(base: str, script: str, workdir: Path) -> dict[str, float]:
    path = workdir / "mix.lua"
    path.write_text(script + DONE_LUA)
    args = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{CHUNK}s", "--latency", "--timeout", "10s"]
    done = subprocess.run([*args, "-s", str(path), base], capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"wrk failed: {done.stdout}{done.stderr}")
    out = done.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    statuses = json.loads(re.search(r"^STATUSES (.*)$", out, re.M).group(1) or "{}")

    def pct(p: str) -> float:
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = sum(n for s, n in statuses.items() if not 200 <= int(s) < 300)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors += sum(int(g) for g in sock.groups()) if sock else 0
    return {"rps": rps, "requests": total, "p50": pct("50"), "p99": pct("99"), "errors": errors}


# done() runs in wrk's main Lua state: it collects the status counts of every thread.
DONE_LUA = r"""
local threads = {}
setup = function(thread) table.insert(threads, thread) end
done = function(summary, latency, requests)
  local parts = {}
  for _, t in ipairs(threads) do
    for status, count in pairs(t:get("statuses")) do
      parts[#parts + 1] = '"' .. status .. '":' .. count
    end
  end
  io.write("STATUSES {" .. table.concat(parts, ",") .. "}\n")
end
"""


def _section(
    chunks: list[dict[str, float]],
    trivial: dict[str, float],
    fsync: dict[str, float],
    report: object,
    same_workers: bool,
) -> str:
    total = sum(c["requests"] for c in chunks)
    seconds = sum(c["requests"] / c["rps"] for c in chunks if c["rps"])
    errors = sum(int(c["errors"]) for c in chunks)
    # The first chunk warms caches and allocators up; growth is judged from the second on.
    base_rss = chunks[1]["rss_mb"] if len(chunks) > 1 else chunks[0]["rss_mb"]
    growth = chunks[-1]["rss_mb"] - base_rss
    rows = [
        f"| {c['at']:.0f} | {c['rps']:,.0f} | {c['p50']:.2f} | {c['p99']:.2f} | "
        f"{int(c['errors'])} | {c['rss_mb']:.1f} | {c['redis_mb']:.1f} |"
        for c in chunks
    ]
    rps = total / seconds if seconds else 0.0
    lines = [
        "## Load soak: mixed traffic under `cmp serve` (issue 6)",
        "",
        f"`python -m bench.soak`: `cmp serve --workers 2` on Redis (AOF, `appendfsync always`),"
        f" rate limit off; wrk 1 thread, {CONNECTIONS} connections, {len(chunks)} chunks of "
        f"{CHUNK} s ({seconds:.0f} s in all); mix: config 70 %, decisions 20 % (half by "
        "returning visitors), lookups 8 %, provision checks of 100 ids 2 %; User-Agents "
        "picked from varied traffic (`bench/agents.py`, as in the API benchmark).",
        "",
        f"- **{total:,} requests, {rps:,.0f} req/s, non-2xx or socket errors: {errors}**",
        f"- p50 {statistics.median(c['p50'] for c in chunks):.2f} ms (median of chunks), "
        f"p99 {statistics.median(c['p99'] for c in chunks):.2f} ms (median), "
        f"{max(c['p99'] for c in chunks):.2f} ms (worst chunk)",
        f"- trivial endpoint (`/livez`) in the same run: {trivial['rps']:,.0f} req/s; "
        f"mix / trivial = {rps / trivial['rps']:.2f}",
        f"- workers' RSS (both): {base_rss:.1f} MB after chunk 2 (warm), "
        f"{chunks[-1]['rss_mb']:.1f} MB at the end ({growth:+.1f} MB); "
        f"workers {'never restarted' if same_workers else 'RESTARTED during the soak'}",
        f"- receipt chains verified afterwards: {report.visitors:,} visitors, "
        f"{report.receipts:,} receipts, {len(report.findings)} problems",
        f"- decision-only req/s by AOF fsync policy (median of 2 alternating rounds): "
        f"`always` {fsync['always']:,.0f}, `everysec` {fsync['everysec']:,.0f} "
        f"(always / everysec = {fsync['always'] / fsync['everysec']:.2f})",
        "",
        "| t (s) | req/s | p50 ms | p99 ms | errors | workers RSS MB | Redis used MB |",
        "|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(main())
