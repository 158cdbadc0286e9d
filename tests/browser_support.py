"""Helpers and fixtures for the banner's browser tests (headless Debian Chromium via Playwright).

``test_banner.py`` pulls the fixtures in with ``pytest_plugins``. One browser per module,
a new context (fresh cookies and localStorage) per test. The pages record every request,
Content Security Policy violation and layout shift, so tests can check what left the page.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, Request

#: Requests that only consent may cause: the sample tags, their beacon, the blocked iframe.
NON_ESSENTIAL = re.compile(r"/demo/(tags/|pixel|frame)")
TIMEOUT_MS = 10_000

#: Collects CSP violations and layout shifts from the first script that runs on a page.
RECORDER = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI);
});
window.__cls = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (!e.hadRecentInput) window.__cls += e.value;
}).observe({type: 'layout-shift', buffered: true});
"""

#: Makes the page see Global Privacy Control as a browser that sends it would.
GPC_ON = """
Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {
  get() { return true; }, configurable: true
});
"""


@dataclass
class Visit:
    """A browser context and its page, with every request the page made."""

    context: BrowserContext
    page: Page
    base: str
    requests: list[str] = field(default_factory=list)

    def goto(self, path: str = "/demo") -> None:
        """Open ``path`` of the cmp server (or a full URL)."""
        url = path if path.startswith("http") else self.base + path
        self.page.goto(url)

    @property
    def dialog(self) -> Locator:
        """The banner's dialog (in its open shadow root)."""
        return self.page.locator("cmp-banner dialog")

    def wait_banner(self) -> Locator:
        """Wait until the banner is open and return its dialog."""
        dialog = self.page.locator("cmp-banner dialog[open]")
        dialog.wait_for(state="visible")
        return dialog

    def banner_open(self) -> bool:
        """True if a banner dialog is open now."""
        return bool(self.page.evaluate(OPEN_DIALOGS) > 0)

    def non_essential(self) -> list[str]:
        """The requests so far that only consent may cause."""
        return [url for url in self.requests if NON_ESSENTIAL.search(url)]

    def cookies(self) -> dict[str, str]:
        """The page's cookies by name."""
        return {c["name"]: c["value"] for c in self.context.cookies()}

    def consent_cookie(self) -> dict[str, Any] | None:
        """The parsed ``cmp_consent`` cookie, or None."""
        raw = self.cookies().get("cmp_consent")
        return parse_consent_cookie(raw) if raw else None

    def wait_until(self, expression: str, arg: Any = None) -> Any:
        """Poll a JS expression (or function of ``arg``) until truthy; return its value.

        Polled from Python with ``evaluate`` rather than ``wait_for_function``, whose in-page
        polling evaluates strings and so breaks on pages whose CSP forbids eval.
        """
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while True:
            value = self.page.evaluate(expression, arg)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for: {expression.strip()[:200]}")
            self.page.wait_for_timeout(50)

    def wait_stored(self) -> dict[str, Any]:
        """Wait until the decision reached the server (visitor id in the cookie, queue empty)."""
        self.wait_until(STORED)
        cookie = self.consent_cookie()
        assert cookie is not None
        return cookie

    def tags(self) -> list[str]:
        """The sample tags that ran on the current page."""
        return list(self.page.evaluate("window.demoTags || []"))

    def wait_tags(self, *names: str) -> None:
        """Wait until each named sample tag has run."""
        ran = "(names) => names.every((t) => (window.demoTags || []).includes(t))"
        self.wait_until(ran, list(names))

    def consent_mode(self) -> list[dict[str, Any]]:
        """The dataLayer's Consent Mode commands, each with whether it is an Arguments object."""
        return list(self.page.evaluate(CONSENT_MODE))

    def events(self, name: str) -> list[dict[str, Any]]:
        """The dataLayer's plain-object events called ``name``."""
        return list(
            self.page.evaluate(
                "(n) => window.dataLayer.filter((e) => e && e.event === n)"
                ".map((e) => JSON.parse(JSON.stringify(e)))",
                name,
            )
        )

    def csp_violations(self) -> list[str]:
        """Every securitypolicyviolation event seen on the page."""
        return list(self.page.evaluate("window.__csp"))

    def focused(self) -> str:
        """A short description of the deepest focused element (through shadow roots)."""
        return str(self.page.evaluate(FOCUSED))

    def wait_focused(self, prefix: str) -> str:
        """Wait until the focused element's description starts with ``prefix`` (the settings
        layer opens once its chunk arrived, one request after the click)."""
        return str(self.wait_until(f"(p) => {FOCUSED}.startsWith(p) && {FOCUSED}", prefix))


OPEN_DIALOGS = """
[...document.querySelectorAll('cmp-banner')]
  .filter((h) => h.shadowRoot && h.shadowRoot.querySelector('dialog[open]')).length
"""

STORED = """
(() => {
  const m = document.cookie.match(/(?:^|; )cmp_consent=([^;]*)/);
  const queue = JSON.parse(localStorage.getItem('cmp_queue') || '{}');
  return m && m[1].split('~')[2] && !(queue.demo || []).length;
})()
"""

CONSENT_MODE = """
window.dataLayer
  .filter((e) => e && e[0] === 'consent')
  .map((e) => ({
    arguments: Object.prototype.toString.call(e) === '[object Arguments]',
    command: e[1],
    params: JSON.parse(JSON.stringify(e[2])),
  }))
"""

FOCUSED = """
(() => {
  let a = document.activeElement;
  while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
  if (!a) return '';
  const text = (a.textContent || '').trim().slice(0, 40);
  const box = a.type === 'checkbox' ? '[' + (a.dataset.c || a.dataset.r) + ']' : '';
  return a.localName + box + (text ? ':' + text : '');
})()
"""


def parse_consent_cookie(value: str) -> dict[str, Any]:
    """Parse ``cmp_consent`` as docs/banner.md defines it (``1~pv~vid~cats~recipients~gpc~t``)."""
    parts = value.split("~")
    assert len(parts) == 7 and parts[0] == "1", value
    return {
        "policy_version": int(parts[1]),
        "visitor_id": parts[2],
        "categories": set(filter(None, parts[3].split("+"))),
        "recipients": set(filter(None, parts[4].split("+"))),
        "gpc": parts[5] == "1",
        "decided_at": int(parts[6]),
    }


def new_visit(browser: Browser, base: str, *, gpc: bool = False, **options: Any) -> Visit:
    """Open a fresh context and page that record requests, CSP violations and layout shifts."""
    context = browser.new_context(**options)
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(RECORDER)
    if gpc:
        context.add_init_script(GPC_ON)
    page = context.new_page()
    visit = Visit(context=context, page=page, base=base)

    def record(request: Request) -> None:
        visit.requests.append(request.url)

    page.on("request", record)
    return visit


@pytest.fixture
def visit(browser: Browser, live_server: Any) -> Iterator[Visit]:
    """A fresh browser context on the live cmp server, closed after the test."""
    opened = new_visit(browser, live_server.url)
    yield opened
    opened.context.close()
