"""Fixtures of the realistic-page tests: a real ``cmp serve``, the dealer's site, Chromium.

- ``cmp`` (session): ``cmp serve`` (gunicorn) on a SQLite store, reached by the browser as
  ``http://cmp.example:<port>``; config cache 0 s; a rate limit on (its headers are real).
- ``web`` (session): the logging server of tests/realpage/site.py for ``*.dealer.example``
  and every third party, and a hung server reached as ``cmp-hung.example``.
- ``dealer_browser``: Debian's Chromium whose resolver maps all those names to 127.0.0.1, one
  for the module (``dealer_chromium``), started afresh if it or Playwright's driver died.
- ``Dealer``: one fresh browser context (its own user agent) on the dealer's pages.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from cmp.apikeys import issue
from cmp.seed import seed_demo
from cmp.storage import Storage, open_store
from tests.browser_support import parse_consent_cookie
from tests.chromium import CHROMIUM_ARGS
from tests.live_chromium import LiveChromium
from tests.realpage.dealer import seed_dealer
from tests.realpage.site import DEALER_HOSTS, Hit, Hung, Web, start_web
from tests.serving import Serve, serve

THIRD_PARTIES = (
    "www.googletagmanager.com", "www.google-analytics.com", "connect.facebook.net",
    "www.facebook.com", "js.ptengine.jp", "cdn.treasuredata.com", "in.treasuredata.com",
    "s.yimg.jp", "b90.yahoo.co.jp", "d.line-scdn.net", "tr.line.me", "www.youtube.com",
    "px.a8.net",
)  # fmt: skip
UA = {
    "chrome_win": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/131.0.0.0 Safari/537.36",
    "chrome_mac": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, "
    "like Gecko) Chrome/130.0.0.0 Safari/537.36",
    "safari_iphone": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15"
    " (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
    "safari_mac": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, "
    "like Gecko) Version/17.5 Safari/605.1.15",
    "android": "Mozilla/5.0 (Linux; Android 14; SO-51D) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.6723.107 Mobile Safari/537.36",
    "edge": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
}
WAIT_S = 8.0


@dataclass
class Cmp:
    """The running ``cmp serve``, its store (for seeding) and an API key per site."""

    server: Serve
    store: Storage
    web: Web
    keys: dict[str, str] = field(default_factory=dict)

    @property
    def base(self) -> str:
        """cmp's origin as the browser sees it."""
        return f"http://cmp.example:{self.server.port}"

    def site(self, key: str) -> str:
        """Create the dealer site ``key`` (www. and shop. as origins) with a read/write key."""
        if key not in self.keys:
            seed_dealer(self.store, key, [self.web.origin(h) for h in DEALER_HOSTS[:2]])
            self.keys[key] = issue(self.store, key, ["read", "write"])[1]
        return key

    def api(self, method: str, path: str, site: str, body: Any = None) -> tuple[int, Any]:
        """Call cmp's keyed API for ``site``; return (status, JSON body)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.server.port}/api/v1/sites/{site}{path}",
            data=data,
            method=method,
            headers={
                "Authorization": f"Bearer {self.keys[site]}",
                "Content-Type": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"null")

    def state(self, site: str, visitor_id: str) -> dict[str, Any] | None:
        """The visitor's state through the lookup API, or None (404)."""
        status, body = self.api("GET", f"/consents/{visitor_id}", site)
        return body if status == 200 else None


def wait_for(
    check: Callable[[], Any], what: str, timeout: float = WAIT_S, page: Page | None = None
) -> Any:
    """Poll ``check`` every 50 ms until it returns something truthy; fail naming ``what``.

    With ``page`` the pause is the page's own ``wait_for_timeout``: Playwright's sync API
    delivers page events (console, requests) only while it runs, never during time.sleep.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for: {what}")
        if page is not None:
            page.wait_for_timeout(50)
        else:
            time.sleep(0.05)


@pytest.fixture(scope="session")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    """The logging server and the hung server, for the whole session."""
    site = Web()
    servers = start_web(site, tmp_path_factory.mktemp("realpage-tls"))
    hung = Hung().start()
    site.hung_base = f"http://cmp-hung.example:{hung.port}"
    site.hung = hung
    yield site
    for server in servers:
        server.shutdown()
        server.server_close()
    hung.stop()


@pytest.fixture(scope="session")
def cmp(web: Web, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cmp]:
    """A real ``cmp serve`` on SQLite, the demo site seeded with its default origins."""
    folder: Path = tmp_path_factory.mktemp("realpage-cmp")
    url = f"sqlite:///{folder / 'cmp.sqlite3'}"
    store = open_store(url)
    seed_demo(store)
    env = {"CMP_CONFIG_CACHE_SECONDS": "0", "CMP_RATE_LIMIT": "1000/minute"}
    server = serve(url, folder, workers=2, env=env)
    web.cmp_base = f"http://cmp.example:{server.port}"
    running = Cmp(server=server, store=store, web=web)
    running.site("dealer")
    running.keys["demo"] = issue(store, "demo", ["read"])[1]
    yield running
    server.stop()
    store.close()


@pytest.fixture(scope="module")
def dealer_chromium(cmp: Cmp, web: Web) -> Iterator[LiveChromium]:
    """The module's driver and Chromium; real host names resolve to the local servers."""
    names = ["*.dealer.example", *THIRD_PARTIES, "cmp.example", "cmp-hung.example"]
    rules = ", ".join(f"MAP {n} 127.0.0.1" for n in names)
    secure = ",".join(web.origin(h) for h in DEALER_HOSTS)  # as on https: cookieStore, locks
    args = [*CHROMIUM_ARGS, f"--host-resolver-rules={rules}", "--ignore-certificate-errors",
            f"--unsafely-treat-insecure-origin-as-secure={secure}"]  # fmt: skip
    with LiveChromium(args) as chromium:
        yield chromium


