"""What one browser context did: its requests with their initiators, and the end state.

:class:`Recorder` listens to one fresh context (Playwright's request events, DevTools'
``Network.requestWillBeSent`` for initiators, ``Network.responseReceivedExtraInfo`` for the
responses that set cookies) and closes popups at once. :func:`collect` turns it, the cookie
jar and each frame's storage into the phase's lists, bounded in size.
"""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import BrowserContext, Page, Request, Route
from playwright.sync_api import Error as PlaywrightError

from cmp.scan import probes
from cmp.scan.domains import host_of, registrable
from cmp.scan.observe import (
    chain_of,
    cookie_view,
    initiator_url,
    is_cmp,
    request_view,
    written_by,
)  # fmt: skip

#: Requests listed per phase: at most this many per host and in all (a page sending
#: thousands keeps its report readable); ``omitted`` counts the rest.
MAX_PER_HOST = 20
MAX_REQUESTS = 500
#: Requests remembered per phase at all (the scanner's memory), beyond which they are
#: only counted.
MAX_SEEN = 5000
#: Longest storage key kept (a page may use a megabyte as a key).
MAX_NAME = 400
#: Why Chromium refuses a cookie only because it is a third party's: a visitor's browser
#: that allows third-party cookies (Chrome's default outside incognito) stores it.
THIRD_PARTY_BLOCKS = {"UserPreferences", "ThirdPartyPhaseout", "ThirdPartyBlockedInFirstPartySet"}
#: cmp's API (:func:`~cmp.scan.observe.is_cmp_api`) as a Playwright URL glob.
CMP_API_GLOB = "**/api/v1/sites/**"
#: Blocked third-party cookies remembered per phase.
MAX_BLOCKED = 500


def left(deadline: float) -> float:
    """Seconds to ``deadline`` (at least a tenth: Playwright needs a positive timeout)."""
    return max(0.1, deadline - time.monotonic())


class Recorder:
    """Every request of one context, with initiators from the DevTools protocol, and the
    responses that set cookies."""

    def __init__(self, context: BrowserContext, page: Page) -> None:
        self.requests: list[tuple[Request, bool]] = []
        self.unlisted = 0
        self.initiators: dict[str, dict[str, Any]] = {}
        self.urls: dict[str, str] = {}
        self.header_cookies: dict[str, str] = {}
        self.blocked: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
        self.inflight: set[Request] = set()
        self.last = time.monotonic()
        self.after = False
        context.on("request", self._start)
        context.on("requestfinished", self._end)
        context.on("requestfailed", self._end)
        # A popup (window.open) is closed at once: its request is seen, a loop of them
        # cannot fill the machine with pages.
        context.on("page", lambda p: p.close() if p is not page else None)
        cdp = context.new_cdp_session(page)
        cdp.on("Network.requestWillBeSent", self._cdp)
        cdp.on("Network.responseReceivedExtraInfo", self._set_cookie)
        cdp.send("Network.enable")
        context.add_init_script(probes.INIT_SCRIPT)

    def as_scanner(self, context: BrowserContext, agent: str) -> None:
        """From now on, requests to cmp's API carry ``agent``: the banner's decisions reach
        it as the scanner's, not a visitor's; the page and every tag still meet the
        browser's own agent. Called just before the click, so the page's load is not
        routed (Playwright then intercepts every request of the context)."""
        # A glob, not a function: Playwright matches it in its driver, so no other request
        # waits for this process (a page sending thousands of pixels).
        context.route(CMP_API_GLOB, lambda route: _as_scanner(route, agent))

    def _cdp(self, event: dict[str, Any]) -> None:
        url = event["request"]["url"]
        self.urls[event.get("requestId", "")] = url  # a redirect reuses the id: the last hop
        self.initiators.setdefault(url, event.get("initiator") or {})

    def _set_cookie(self, event: dict[str, Any]) -> None:
        headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
        url = self.urls.get(event.get("requestId", ""), "")
        for line in str(headers.get("set-cookie", "")).split("\n"):
            name = line.split(";", 1)[0].split("=", 1)[0].strip()
            if name and url:
                self.header_cookies.setdefault(name, url)
        # The scanner's fresh contexts are incognito ones, where Chromium blocks third-party
        # cookies; DevTools still reports each refused Set-Cookie, parsed, with the reason.
        for blocked in event.get("blockedCookies") or []:
            cookie = blocked.get("cookie")
            reasons = set(blocked.get("blockedReasons") or [])
            if cookie and url and reasons and reasons <= THIRD_PARTY_BLOCKS:
                key = (str(cookie.get("name", "")), str(cookie.get("domain", "")))
                if len(self.blocked) < MAX_BLOCKED:
                    self.blocked.setdefault(key, (cookie, url))

    def _start(self, request: Request) -> None:
        if len(self.requests) < MAX_SEEN:
            self.requests.append((request, self.after))
        else:
            self.unlisted += 1
        self.inflight.add(request)
        self.last = time.monotonic()

    def _end(self, request: Request) -> None:
        self.inflight.discard(request)
        self.last = time.monotonic()

    def settle(self, page: Page, quiet_for: float, most: float, deadline: float) -> None:
        """Wait until no request started or ended for ``quiet_for`` seconds and no short
        timer of the page is pending (at most ``most`` seconds, never past ``deadline``)."""
        stop = min(deadline, time.monotonic() + most)
        while time.monotonic() < stop:
            quiet = time.monotonic() - self.last >= quiet_for
            if quiet and not self.inflight and not self._timers(page, stop):
                return
            page.wait_for_timeout(50)

    def _timers(self, page: Page, stop: float) -> int:
        try:
            return int(probes.read(page.main_frame, probes.TIMERS, left(stop)) or 0)
        except probes.Unresponsive:
            raise
        except (PlaywrightError, TypeError, ValueError):
            return 0  # the page navigated meanwhile: nothing to wait for


