"""One phase of one page in headless Chromium: load it as a new visitor and record what it did.

The only module of the scanner that touches a browser (Playwright, sync API). Each phase runs
in a fresh context (no cookies, no storage). The banner is driven through its UI: the
拒否する / 同意する buttons are found by their accessible role and name (in the banner's
open shadow root), never by the banner's internal markup. Each request gets its initiator
from the DevTools protocol (``Network.requestWillBeSent``), so a report can name the script
or element that made it and the chain of tags that led there.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page, Request
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from cmp.scan.domains import host_of, registrable
from cmp.scan.observe import chain_of, cookie_view, is_cmp, request_view

#: Flags that work as root with no network (tests/chromium.py, TESTING.md).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
_STORAGE = """() => {
  const out = [];
  for (const [area, s] of [['local', () => localStorage], ['session', () => sessionStorage]]) {
    try { const st = s(); for (let i = 0; i < st.length; i++) out.push([area, st.key(i)]); }
    catch (e) { /* storage blocked in this frame */ }
  }
  return [location.origin, out];
}"""
#: Chromium names the document, not the script, as the initiator of an image whose ``src``
#: a script set; this notes the script (from the stack) of every image ``src`` set.
_IMAGE_SOURCES = """(() => {
  const log = [];
  Object.defineProperty(window, '__cmpScanImages', { value: log });
  const caller = () => {
    for (const l of (new Error().stack || '').split('\\n').slice(1)) {
      const m = l.match(/(https?:\\/\\/[^\\s()]+?):\\d+:\\d+\\)?\\s*$/);
      if (m) return m[1];
    }
    return '';
  };
  const d = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, 'src');
  Object.defineProperty(HTMLImageElement.prototype, 'src', {
    configurable: true, enumerable: d.enumerable, get() { return d.get.call(this); },
    set(v) {
      try { log.push([new URL(v, location.href).href, caller()]); } catch (e) { /* bad URL */ }
      d.set.call(this, v);
    },
  });
})();"""
_LINKS = "() => [...document.querySelectorAll('a[href]')].map((a) => a.href)"


@dataclass
class Limits:
    """Time bounds, in seconds (``settle``: quiet network before a phase counts as done)."""

    page: float = 20.0
    banner: float = 6.0
    settle: float = 0.3
    settle_max: float = 4.0
    total: float = 900.0


@dataclass
class Labels:
    """The banner's button names: the site's texts (ja and en)."""

    reject: list[str] = field(default_factory=lambda: ["拒否する", "Reject"])
    accept: list[str] = field(default_factory=lambda: ["同意する", "Accept"])

    def pattern(self, which: str) -> re.Pattern[str]:
        """An exact-name pattern for the ``reject`` or ``accept`` button."""
        names = "|".join(re.escape(n) for n in getattr(self, which) if n)
        return re.compile(rf"^\s*(?:{names})\s*$")


class PageError(Exception):
    """A page that cannot be scanned; ``code`` is the finding's reason."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


class _Recorder:
    """Every request of one context, with initiators from the DevTools protocol."""

    def __init__(self, context: BrowserContext, page: Page) -> None:
        self.requests: list[tuple[Request, bool]] = []
        self.initiators: dict[str, dict[str, Any]] = {}
        self.inflight: set[Request] = set()
        self.last = time.monotonic()
        self.after = False
        context.on("request", self._start)
        context.on("requestfinished", self._end)
        context.on("requestfailed", self._end)
        cdp = context.new_cdp_session(page)
        cdp.on("Network.requestWillBeSent", self._cdp)
        cdp.send("Network.enable")
        context.add_init_script(_IMAGE_SOURCES)

    def _cdp(self, event: dict[str, Any]) -> None:
        self.initiators.setdefault(event["request"]["url"], event.get("initiator") or {})

    def _start(self, request: Request) -> None:
        self.requests.append((request, self.after))
        self.inflight.add(request)
        self.last = time.monotonic()

    def _end(self, request: Request) -> None:
        self.inflight.discard(request)
        self.last = time.monotonic()

    def settle(self, page: Page, limits: Limits, deadline: float) -> None:
        """Wait until no request started or ended for ``limits.settle`` seconds."""
        stop = min(deadline, time.monotonic() + limits.settle_max)
        while time.monotonic() < stop:
            quiet = time.monotonic() - self.last >= limits.settle
            if quiet and not self.inflight:
                return
            page.wait_for_timeout(50)


def _banner_button(page: Page, labels: Labels, which: str) -> Any:
    return page.get_by_role("button", name=labels.pattern(which)).filter(visible=True).first


