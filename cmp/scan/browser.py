"""One phase of one page in headless Chromium: load it as a new visitor and record what it did.

The only module of the scanner that touches a browser (Playwright, sync API). Each phase runs
in a fresh context (no cookies, no storage). The banner is driven through its UI: the
拒否する / 同意する buttons are found by their accessible role and name (in the banner's
open shadow root), never by the banner's internal markup. Each request gets its initiator
from the DevTools protocol (``Network.requestWillBeSent``), so a report can name the script
or element that made it and the chain of tags that led there.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from cmp.scan import probes
from cmp.scan.domains import host_of, registrable
from cmp.scan.observe import is_cmp, scanner_agent
from cmp.scan.record import Recorder, collect, left

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
#: Playwright's own defaults the scanner drops: it turns Chromium's popup blocker off, so a
#: page's ``window.open`` without a click would open a window, which a visitor's browser
#: blocks (and a ``window.open`` loop would fill the machine).
IGNORE_DEFAULT_ARGS = ["--disable-popup-blocking"]


@dataclass
class Limits:
    """Time bounds, in seconds (``settle``: quiet network before a phase counts as done;
    ``until``: the whole scan's end, a ``time.monotonic()`` value, or None)."""

    page: float = 20.0
    banner: float = 6.0
    settle: float = 0.3
    settle_max: float = 4.0
    total: float = 900.0
    until: float | None = None

    def deadline(self) -> float:
        """When a phase starting now must end: ``page`` seconds, or the scan's end."""
        return min(time.monotonic() + self.page, self.until or math.inf)


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
    """A page that cannot be scanned; ``code`` is the finding's reason, ``data`` what the
    phase saw until then (requests, cookies, storage), if anything."""

    def __init__(self, code: str, message: str, data: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.data = code, message, data


def _banner_button(page: Page, labels: Labels, which: str) -> Any:
    return page.get_by_role("button", name=labels.pattern(which)).filter(visible=True).first


def _find_banner(
    page: Page, rec: Recorder, labels: Labels, limits: Limits, deadline: float
) -> bool:
    """True once the banner's 拒否する button shows; False at once for a page that loaded
    no cmp script, else after ``limits.banner`` seconds."""
    if not any(is_cmp(r.url) for r, _ in rec.requests):
        rec.settle(page, limits.settle, limits.settle_max, deadline)
        if not any(is_cmp(r.url) for r, _ in rec.requests):
            return False
    try:
        wait = min(limits.banner, left(deadline))
        _banner_button(page, labels, "reject").wait_for(state="visible", timeout=wait * 1000)
    except PlaywrightTimeout:
        return False
    return True


def _first_line(exc: BaseException) -> str:
    """An error's first line, without Playwright's call log."""
    return str(exc).split("\n", 1)[0][:300]


def _navigate(action: Any, deadline: float) -> Any:
    """Run ``page.goto`` / ``page.reload`` until ``load`` within the phase's deadline."""
    try:
        return action(wait_until="load", timeout=left(deadline) * 1000)
    except PlaywrightTimeout as exc:
        raise PageError("timeout", "the page did not finish loading in time") from exc
    except PlaywrightError as exc:
        reason = re.search(r"net::[A-Z_]+", str(exc))
        raise PageError("unreachable", reason.group(0) if reason else _first_line(exc)) from exc


def agent_of(browser: Browser) -> str:
    """The User-Agent the scanner gives cmp's API (:func:`~cmp.scan.observe.scanner_agent`):
    this browser's own (DevTools' ``Browser.getVersion``), with ``cmp-scanbot/VERSION``."""
    from cmp import __version__

    cdp = browser.new_browser_cdp_session()
    try:
        own = str(cdp.send("Browser.getVersion").get("userAgent", ""))
    finally:
        cdp.detach()
    return scanner_agent(own, __version__)


def run_phase(
    browser: Browser, url: str, phase: str, labels: Labels, limits: Limits, agent: str = ""
) -> dict[str, Any]:
    """Load ``url`` in a fresh context and run ``phase`` (before, rejected, accepted).

    Returns ``{"final_url", "status", "banner", "links", "cmp_hosts", "requests",
    "omitted", "cookies", "storage"}``: the third-party requests (for rejected/accepted only
    those after the click), every cookie in the jar and every storage key at the end.
    ``agent`` is the User-Agent of the requests to cmp's API (the banner's decisions).
    Raises :class:`PageError` for a page that cannot be scanned, with what the phase saw
    until then when the page did load something (a page that never finishes loading, or
    whose script never yields, still shows the tags it ran)."""
    deadline = limits.deadline()
    if deadline - time.monotonic() <= 0:
        raise PageError("timeout", "the scan's time limit (--max-time) was reached")
    context = browser.new_context(locale="ja-JP", service_workers="block")
    final, status, banner = url, 0, False
    try:
        page = context.new_page()
        page.set_default_timeout(limits.page * 1000)
        rec = Recorder(context, page)
        try:
            response = _navigate(lambda **kw: page.goto(url, **kw), deadline)
            status = response.status if response is not None else 0
            final = page.url
            if status >= 400:
                raise PageError("http_status", f"HTTP {status}")
            if registrable(host_of(final)) != registrable(host_of(url)):
                raise PageError("redirect", f"redirected off-site to {final}")
            banner = _find_banner(page, rec, labels, limits, deadline)
            if phase != "before":
                if not banner:
                    raise PageError(
                        "no_banner", "no consent banner (拒否する / 同意する) on the page"
                    )
                rec.settle(page, limits.settle, limits.settle_max, deadline)
                rec.after = True
                if agent:
                    rec.as_scanner(context, agent)
                which = "reject" if phase == "rejected" else "accept"
                _banner_button(page, labels, which).click(timeout=left(deadline) * 1000)
                if phase == "rejected":
                    # What a visitor who refused meets on the next page view: the page again.
                    rec.settle(page, limits.settle, limits.settle_max, deadline)
                    _navigate(page.reload, deadline)
            rec.settle(page, limits.settle, limits.settle_max, deadline)
            if registrable(host_of(page.url)) != registrable(host_of(url)):
                raise PageError("redirect", f"moved off-site to {page.url} after loading")
            return collect(context, page, rec, final, status, banner, phase, deadline)
        except probes.Unresponsive as exc:
            message = "the page stopped responding (a script that never yields)"
            raise PageError("timeout", message, _partial(context, page, rec, url, phase)) from exc
        except PageError as exc:
            if exc.code == "timeout" and exc.data is None and page.url != "about:blank":
                exc.data = _partial(context, page, rec, final, phase)
            raise
        except PlaywrightTimeout as exc:
            raise PageError(
                "timeout", _first_line(exc), _partial(context, page, rec, final, phase)
            ) from exc
        except PlaywrightError as exc:
            raise PageError("browser", _first_line(exc)) from exc
    finally:
        context.close()


def _partial(
    context: BrowserContext, page: Page, rec: Recorder, url: str, phase: str
) -> dict[str, Any] | None:
    """What a phase that stopped early saw (requests, cookies; storage if the page still
    answers), or None when even that cannot be read."""
    try:
        data = collect(context, page, rec, url, 0, False, phase, time.monotonic() + 1.0)
    except (PlaywrightError, probes.Unresponsive):
        return None
    return {k: data[k] for k in ("requests", "omitted", "cookies", "storage")}
