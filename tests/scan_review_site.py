"""A second fixture shop for the scanner review: a Japanese operator's site as it really is.

The third-party hosts carry their real names (``--host-resolver-rules``, TESTING.md) and are
served over TLS by one local server that answers by the Host header. What the shop has:

- ``/``: a GTM container blocked until analytics consent that injects GA4, the Meta pixel,
  Yahoo!広告's ytag.js and the LINE Tag (cookies, pixels, beacons); a YouTube iframe blocked
  until targeting consent; a tag that fires only after 同意する;
- ``/campaign``: what a campaign page pastes in without cmp's blocking: a Meta pixel
  ``<img>``, a YouTube iframe, a tag that writes ``_ga`` through ``document.cookie`` after
  a delay, a ``sendBeacon`` to an ad host nobody knows, localStorage writes;
- hostile pages: a script that never yields (``/busy``), a ``window.open`` loop
  (``/popups``), thousands of requests and keys (``/flood``), an endless redirect
  (``/loop``), hostile names (``/xss``), a page that moves off-site after loading
  (``/wander``);
- the apex ``review-shop.jp`` redirecting to ``www.review-shop.jp``.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from cmp.model import Category, Recipient, Site
from cmp.siteconfig import publish_policy
from cmp.storage import Storage
from tests.scan_site import FixtureHandler, FixtureServer, start_servers

SHOP = "www.review-shop.jp"
APEX = "review-shop.jp"
CMP_HOST = "cmp.review-shop.jp"
ELSEWHERE = "www.elsewhere-site.com"
TAG_HOSTS = (
    "www.googletagmanager.com",
    "region1.google-analytics.com",
    "connect.facebook.net",
    "www.facebook.com",
    "s.yimg.jp",
    "b92.yahoo.co.jp",
    "d.line-scdn.net",
    "tr.line.me",
    "www.youtube.com",
    "i.ytimg.com",
    "log.unknown-ads.example",
)
HOME = f"http://{SHOP}/"
GTM = "https://www.googletagmanager.com/gtm.js?id=GTM-REVIEW"
GTAG = "https://www.googletagmanager.com/gtag/js?id=G-REVIEW"
FBEVENTS = "https://connect.facebook.net/en_US/fbevents.js"
YTAG = "https://s.yimg.jp/images/listing/tool/cv/ytag.js"
LT = "https://d.line-scdn.net/n/line_tag/public/release/v1/lt.js"
YT = "https://www.youtube.com/embed/dQw4w9WgXcQ"
CMP_JS = f"http://{CMP_HOST}/cmp.js"
#: A name a hostile page gives its cookie, storage key and title.
EVIL = "</code><script>alert(1)</script>"


def page(title: str, body: str, head: str = "", links: str = "", banner: bool = True) -> str:
    """One shop page (Japanese), with cmp's banner unless ``banner`` is False."""
    script = f'<script src="{CMP_JS}" data-site="review"></script>' if banner else ""
    return (
        f'<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>{title}</title>'
        f"{script}{head}</head><body><h1>{title}</h1><nav>{links}</nav>{body}</body></html>"
    )


