"""Observations as the report holds them: requests with their initiator chain, cookies.

Pure functions over what the browser module hands over (DevTools initiators, Playwright's
cookie dicts), so they are tested without a browser.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from cmp.scan.domains import host_of, registrable

#: Longest chain kept (a loop or a runaway loader cannot grow a report without bound).
MAX_CHAIN = 12
MAX_URL = 400


def is_cmp(url: str) -> bool:
    """True for cmp's own script and API (``…/cmp.js``, ``…/api/v1/sites/…``)."""
    path = url.split("?", 1)[0]
    return path.endswith("/cmp.js") or is_cmp_api(url)


def is_cmp_api(url: str) -> bool:
    """True for cmp's API (``…/api/v1/sites/…``): where the banner records decisions."""
    return "/api/v1/sites/" in url.split("?", 1)[0]


def scanner_agent(browser_agent: str, version: str) -> str:
    """The User-Agent the scanner sends to cmp's API only: the browser's own, then
    ``cmp-scanbot/VERSION``. ua-parser files it as a bot (device "Spider"), so the
    decisions the scanner makes through the banner count only under "bots" in the
    statistics, and their receipts name the agent (``cmp-scanbot 0.1.0``)."""
    return f"{browser_agent} cmp-scanbot/{version}".strip()


def initiator_url(initiator: dict[str, Any] | None) -> str | None:
    """The URL of the document or script that made a request, from a DevTools initiator:
    its ``url`` (parser, preload), else the first frame with a URL of its stack (script),
    following async parents (a request made in a timer or a promise)."""
    if not initiator:
        return None
    if initiator.get("url"):
        return str(initiator["url"])
    stack = initiator.get("stack")
    while stack:
        for frame in stack.get("callFrames", []):
            if frame.get("url"):
                return str(frame["url"])
        stack = stack.get("parent")
    return None


def chain_of(url: str, initiators: dict[str, dict[str, Any]], frame: str = "") -> list[str]:
    """The chain of documents and scripts that led to ``url``, root (the page) first.

    ``initiators`` maps each request URL to its DevTools initiator; ``frame`` is the URL of
    the frame that made the request, used when DevTools did not see it (a cross-site
    iframe runs in its own process)."""
    chain: list[str] = []
    seen, current = {url}, url
    while len(chain) < MAX_CHAIN:
        parent = initiator_url(initiators.get(current))
        if parent is None and current == url and url not in initiators and frame:
            parent = frame
        if parent is None or parent in seen:
            break
        chain.append(parent)
        seen.add(parent)
        current = parent
    return chain[::-1]


def tag_of(url: str, kind: str, chain: list[str]) -> str | None:
    """Which tag started a request: the first script of its chain below the page that is not
    cmp's (the loader, for what a tag manager loaded), else the request itself when it is a
    script, else the page (an inline script or element)."""
    for candidate in chain[1:]:
        if not is_cmp(candidate):
            return candidate
    if kind == "script":
        return url
    return chain[0] if chain else None


def _short(url: str) -> str:
    return url if len(url) <= MAX_URL else url[: MAX_URL - 1] + "…"


def request_view(url: str, kind: str, method: str, chain: list[str]) -> dict[str, Any]:
    """One third-party request as the report lists it."""
    parts = urlsplit(url)
    host = host_of(url)
    beacon = None
    if kind == "ping":
        beacon = "sendBeacon"
    elif kind == "image" and (parts.query or parts.path.endswith(".gif")):
        beacon = "pixel"
    return {
        "url": _short(url),
        "host": host,
        "domain": registrable(host),
        "path": _short(parts.path or "/"),
        "type": kind,
        "method": method,
        "beacon": beacon,
        "initiator": _short(chain[-1]) if chain else None,
        "chain": [_short(u) for u in chain],
        "tag": (lambda t: _short(t) if t else None)(tag_of(url, kind, chain)),
    }


def cookie_view(cookie: dict[str, Any], site: str, now: float) -> dict[str, Any]:
    """One cookie of the jar: its party against the page's registrable domain ``site`` and
    its lifetime in days (None for a session cookie)."""
    domain = str(cookie.get("domain", "")).lstrip(".")
    expires = float(cookie.get("expires", -1) or -1)
    session = expires < 0
    return {
        "name": cookie["name"],
        "domain": domain,
        "path": cookie.get("path", "/"),
        "party": "first" if registrable(domain) == site else "third",
        "session": session,
        "lifetime_days": None if session else round(max(0.0, expires - now) / 86400, 1),
        "http_only": bool(cookie.get("httpOnly")),
        "secure": bool(cookie.get("secure")),
        "same_site": cookie.get("sameSite", ""),
    }


def written_by(setter: str | None, initiators: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Who wrote a cookie or storage key: ``initiator`` (the script that wrote it, or the
    response whose ``Set-Cookie`` did), ``chain`` (from the page down to it) and ``tag``
    (as for a request); all None / empty when unknown (set before the scan's hooks ran)."""
    if not setter:
        return {"initiator": None, "chain": [], "tag": None}
    chain = [*chain_of(setter, initiators), setter]
    tag = tag_of(setter, "script", chain)
    return {"initiator": _short(setter), "chain": [_short(u) for u in chain],
            "tag": _short(tag) if tag else None}  # fmt: skip