def _find_banner(
    page: Page, rec: _Recorder, labels: Labels, limits: Limits, deadline: float
) -> bool:
    """True once the banner's 拒否する button shows; False at once for a page that loaded
    no cmp script, else after ``limits.banner`` seconds."""
    if not any(is_cmp(r.url) for r, _ in rec.requests):
        rec.settle(page, limits, deadline)
        if not any(is_cmp(r.url) for r, _ in rec.requests):
            return False
    try:
        wait = max(0.1, min(limits.banner, deadline - time.monotonic()))
        _banner_button(page, labels, "reject").wait_for(state="visible", timeout=wait * 1000)
    except PlaywrightTimeout:
        return False
    return True


def _goto(page: Page, url: str, limits: Limits) -> int:
    try:
        response = page.goto(url, wait_until="load", timeout=limits.page * 1000)
    except PlaywrightTimeout as exc:
        raise PageError("timeout", f"the page did not finish loading in {limits.page:g} s") from exc
    except PlaywrightError as exc:
        reason = re.search(r"net::[A-Z_]+", str(exc))
        raise PageError("unreachable", reason.group(0) if reason else str(exc)[:200]) from exc
    return response.status if response is not None else 0


def _reload(page: Page, limits: Limits) -> None:
    try:
        page.reload(wait_until="load", timeout=limits.page * 1000)
    except PlaywrightTimeout as exc:
        raise PageError("timeout", f"the page did not finish loading in {limits.page:g} s") from exc
    except PlaywrightError as exc:
        raise PageError("unreachable", str(exc)[:200]) from exc


def run_phase(
    browser: Browser, url: str, phase: str, labels: Labels, limits: Limits
) -> dict[str, Any]:
    """Load ``url`` in a fresh context and run ``phase`` (before, rejected, accepted).

    Returns ``{"final_url", "status", "banner", "links", "cmp_hosts", "requests",
    "cookies", "storage"}``: the third-party requests (for rejected/accepted only those after
    the click), every cookie in the jar and every storage key at the end. Raises
    :class:`PageError` for a page that cannot be scanned.
    """
    deadline = time.monotonic() + limits.page
    context = browser.new_context(locale="ja-JP", service_workers="block")
    try:
        page = context.new_page()
        page.set_default_timeout(limits.page * 1000)
        rec = _Recorder(context, page)
        status = _goto(page, url, limits)
        final = page.url
        if status >= 400:
            raise PageError("http_status", f"HTTP {status}")
        if registrable(host_of(final)) != registrable(host_of(url)):
            raise PageError("redirect", f"redirected off-site to {final}")
        banner = _find_banner(page, rec, labels, limits, deadline)
        if phase != "before":
            if not banner:
                raise PageError("no_banner", "no consent banner (拒否する / 同意する) on the page")
            rec.settle(page, limits, deadline)
            rec.after = True
            _banner_button(page, labels, "reject" if phase == "rejected" else "accept").click()
            if phase == "rejected":
                # What a visitor who refused meets on the next page view: the page again.
                rec.settle(page, limits, deadline)
                _reload(page, limits)
        rec.settle(page, limits, deadline)
        return _collect(context, page, rec, url, final, status, banner, phase)
    finally:
        context.close()


def _collect(
    context: BrowserContext,
    page: Page,
    rec: _Recorder,
    url: str,
    final: str,
    status: int,
    banner: bool,
    phase: str,
) -> dict[str, Any]:
    site = registrable(host_of(final))
    try:
        images = page.evaluate("() => window.__cmpScanImages || []")
    except PlaywrightError:
        images = []
    for url, script in images:
        known = rec.initiators.get(url)
        if script and (known is None or known.get("type") == "parser"):
            rec.initiators[url] = {"type": "script", "url": script}
    cmp_hosts = sorted({host_of(r.url) for r, _ in rec.requests if is_cmp(r.url)})
    requests = []
    for request, after in rec.requests:
        if phase != "before" and not after:
            continue
        host = host_of(request.url)
        if not host or registrable(host) == site or host in cmp_hosts:
            continue
        frame = _frame_url(request)
        chain = chain_of(request.url, rec.initiators, frame)
        requests.append(request_view(request.url, request.resource_type, request.method, chain))
    now = time.time()
    cookies = [cookie_view(c, site, now) for c in context.cookies()]
    storage: list[dict[str, str]] = []
    for frame in page.frames:
        try:
            origin, keys = frame.evaluate(_STORAGE)
        except PlaywrightError:
            continue
        storage += [{"area": a, "key": k, "origin": origin} for a, k in keys]
    links = page.evaluate(_LINKS) if phase == "before" else []
    return {
        "final_url": final,
        "status": status,
        "banner": banner,
        "links": links,
        "cmp_hosts": cmp_hosts,
        "requests": requests,
        "cookies": cookies,
        "storage": _unique(storage),
    }


def _frame_url(request: Request) -> str:
    try:
        return request.frame.url
    except PlaywrightError:
        return ""


def _unique(items: list[dict[str, str]]) -> list[dict[str, str]]:
    seen: set[tuple[str, ...]] = set()
    out = []
    for item in items:
        key = tuple(item.values())
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out