NAV = (
    '<a href="/products">商品</a> <a href="/campaign">キャンペーン</a>'
    ' <a href="/about">会社概要</a>'
    ' <a href="mailto:info@review-shop.jp">お問い合わせ</a> <a href="tel:0312345678">電話</a>'
    ' <a href="javascript:void(0)">メニュー</a> <a href="#top">上へ</a>'
)
GTM_BLOCKED = f'<script type="text/plain" data-cmp-category="analytics" src="{GTM}"></script>'
YT_BLOCKED = (
    f'<iframe data-cmp-category="targeting" data-src="{YT}" width="560" height="315" '
    'title="動画"></iframe>'
)
#: A tag that must run only after 同意する: an inline script cmp keeps blocked until then.
AFTER_CONSENT = (
    '<script type="text/plain" data-cmp-category="targeting">'
    "navigator.sendBeacon('https://tr.line.me/tag.gif?e=consented', 'x');</script>"
)
CAMPAIGN = (
    '<img src="https://www.facebook.com/tr?id=42&ev=PageView&noscript=1" width="1" height="1"'
    ' alt="">'
    f'<iframe src="{YT}" width="560" height="315" title="動画"></iframe>'
    "<script>setTimeout(function(){document.cookie="
    "'_ga=GA1.1.123.456; path=/; max-age=63072000';}, 1500);"
    "navigator.sendBeacon('https://log.unknown-ads.example/c?u=1', 'v');"
    "localStorage.setItem('_fbq_event', '1');</script>"
)
BUSY = "<script>setTimeout(function(){ for (;;) {} }, 200);</script>"
POPUPS = "<script>setInterval(function(){ window.open('/popups?' + Math.random()); }, 30);</script>"
FLOOD = (
    "<script>for (var i = 0; i < 3000; i++) {"
    "new Image().src = 'https://b92.yahoo.co.jp/p?i=' + i;"
    "localStorage.setItem('k' + i, '1'); }</script>"
)
_EVIL_JS = EVIL.replace("</", "<\\/")  # the same name, inside a script element
XSS = (
    f"<script>document.cookie = '{_EVIL_JS}=1; path=/';"
    f"localStorage.setItem('{_EVIL_JS}', '1');"
    "localStorage.setItem('x\\u001b[2J\\nviolation  forged line', '1');</script>"
)
WANDER = (
    f"<script>setTimeout(function(){{ location.href = 'http://{ELSEWHERE}/'; }}, 300);</script>"
)

PAGES: dict[str, str] = {
    "/": page("トップ", "<p>ようこそ</p>" + YT_BLOCKED + AFTER_CONSENT, GTM_BLOCKED, NAV),
    "/products": page("商品", "<p>商品一覧</p>", GTM_BLOCKED,
                      '<a href="/products/1">商品1</a> <a href="/">ホーム</a>'),
    "/campaign": page("キャンペーン", CAMPAIGN, "", '<a href="/campaign/entry">応募</a>'),
    "/about": page("会社概要", "<p>株式会社レビュー</p>", "", '<a href="/about/access">地図</a>'),
    "/products/1": page("商品1", "<p>商品</p>"),
    "/busy": page("止まるページ", BUSY),
    "/popups": page("ポップアップ", POPUPS),
    "/flood": page("大量の通信", FLOOD),
    "/xss": page(EVIL, XSS),
    "/wander": page("よそへ行くページ", WANDER),
}  # fmt: skip

SCRIPTS: dict[tuple[str, str], str] = {
    ("www.googletagmanager.com", "/gtm.js"): f"""
window.dataLayer = window.dataLayer || [];
[{GTAG!r}, {FBEVENTS!r}, {YTAG!r}, {LT!r}].forEach(function (src) {{
  var s = document.createElement('script'); s.async = true; s.src = src;
  document.head.appendChild(s);
}});
""",
    ("www.googletagmanager.com", "/gtag/js"): """
document.cookie = '_ga=GA1.1.123.456; path=/; max-age=63072000';
document.cookie = '_ga_REVIEW=GS1.1.1700000000; path=/; max-age=63072000';
navigator.sendBeacon('https://region1.google-analytics.com/g/collect?v=2&tid=G-REVIEW', '');
""",
    ("connect.facebook.net", "/en_US/fbevents.js"): """
document.cookie = '_fbp=fb.1.1700000000.1; path=/; max-age=7776000';
new Image().src = 'https://www.facebook.com/tr/?id=42&ev=PageView';
""",
    ("s.yimg.jp", "/images/listing/tool/cv/ytag.js"): """
document.cookie = '_ycl_yjad=YJAD.1700000000.1; path=/; max-age=7776000';
navigator.sendBeacon('https://b92.yahoo.co.jp/pagead/conversion/1/?label=x', 'cv=1');
""",
    ("d.line-scdn.net", "/n/line_tag/public/release/v1/lt.js"): """
document.cookie = '__lt__cid=abc; path=/; max-age=63072000';
new Image().src = 'https://tr.line.me/tag.gif?c_t=lap&t_id=review&e=pv';
""",
}
YT_PAGE = (
    "<!doctype html><html><body><img src='https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg'>"
    "<script>localStorage.setItem('yt-remote-device-id', '1');</script></body></html>"
)