def collect(
    context: BrowserContext,
    page: Page,
    rec: Recorder,
    final: str,
    status: int,
    banner: bool,
    phase: str,
    deadline: float,
) -> dict[str, Any]:
    """What the phase saw: third-party requests (after the click for rejected/accepted),
    ``omitted`` (requests not listed), cookies and storage keys with who wrote them, the
    page's links (before only) and cmp's own hosts."""
    site = registrable(host_of(final))
    images: list[list[str]] = []
    writes: dict[tuple[str, str], str] = {}
    try:
        notes = probes.read(page.main_frame, probes.NOTES, left(deadline))
        images = notes.get("images") or []
        for area, key, script in notes.get("writes") or []:
            writes.setdefault((area, key), script)
    except probes.Unresponsive:
        raise
    except (PlaywrightError, AttributeError, TypeError, ValueError):
        pass  # a page that navigated or replaced JSON: initiators from DevTools only
    for url, script in images:
        known = rec.initiators.get(url)
        if script and (known is None or known.get("type") == "parser" or not initiator_url(known)):
            rec.initiators[url] = {"type": "script", "url": script}
    cmp_hosts = sorted({host_of(r.url) for r, _ in rec.requests if is_cmp(r.url)})
    requests, per_host, omitted = [], {}, rec.unlisted
    for request, after in rec.requests:
        if phase != "before" and not after:
            continue
        host = host_of(request.url)
        if not host or registrable(host) == site or host in cmp_hosts:
            continue
        per_host[host] = per_host.get(host, 0) + 1
        if per_host[host] > MAX_PER_HOST or len(requests) >= MAX_REQUESTS:
            omitted += 1
            continue
        chain = chain_of(request.url, rec.initiators, _frame_url(request))
        requests.append(request_view(request.url, request.resource_type, request.method, chain))
    now = time.time()
    cookies = []
    jar = context.cookies()
    for c in jar:
        setter = writes.get(("cookie", c["name"])) or rec.header_cookies.get(c["name"])
        cookies.append({**cookie_view(c, site, now), **written_by(setter, rec.initiators)})
    stored = {(c["name"], c["domain"]) for c in jar}
    for (name, domain), (c, url) in rec.blocked.items():
        if (name, domain) not in stored:
            view = {**cookie_view(c, site, now), "stored": False}
            cookies.append({**view, **written_by(url, rec.initiators)})
    storage: list[dict[str, Any]] = []
    for frame in page.frames:
        try:
            origin, keys = probes.read(frame, probes.STORAGE, min(2.0, left(deadline)))
        except (PlaywrightError, probes.Unresponsive, TypeError, ValueError):
            continue  # a frame that is gone, blocked or stuck: its keys are not read
        for area, key in keys:
            key = str(key)[:MAX_NAME]
            who = written_by(writes.get((area, key)), rec.initiators)
            storage.append({"area": area, "key": key, "origin": origin, **who})
    links: list[str] = []
    if phase == "before":
        try:
            links = [str(u) for u in probes.read(page.main_frame, probes.LINKS, left(deadline))]
        except (PlaywrightError, TypeError, ValueError):
            links = []
    return {
        "final_url": final,
        "status": status,
        "banner": banner,
        "links": links,
        "cmp_hosts": cmp_hosts,
        "requests": requests,
        "omitted": omitted,
        "cookies": cookies,
        "storage": _unique(storage),
    }


def _as_scanner(route: Route, agent: str) -> None:
    """Send a request to cmp's API with the scanner's User-Agent."""
    try:
        route.continue_(headers={**route.request.all_headers(), "user-agent": agent})
    except PlaywrightError:
        pass  # the page went away meanwhile: nothing to send


def _frame_url(request: Request) -> str:
    try:
        return request.frame.url
    except PlaywrightError:
        return ""


def _unique(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[tuple[str, ...]] = set()
    out = []
    for item in items:
        key = (item["area"], item["key"], item["origin"])
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out
