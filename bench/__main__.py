"""`make bench`: every benchmark in turn; each writes its section of docs/benchmarks.md.

Set BENCH_ONLY=api,banner_size,... to run a subset, BENCH_SOAK_SECONDS to shorten the soak.
"""

from __future__ import annotations

import importlib
import os
import sys
import time

ALL = [
    "banner_size",
    "banner_start",
    "banner_lighthouse",
    "api_bench",
    "profile_ua",
    "profile_api",
    "peer_bench",
    "provision_bench",
    "verify_bench",
    "soak",
    "public_edges_memory",
    "export_memory",
    "serve_slow",
    "scan_bench",
]


def main() -> int:
    """Run the selected benchmarks; return a non-zero status if one failed."""
    chosen = [n for n in os.environ.get("BENCH_ONLY", ",".join(ALL)).split(",") if n]
    failed = []
    for name in chosen:
        started = time.monotonic()
        print(f"== bench.{name}", flush=True)
        try:
            importlib.import_module(f"bench.{name}").main()
        except Exception as exc:
            print(f"!! bench.{name} failed: {exc!r}", file=sys.stderr)
            failed.append(name)
        print(f"== bench.{name} done in {time.monotonic() - started:.0f} s", flush=True)
    print("results: docs/benchmarks.md")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
