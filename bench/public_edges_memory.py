"""Memory of one `cmp serve` worker under 6,000 config GETs with distinct ``Host`` headers.

Issue 12, finding 4: the config cache was keyed by the notice URL, which is built from the
``Host`` header, so every new host added a document. Run: ``python bench/public_edges_memory.py``
(prints the worker's RSS before and after, and the config's plain and gzip sizes).
"""

from __future__ import annotations

import gzip
import http.client
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.serving import seeded, serve  # noqa: E402

HOSTS = 6000


def rss_kb(pid: int) -> int:
    """Resident set size of a process, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def main() -> None:
    """Start one worker, measure, send the GETs, measure again."""
    tmp = Path(tempfile.mkdtemp(prefix="cmp-bench-"))
    url = f"sqlite:///{tmp / 'cmp.sqlite3'}"
    seeded(url).close()
    server = serve(url, tmp, workers=1, env={"CMP_CONFIG_CACHE_SECONDS": "3600"})
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("GET", "/api/v1/sites/demo/config", headers={"Accept-Encoding": "gzip"})
        resp = conn.getresponse()
        body = resp.read()
        encoding = resp.getheader("Content-Encoding")
        conn.close()
        plain = gzip.decompress(body) if encoding == "gzip" else body
        print(
            f"config: {len(plain)} B plain, {len(gzip.compress(plain))} B gzip (computed), "
            f"served {len(body)} B with Content-Encoding={encoding}"
        )
        [worker] = server.workers()
        before = rss_kb(worker)
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        for n in range(HOSTS):
            conn.request("GET", "/api/v1/sites/demo/config", headers={"Host": f"h{n}.example"})
            conn.getresponse().read()
        conn.close()
        after = rss_kb(worker)
        print(
            f"worker RSS: {before / 1024:.1f} MB before, {after / 1024:.1f} MB after "
            f"{HOSTS} distinct Host headers (+{(after - before) / 1024:.1f} MB)"
        )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
