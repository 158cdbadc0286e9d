"""User-Agent summaries for receipts: ua-parser 1.x and its native accelerator, our device rules.

A receipt keeps a summary of the client, never the raw header: browser family and version,
OS family and version, the kind of device (``pc``, ``mobile``, ``tablet``, ``bot``, ``other``;
``unknown`` without a header) and a bot flag. The families come from ua-parser's own API
(the uap-core rules, matched by ``ua-parser-rs`` when it is installed, which it is by our
dependencies): a never-seen agent costs about 20 µs of CPU there, against about 0.6 ms
through the legacy ``user_agent_parser`` API that ``user-agents`` 2.2 calls
(``python -m bench.profile_ua``).

ua-parser names families; it does not say what kind of device a string is. That rule is
:func:`device_kind`, a pure function of the families and the string (the kinds
``user-agents`` used to give us, which tests check on real-world agents).

Summaries are cached per process in an LRU of :data:`CACHE_SIZE` entries keyed by the first
:data:`MAX_LENGTH` characters of the header, so memory stays bounded whatever agents arrive.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import ua_parser
from ua_parser import Domain

#: Characters of the header that are parsed (and key the cache); real agents are shorter.
MAX_LENGTH = 512
#: Summaries kept per process: about 0.6 kB each with their key, so under 5 MB. Over
#: 50,000 draws of bench/agents.py (13,731 distinct agents) an LRU of 4,096 parsed 21% of
#: decisions' agents again, one of 8,192 13% (~25 µs each).
CACHE_SIZE = 8192

UNKNOWN: dict[str, Any] = {"browser": "", "os": "", "device": "unknown", "bot": False}

# Device families (ua-parser's names) that settle the kind on their own. ua-parser files
# every crawler under the device family "Spider".
_BOT_DEVICES = frozenset({"Spider"})
_TABLET_DEVICES = frozenset(
    {"iPad", "Kindle", "Kindle Fire", "Kindle Fire HD", "Galaxy Tab", "Xoom", "Dell Streak"}
    | {"BlackBerry Playbook", "Blackberry Playbook"}
)
_PHONE_DEVICES = frozenset(
    {"iPhone", "iPod", "iOS-Device", "Generic Smartphone", "Generic Feature Phone"}
    | {"PlayStation Vita"}
)
_PHONE_BROWSERS = frozenset(
    {"Chrome Mobile", "Chrome Mobile WebView", "Chrome Mobile iOS"}
    | {"Opera Mobile", "Opera Mini", "IE Mobile"}
)
_PHONE_OSES = frozenset(
    {"Android", "Firefox OS", "BlackBerry OS", "Windows Phone", "Windows Phone OS"}
    | {"Windows Mobile", "Windows CE", "Symbian OS", "Bada", "Maemo"}
)
# Substrings of the header that mark a phone whatever the families say (old J2ME phones).
_PHONE_MARKS = ("J2ME", "MIDP", "iPhone;")


def _is_tablet(ua: str, browser: str, os: str, os_version: str, device: str) -> bool:
    if device in _TABLET_DEVICES:
        return True
    if os == "Android":
        # Android tablets' browsers leave "Mobile" out; Firefox says so in its family.
        return "Mobile Safari" not in ua and browser != "Firefox Mobile"
    if os == "Firefox OS":
        return "Mobile" not in browser
    return os == "Windows" and os_version.startswith("RT")


def _is_phone(ua: str, browser: str, os: str, device: str) -> bool:
    return (
        device in _PHONE_DEVICES
        or browser in _PHONE_BROWSERS
        or os in _PHONE_OSES
        or any(mark in ua for mark in _PHONE_MARKS)
    )


def _is_pc(ua: str, os: str, os_version: str) -> bool:
    if "Windows NT" in ua or (os == "Windows" and os_version in ("95", "98", "ME")):
        return True
    if os == "Mac OS X":
        return "Silk" not in ua  # Amazon's Silk asks for desktop pages as a Mac
    if os == "Solaris" or "Chrome OS" in os:
        return True
    return "Linux" in ua and "X11" in ua and "Maemo" not in ua


def device_kind(ua: str, browser: str, os: str, os_version: str, device: str) -> str:
    """Return ``bot``, ``tablet``, ``mobile``, ``pc`` or ``other`` for a parsed agent.

    ``browser``, ``os`` and ``device`` are ua-parser's family names (``"Other"`` when
    nothing matched), ``os_version`` the OS version as in the summary, ``ua`` the header.
    The first rule that holds wins, in the order of the kinds above.
    """
    if device in _BOT_DEVICES:
        return "bot"
    if _is_tablet(ua, browser, os, os_version, device):
        return "tablet"
    if _is_phone(ua, browser, os, device):
        return "mobile"
    if _is_pc(ua, os, os_version):
        return "pc"
    return "other"


def _version(*parts: str | None) -> str:
    """``major.minor.patch`` as far as known, numbers without leading zeros ("05" -> "5")."""
    return ".".join(
        str(int(p)) if p.isascii() and p.isdigit() else p for p in parts if p is not None
    )


def _build_resolver() -> Any:
    """ua-parser's best resolver over its built-in rules, without a cache of its own
    (:func:`summary` caches finished summaries instead)."""
    native = ua_parser.RegexResolver or ua_parser.Re2Resolver
    rules = ua_parser.load_lazy_builtins() if native else ua_parser.load_builtins()
    return ua_parser.BestAvailableResolver(rules)


# Built on import (~0.1 s, ~25 MB of compiled rules): `cmp serve` imports the app in
# gunicorn's master before it forks, so the workers share these pages copy-on-write instead
# of each building its own on its first decision (a forked child that parses 2,000 agents
# keeps 9 MB private instead of 31).
_RESOLVER = _build_resolver()


def resolver() -> Any:
    """The process's ua-parser resolver (``resolver()(ua, Domain.ALL)`` parses)."""
    return _RESOLVER


def parse(user_agent: str) -> dict[str, Any]:
    """Summarise a User-Agent header without the cache (see :func:`summary`)."""
    if not user_agent:
        return dict(UNKNOWN)
    found = resolver()(user_agent, Domain.ALL)
    agent = found.user_agent or ua_parser.UserAgent()
    system = found.os or ua_parser.OS()
    device = (found.device or ua_parser.Device()).family
    os_version = _version(system.major, system.minor, system.patch)
    browser = f"{agent.family} {_version(agent.major, agent.minor, agent.patch)}".strip()
    kind = device_kind(user_agent, agent.family, system.family, os_version, device)
    return {
        "browser": browser,
        "os": f"{system.family} {os_version}".strip(),
        "device": kind,
        "bot": kind == "bot",
    }


@lru_cache(maxsize=CACHE_SIZE)
def _cached(user_agent: str) -> dict[str, Any]:
    return parse(user_agent)


def summary(user_agent: str) -> dict[str, Any]:
    """Summarise a User-Agent header (its first :data:`MAX_LENGTH` characters), cached.

    Returns a new dict each time: ``browser``, ``os``, ``device`` and ``bot``.
    """
    return dict(_cached(user_agent[:MAX_LENGTH]))
