"""Crawl a site breadth-first, three phases per page, bounded in time per page and in total.

The links of each page's first phase (same origin as one of the start URLs) are queued
until ``max_pages`` pages are done. A page that cannot be scanned becomes an error finding
and the crawl goes on; the whole scan stops at ``limits.total`` seconds with an error
finding listing what was left.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import urldefrag

from playwright.sync_api import Browser
from playwright.sync_api import Error as PlaywrightError

from cmp.scan import PHASES
from cmp.scan.browser import Labels, Limits, PageError, run_phase
from cmp.scan.domains import host_of, origin_of, same_site
from cmp.scan.rules import finding

#: Links to these are not pages.
_NOT_PAGES = (
    ".pdf",
    ".zip",
    ".jpg",
    ".jpeg",
    ".png",
    ".gif",
    ".svg",
    ".webp",
    ".css",
    ".js",
    ".xml",
    ".json",
    ".mp4",
    ".mp3",
    ".ico",
    ".txt",
    ".csv",
    ".xlsx",
    ".docx",
)

Progress = Callable[[int, int, str], None]


def page_link(href: str, origins: set[str]) -> str | None:
    """The page URL to queue for link ``href`` (fragment dropped), or None if it is on
    another origin, not http(s) or not a page."""
    url = urldefrag(href.strip())[0]
    if not url.startswith(("http://", "https://")) or origin_of(url) not in origins:
        return None
    if url.split("?", 1)[0].lower().endswith(_NOT_PAGES):
        return None
    return url


def _lists(data: dict[str, Any]) -> dict[str, Any]:
    """A phase as the report holds it (``omitted``: requests not listed, see browser)."""
    return {k: data.get(k, 0 if k == "omitted" else []) for k in
            ("requests", "omitted", "cookies", "storage")}  # fmt: skip


def scan_page(
    browser: Browser, url: str, labels: Labels, limits: Limits, agent: str = ""
) -> dict[str, Any]:
    """The three phases of one page, as the report's page (plus ``links`` and ``cmp_hosts``,
    which the crawl takes out); ``agent``: the User-Agent cmp's API is sent."""
    began = time.monotonic()
    page: dict[str, Any] = {"url": url, "final_url": None, "status": None, "banner": None,
                            "error": None, "phases": dict.fromkeys(PHASES)}  # fmt: skip
    links: list[str] = []
    hosts: set[str] = set()
    for phase in PHASES:
        try:
            data = run_phase(browser, url, phase, labels, limits, agent)
        except PageError as exc:
            page["error"] = {"code": exc.code, "message": exc.message, "phase": phase}
            if exc.data is not None:  # what the phase saw before it stopped still counts
                page["phases"][phase] = _lists(exc.data)
            break
        except PlaywrightError as exc:  # the page or the browser crashed: still a finding
            page["error"] = {"code": "browser", "message": str(exc)[:300], "phase": phase}
            break
        page["phases"][phase] = _lists(data)
        hosts.update(data["cmp_hosts"])
        if phase == "before":
            page.update(final_url=data["final_url"], status=data["status"], banner=data["banner"])
            links = data["links"]
            if not data["banner"]:
                message = "no consent banner (拒否する / 同意する) on the page"
                page["error"] = {"code": "no_banner", "message": message, "phase": "rejected"}
                break
    page["seconds"] = round(time.monotonic() - began, 3)
    page["links"], page["cmp_hosts"] = links, sorted(hosts)
    return page


def crawl(
    browser: Browser,
    urls: Sequence[str],
    labels: Labels,
    limits: Limits,
    max_pages: int,
    progress: Progress | None = None,
    agent: str = "",
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], set[str]]:
    """Scan up to ``max_pages`` pages from ``urls``; return the pages, scan-wide error
    findings and the hosts cmp itself was served from. ``agent`` is the User-Agent the
    banner's decisions reach cmp's API with (the scanner's, so they count as a bot's)."""
    start = time.monotonic()
    limits = replace(limits, until=start + limits.total)
    origins = {origin_of(u) for u in urls if origin_of(u)}
    starts = set()
    queue: deque[str] = deque()
    seen: set[str] = set()
    for url in urls:
        link = urldefrag(url.strip())[0]
        if link not in seen:
            seen.add(link)
            queue.append(link)
            starts.add(link)
    pages: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    cmp_hosts: set[str] = set()
    while queue and len(pages) < max_pages:
        if time.monotonic() - start >= limits.total:
            left = list(queue)
            message = f"scan stopped after {limits.total:g} s; {len(left)} page(s) not scanned"
            errors.append(finding("error", "scan", {"code": "time_limit", "message": message,
                                                    "not_scanned": left[:50]}))  # fmt: skip
            break
        url = queue.popleft()
        if progress:
            progress(len(pages), min(max_pages, len(pages) + 1 + len(queue)), url)
        page = scan_page(browser, url, labels, limits, agent)
        cmp_hosts.update(page.pop("cmp_hosts"))
        final = page.get("final_url") or ""
        if url in starts and final and same_site(host_of(final), host_of(url)):
            # A start URL that redirects within the site (review-shop.jp -> www., http ->
            # https): the site lives where it landed, so its links are followed there too.
            origins.add(origin_of(final))
        if final:
            seen.add(urldefrag(final)[0])  # a page reached by a redirect is not scanned twice
        for href in page.pop("links"):
            link = page_link(href, origins)
            if link and link not in seen:
                seen.add(link)
                queue.append(link)
        pages.append(page)
    if progress:
        progress(len(pages), len(pages), "")
    return pages, errors, cmp_hosts