def review_site(store: Storage) -> None:
    """Register the shop: categories and the recipients an operator would have declared
    (Yahoo!広告 left out: the notice misses it), version 1."""
    store.put_site(Site(key="review", name="Review Shop",
                        origins=[f"http://{SHOP}", f"http://{APEX}"]))  # fmt: skip
    store.put_categories(
        "review",
        [
            Category(
                key="essential",
                name={"ja": "必須", "en": "Essential"},
                required=True,
                default=True,
                cookies=["shop_session"],
            ),  # fmt: skip
            Category(key="analytics", name={"ja": "分析", "en": "Analytics"}),
            Category(key="targeting", name={"ja": "広告", "en": "Advertising"}),
        ],
    )

    def rec(key: str, category: str, **declared: list[str]) -> Recipient:
        return Recipient(key=key, category=category, name={"ja": key, "en": key},
                         service={"ja": key, "en": key}, items={"ja": ["閲覧履歴"]},
                         purpose={"ja": "分析"}, recipient_purpose={"ja": "分析"},
                         **declared)  # fmt: skip

    store.put_recipients(
        "review",
        [
            rec("gtm", "analytics", hosts=["www.googletagmanager.com/gtm.js"]),
            rec("ga4", "analytics", cookies=["_ga", "_ga_*"],
                hosts=["www.googletagmanager.com/gtag/js", "google-analytics.com"]),
            rec("meta", "targeting", hosts=["connect.facebook.net", "www.facebook.com/tr"],
                cookies=["_fbp"], storage=["_fbq_*"]),
            rec("line", "targeting", hosts=["d.line-scdn.net", "tr.line.me"],
                cookies=["__lt__cid"]),
            rec("youtube", "targeting", hosts=["www.youtube.com", "ytimg.com"],
                cookies=["YSC"], storage=["yt-remote-*"]),
        ],
    )  # fmt: skip
    publish_policy(store, "review", "初版", bump=False)


@dataclass
class Hits:
    """How often each (host, path) was asked for: a hostile page's load on the server."""

    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, host: str, path: str) -> None:
        """Count one request."""
        with self.lock:
            self.counts[(host, path)] += 1


HITS = Hits()


class _Handler(FixtureHandler):
    def do_POST(self) -> None:
        HITS.add((self.headers.get("Host") or "").split(":")[0], self.path.split("?", 1)[0])
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._send(204, b"", "text/plain")

    def do_GET(self) -> None:
        host = (self.headers.get("Host") or "").split(":")[0]
        path = self.path.split("?", 1)[0]
        HITS.add(host, path)
        html = "text/html; charset=utf-8"
        if host == APEX:
            return self._send(301, b"", "text/plain", {"Location": f"http://{SHOP}{self.path}"})
        if host == SHOP and path == "/loop":
            return self._send(302, b"", "text/plain", {"Location": "/loop"})
        if host == SHOP and path == "/never":
            return time.sleep(30)  # a page that never loads (the scan gives up first)
        if host == SHOP and path in PAGES:
            cookie = {"Set-Cookie": "shop_session=s1; Path=/; HttpOnly"}
            return self._send(200, PAGES[path].encode(), html, cookie)
        if host == ELSEWHERE:
            return self._send(200, page("よそ", "", banner=False).encode(), html,
                              {"Set-Cookie": "elsewhere=1; Path=/"})  # fmt: skip
        if host == "www.youtube.com" and path.startswith("/embed/"):
            cookie = {"Set-Cookie": "YSC=yt1; Path=/; Domain=.youtube.com; Secure; SameSite=None"}
            return self._send(200, YT_PAGE.encode(), html, cookie)
        return self._tag(host, path, SCRIPTS, TAG_HOSTS)


def start_review() -> FixtureServer:
    """Start the fixture server on two free ports."""
    return start_servers(_Handler, plain=(SHOP, APEX, ELSEWHERE), tls=TAG_HOSTS, cmp_host=CMP_HOST)
