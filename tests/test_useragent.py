"""User-Agent summaries (cmp/useragent.py): real-world agents, the device rule, the cache."""

from __future__ import annotations

import pytest
from user_agents import parse as reference_parse

from bench.agents import MIX, generate, traffic
from cmp import useragent
from cmp.receipts import ua_summary

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
BLINK = "AppleWebKit/537.36 (KHTML, like Gecko)"
WEBKIT = "AppleWebKit/605.1.15 (KHTML, like Gecko)"
WIN = "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"
MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)"
WEBVIEW = f"{BLINK} Version/4.0 Chrome/131.0.6778.81 Mobile Safari/537.36"

# (User-Agent as real clients send it, browser, os, device kind)
REAL_WORLD = [
    (IPHONE, "Mobile Safari 17.5", "iOS 17.5.1", "mobile"),
    (
        f"Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) {WEBKIT} Version/16.6 Mobile/15E148 "
        "Safari/604.1",
        "Mobile Safari 16.6",
        "iOS 16.6",
        "tablet",
    ),
    (
        f"Mozilla/5.0 (Linux; Android 10; K) {BLINK} Chrome/131.0.0.0 Mobile Safari/537.36",
        "Chrome Mobile 131.0.0",
        "Android 10",
        "mobile",
    ),
    (
        f"Mozilla/5.0 (Linux; Android 13; SO-51C) {BLINK} Chrome/116.0.0.0 Mobile Safari/537.36",
        "Chrome Mobile 116.0.0",
        "Android 13",
        "mobile",
    ),
    (
        f"Mozilla/5.0 (Linux; Android 10; K) {BLINK} Chrome/131.0.0.0 Safari/537.36",
        "Chrome 131.0.0",
        "Android 10",
        "tablet",
    ),
    (
        f"Mozilla/5.0 (Linux; Android 13; SM-X710) {BLINK} Chrome/120.0.0.0 Safari/537.36",
        "Chrome 120.0.0",
        "Android 13",
        "tablet",
    ),
    (
        f"Mozilla/5.0 (Linux; Android 14; SM-S921Q) {BLINK} SamsungBrowser/25.0 "
        "Chrome/121.0.0.0 Mobile Safari/537.36",
        "Samsung Internet 25.0",
        "Android 14",
        "mobile",
    ),
    (f"{WIN} {BLINK} Chrome/131.0.0.0 Safari/537.36", "Chrome 131.0.0", "Windows 10", "pc"),
    (
        f"{WIN} {BLINK} Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86",
        "Edge 131.0.2903",
        "Windows 10",
        "pc",
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
        "Firefox 133.0",
        "Windows 10",
        "pc",
    ),
    (f"{MAC} {BLINK} Chrome/131.0.0.0 Safari/537.36", "Chrome 131.0.0", "Mac OS X 10.15.7", "pc"),
    # Safari on a Mac, and on an iPad in its default desktop mode: the same string.
    (f"{MAC} {WEBKIT} Version/18.1 Safari/605.1.15", "Safari 18.1", "Mac OS X 10.15.7", "pc"),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0",
        "Firefox 133.0",
        "Mac OS X 10.15",
        "pc",
    ),
    (
        "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
        "Firefox 133.0",
        "Ubuntu",
        "pc",
    ),
    (
        f"Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) {BLINK} Chrome/131.0.0.0 Safari/537.36",
        "Chrome 131.0.0",
        "Chrome OS 14541.0.0",
        "pc",
    ),
    (
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Googlebot 2.1",
        "Other",
        "bot",
    ),
    (
        f"Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) {BLINK} "
        "Chrome/131.0.6778.139 Mobile Safari/537.36 (compatible; Googlebot/2.1; "
        "+http://www.google.com/bot.html)",
        "Googlebot 2.1",
        "Android 6.0.1",
        "bot",
    ),
    (
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "bingbot 2.0",
        "Other",
        "bot",
    ),
    # A command-line client is no crawler (ua-parser files it under no device family).
    ("curl/8.5.0", "curl 8.5.0", "Other", "other"),
    (
        f"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) {WEBKIT} Mobile/15E148 "
        "Safari Line/14.9.0",
        "LINE 14.9.0",
        "iOS 17.5",
        "mobile",
    ),
    (
        f"Mozilla/5.0 (Linux; Android 13; SO-51C Build/TQ3A.230901.001; wv) {WEBVIEW} "
        "Line/13.21.0/IAB",
        "LINE 13.21.0",
        "Android 13",
        "mobile",
    ),
    (
        f"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) {WEBKIT} Mobile/15E148 "
        "YJApp-IOS jp.co.yahoo.ipn.appli/4.55.0",
        "Mobile Safari UI/WKWebView",
        "iOS 17.5",
        "mobile",
    ),
    (
        f"Mozilla/5.0 (Linux; Android 14; SH-53D Build/U1SL0001; wv) {WEBVIEW} "
        "YJApp-ANDROID jp.co.yahoo.android.yjtop/3.160.0",
        "Chrome Mobile WebView 131.0.6778",
        "Android 14",
        "mobile",
    ),
    (
        f"Mozilla/5.0 (Linux; Android 9; KFTRWI) {BLINK} Silk/120.3.1 like "
        "Chrome/120.0.6099.230 Safari/537.36",
        "Amazon Silk 120.3.1",
        "Android 9",
        "tablet",
    ),
    (
        "Mozilla/5.0 (Windows NT 6.2; ARM; Trident/7.0; Touch; rv:11.0; WPDesktop; Lumia 920) "
        "like Gecko",
        "IE 11.0",
        "Windows RT",
        "tablet",
    ),
]


