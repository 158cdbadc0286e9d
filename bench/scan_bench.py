"""The scanner's cost: a 20-page fixture shop, three phases per page, against bare loads.

The fixture of the scanner tests (tests/scan_site.py: real third-party host names mapped
to local servers by ``--host-resolver-rules``, a real ``cmp serve`` serving the banner)
gets 20 pages that link to each other, each with the banner, a tag blocked until consent
(a GTM-like loader that loads another tag) and, on every fifth page, a tag that leaks.
One Chromium is launched and reused:

- **bare**: each page loaded once in a fresh context (``load`` event), as a visitor would,
  in a pass before and a pass after the scan (their mean counts);
- **scan**: ``cmp.scan.crawl`` from the first page, 20 pages, three phases each (fresh
  context per phase, banner clicked, the refusal reloaded, the network let settle), with
  the CLI's browser options (popup blocker on) and its User-Agent for cmp's API (each
  banner request routed through the scanner).

Reported: total scan time, scan time per page, and per page the ratio scan / (3 × bare)
(target ≤ 4); peak memory: Chromium's processes (PSS summed, sampled every 0.2 s) and this
process's peak RSS. Run ``python -m bench.scan_bench``; it prints the numbers (the lead
keeps docs/benchmarks.md).
"""

from __future__ import annotations

import os
import resource
import statistics
import tempfile
import threading
import time
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

from cmp.scan.browser import CHROMIUM_ARGS, IGNORE_DEFAULT_ARGS, Labels, Limits, agent_of
from cmp.scan.crawl import crawl
from cmp.storage import open_store
from tests import scan_site
from tests.serving import serve

PAGES = 20
CHROMIUM = "/usr/bin/chromium"


def add_pages() -> list[str]:
    """Add ``/p/0`` … ``/p/19`` to the fixture shop; return their URLs."""
    links = " ".join(f'<a href="/p/{i}">{i}</a>' for i in range(PAGES))
    for i in range(PAGES):
        extra = scan_site.GTM + (scan_site.LEAK if i % 5 == 0 else "")
        body = f"<p>商品 {i}</p><nav>{links}</nav>"
        scan_site.PAGES[f"/p/{i}"] = scan_site.page(f"商品 {i}", body, extra=extra, nav=False)
    return [f"http://{scan_site.SHOP}/p/{i}" for i in range(PAGES)]


def _descendants() -> list[int]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            kids.setdefault(ppid, []).append(int(entry))
    out, todo = [], [os.getpid()]
    while todo:
        for child in kids.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _chromium_pss_mb() -> float:
    total = 0
    for pid in _descendants():
        try:
            if "chrom" not in Path(f"/proc/{pid}/comm").read_text():
                continue
            for row in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if row.startswith("Pss:"):
                    total += int(row.split()[1])
        except OSError:
            continue
    return total / 1024


class Sampler(threading.Thread):
    """Samples Chromium's PSS every 0.2 s; ``peak`` is the highest seen (MB)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak, self._done = 0.0, threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.2):
            self.peak = max(self.peak, _chromium_pss_mb())

    def stop(self) -> None:
        self._done.set()
        self.join(timeout=5)


def bare_loads(browser: Browser, urls: list[str]) -> dict[str, float]:
    """Seconds per page for one load in a fresh context (``load`` event)."""
    out = {}
    for url in urls:
        began = time.monotonic()
        context = browser.new_context(locale="ja-JP")
        page = context.new_page()
        page.goto(url, wait_until="load")
        context.close()
        out[url] = time.monotonic() - began
    return out


def main() -> None:
    """Run the benchmark and print its numbers."""
    urls = add_pages()
    tmp = Path(tempfile.mkdtemp(prefix="cmp-scan-bench-"))
    store_url = f"sqlite:///{tmp / 'cmp.sqlite3'}"
    store = open_store(store_url)
    scan_site.shop_site(store)
    store.close()
    cmp_server = serve(store_url, tmp, workers=2)
    shop = scan_site.start_shop()
    sampler = Sampler()
    try:
        with sync_playwright() as pw:
            args = [*CHROMIUM_ARGS, *shop.chromium_args(cmp_server.port)]
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, args=args, ignore_default_args=IGNORE_DEFAULT_ARGS
            )
            sampler.start()
            bare_loads(browser, urls[:3])  # warm-up: caches, first context
            first = bare_loads(browser, urls)
            began = time.monotonic()
            # As `cmp scan` runs it: popup blocker on, cmp's API told it is the scanner.
            agent = agent_of(browser)
            pages, errors, _ = crawl(browser, [urls[0]], Labels(), Limits(), PAGES, None, agent)
            total = time.monotonic() - began
            second = bare_loads(browser, urls)
            browser.close()
    finally:
        sampler.stop()
        shop.stop()
        cmp_server.stop()
    broken = [(p["url"], p["error"]) for p in pages if p["error"]]
    assert len(pages) == PAGES and not errors and not broken, (len(pages), errors, broken)
    bare = {u: (first[u] + second[u]) / 2 for u in urls}
    ratios = [p["seconds"] / (3 * bare[p["url"]]) for p in pages]
    per_page = [p["seconds"] for p in pages]
    print(f"pages scanned: {len(pages)} (3 phases each, one browser)")
    print(f"total scan time: {total:.1f} s")
    print(f"scan time per page: median {statistics.median(per_page):.2f} s, "
          f"max {max(per_page):.2f} s")  # fmt: skip
    print(f"bare load per page: median {statistics.median(bare.values()):.3f} s "
          f"(passes before/after: {statistics.median(first.values()):.3f} / "
          f"{statistics.median(second.values()):.3f} s)")  # fmt: skip
    print(f"ratio scan / (3 x bare): median {statistics.median(ratios):.2f}, "
          f"max {max(ratios):.2f}, whole run {total / (3 * sum(bare.values())):.2f} "
          f"(target <= 4)")  # fmt: skip
    print(f"peak memory: Chromium {sampler.peak:.0f} MB PSS, this process "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB RSS")  # fmt: skip


if __name__ == "__main__":
    main()