@pytest.fixture
def dealer_browser(dealer_chromium: LiveChromium) -> Browser:
    """The module's Chromium, started afresh first if it or its driver died."""
    return dealer_chromium.browser


@dataclass
class Dealer:
    """A visitor on the dealer's pages: a fresh context, its page, the console, the log mark."""

    context: BrowserContext
    page: Page
    web: Web
    cmp: Cmp
    site: str = "dealer"
    mark: int = 0
    console: list[tuple[str, str]] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def url(self, path: str = "/", host: str = "www.dealer.example", **query: str) -> str:
        """A dealer page URL (query: ``site`` defaults to this visitor's site)."""
        params = {"site": self.site, **query}
        return self.web.origin(host) + path + "?" + "&".join(f"{k}={v}" for k, v in params.items())

    def goto(self, path: str = "/", host: str = "www.dealer.example", **query: str) -> None:
        """Open a dealer page (waits for ``load``)."""
        self.page.goto(self.url(path, host, **query))

    def wait(self, check: Callable[[], Any], what: str, timeout: float = WAIT_S) -> Any:
        """``wait_for`` that keeps this page's events flowing while it waits."""
        return wait_for(check, what, timeout, self.page)

    def hits(self) -> list[Hit]:
        """What reached the logging server since this visitor's mark."""
        return self.web.since(self.mark)

    def third_party(self) -> list[str]:
        """``host + path`` of every third-party request since the mark."""
        return [h.host + h.path for h in self.hits() if h.host in THIRD_PARTIES]

    def requested(self, host: str, path: str = "") -> bool:
        """True if ``host`` was asked for a path starting with ``path`` since the mark."""
        return any(h.host == host and h.path.startswith(path) for h in self.hits())

    def wait_requested(self, host: str, path: str = "") -> None:
        """Wait until the logging server saw ``host`` + ``path``."""
        self.wait(lambda: self.requested(host, path), f"a request to {host}{path}")

    def settle(self) -> None:
        """Let the page go quiet (network idle) before judging what did not happen."""
        self.page.wait_for_load_state("networkidle")
        self.page.wait_for_timeout(300)

    def banner(self) -> Any:
        """The open banner dialog (waits for it)."""
        dialog = self.page.locator("cmp-banner dialog[open]")
        dialog.wait_for(state="visible")
        return dialog

    def banner_open(self) -> bool:
        """True if a banner dialog is open now."""
        return bool(self.page.locator("cmp-banner dialog[open]").count())

    def consent_cookie(self) -> dict[str, Any] | None:
        """The parsed ``cmp_consent`` cookie (with its ``domain``), or None."""
        for c in self.context.cookies():
            if c["name"] == "cmp_consent":
                return {**parse_consent_cookie(c["value"]), "domain": c["domain"]}
        return None

    def wait_stored(self, categories: set[str], policy_version: int | None = None) -> dict:
        """Wait until cmp holds this visitor's decision with ``categories`` granted."""

        def stored() -> dict[str, Any] | None:
            cookie = self.consent_cookie()
            if not cookie or not cookie["visitor_id"]:
                return None
            state = self.cmp.state(self.site, cookie["visitor_id"])
            if not state or {k for k, v in state["categories"].items() if v} != categories:
                return None
            if policy_version is not None and state["policy_version"] != policy_version:
                return None
            return state

        return self.wait(stored, f"cmp to store a decision {sorted(categories)} on {self.site}")

    def errors(self) -> list[str]:
        """Console errors written by scripts (not the browser's own network messages)."""
        own = ("Failed to load resource", "Access to fetch", "Access to XMLHttpRequest")
        return [t for kind, t in self.console if kind == "error" and not t.startswith(own)]


@pytest.fixture
def dealer(dealer_browser: Browser, cmp: Cmp, web: Web) -> Iterator[Callable[..., Dealer]]:
    """Factory: ``dealer(ua="android", site="dealer", **context_options)``; closed after."""
    opened: list[Dealer] = []

    def make(ua: str = "chrome_win", site: str = "dealer", **options: Any) -> Dealer:
        context = dealer_browser.new_context(user_agent=UA[ua], locale="ja-JP", **options)
        context.set_default_timeout(WAIT_S * 1000)
        page = context.new_page()
        visitor = Dealer(context, page, web, cmp, cmp.site(site), web.mark())
        page.on("console", lambda m: visitor.console.append((m.type, m.text)))
        page.on("request", lambda r: visitor.requests.append(r.method + " " + r.url))
        opened.append(visitor)
        return visitor

    yield make
    for visitor in opened:  # shown by pytest for a failed test only (captured output)
        print(f"--- visitor on {visitor.site}: console")
        print("\n".join(f"  {kind}: {text[:300]}" for kind, text in visitor.console))
        print("--- its requests (newest 40)")
        print("\n".join("  " + r[:200] for r in visitor.requests[-40:]))
        visitor.context.close()