@pytest.mark.parametrize(("agent", "browser", "os", "device"), REAL_WORLD)
def test_real_world_agents(agent: str, browser: str, os: str, device: str) -> None:
    got = ua_summary(agent)
    assert got == {"browser": browser, "os": os, "device": device, "bot": device == "bot"}


def test_no_header_is_unknown() -> None:
    assert ua_summary("") == {"browser": "", "os": "", "device": "unknown", "bot": False}


@pytest.mark.parametrize(
    ("args", "kind"),
    [
        (("x", "Other", "Other", "", "Spider"), "bot"),
        (("x", "Mobile Safari", "iOS", "16.6", "iPad"), "tablet"),
        (("x Mobile Safari/537.36", "Chrome Mobile", "Android", "14", "K"), "mobile"),
        (("x Safari/537.36", "Chrome", "Android", "14", "K"), "tablet"),
        (("x", "Firefox Mobile", "Android", "14", "Generic"), "mobile"),
        (("x", "Mobile Safari", "iOS", "17.5", "iPhone"), "mobile"),
        (("Windows NT 10.0", "Chrome", "Windows", "10", "Other"), "pc"),
        (("x", "IE", "Windows", "RT", "Other"), "tablet"),
        (("x", "Safari", "Mac OS X", "10.15.7", "Mac"), "pc"),
        (("x Silk/1.0", "Amazon Silk", "Mac OS X", "10.6.3", "Other"), "other"),
        (("X11; Linux x86_64", "Firefox", "Linux", "", "Other"), "pc"),
        (("curl/8.5.0", "curl", "Other", "", "Other"), "other"),
    ],
)
def test_device_kind_rules(args: tuple[str, str, str, str, str], kind: str) -> None:
    assert useragent.device_kind(*args) == kind


def _reference(agent: str) -> dict[str, object]:
    """The summary as cmp built it with user-agents 2.2 (the package's own rules)."""
    ua = reference_parse(agent)
    kinds = [("bot", ua.is_bot), ("tablet", ua.is_tablet), ("mobile", ua.is_mobile)]
    device = next((k for k, on in [*kinds, ("pc", ua.is_pc)] if on), "other")
    return {
        "browser": f"{ua.browser.family} {ua.browser.version_string}".strip(),
        "os": f"{ua.os.family} {ua.os.version_string}".strip(),
        "device": device,
        "bot": bool(ua.is_bot),
    }


def test_same_summaries_as_user_agents_on_generated_traffic() -> None:
    agents = generate(400, seed=7) + [a for a, *_ in REAL_WORLD]
    differ = [a for a in agents if useragent.parse(a) != _reference(a)]
    assert differ == []


def test_cache_is_bounded_and_keyed_by_the_parsed_prefix() -> None:
    long = IPHONE + " x" * 1000
    assert ua_summary(long) == ua_summary(long[: useragent.MAX_LENGTH])
    for n in range(useragent.CACHE_SIZE + 50):
        ua_summary(f"{IPHONE} n{n}")
    info = useragent._cached.cache_info()
    assert info.maxsize == useragent.CACHE_SIZE and info.currsize <= useragent.CACHE_SIZE
    first = ua_summary(IPHONE)
    first["device"] = "changed"
    assert ua_summary(IPHONE)["device"] == "mobile"


def test_generated_agents_are_distinct_and_cover_every_kind() -> None:
    agents = generate(3000)
    assert len(set(agents)) == 3000 and generate(3000) == agents
    kinds = {useragent.summary(a)["device"] for a in agents}
    assert kinds == {"pc", "mobile", "tablet", "bot", "other"}
    assert len(MIX) >= 15
    sample = traffic(5000)
    assert sample == traffic(5000) and 1000 < len(set(sample)) < 5000  # popular ones repeat
