"""A third fixture shop for the scanner's second outside review (tests/test_scan_review2.py).

The operator's engineer who must write the 外部送信 notice from the scan meets what the first
two fixtures did not have:

- a YouTube video pasted in without cmp's blocking: the embed's response sets ``YSC`` and
  ``VISITOR_INFO1_LIVE`` on ``.youtube.com`` (third-party cookies, which the scanner's
  browser blocks but a visitor's browser that allows third-party cookies stores);
- a GTM container, blocked until analytics consent, that loads Yahoo!広告's ytag.js (which
  sends its beacon to ``b92.yahoo.co.jp``, a host the catalogue does not list) and a
  Ptengine tag from ``js.ptengine.jp`` that writes a first-party cookie whose name the
  catalogue does not list;
- a second page, so the scan makes four decisions through the banner (two pages, 拒否する
  and 同意する on each), which must not count as visitors' decisions.

Third-party hosts carry their real names (``--host-resolver-rules``) and are served over TLS
by the same kind of local server as the other fixtures (tests/scan_site.py).
"""

from __future__ import annotations

from cmp.model import Category, Recipient, Site
from cmp.siteconfig import publish_policy
from cmp.storage import Storage
from tests.scan_site import FixtureHandler, FixtureServer, start_servers

SITE = "ops"
SHOP = "www.ops-shop.jp"
CMP_HOST = "cmp.ops-shop.jp"
HOME = f"http://{SHOP}/"
ABOUT = f"http://{SHOP}/about"
TAG_HOSTS = (
    "www.googletagmanager.com",
    "s.yimg.jp",
    "b92.yahoo.co.jp",
    "js.ptengine.jp",
    "www.youtube.com",
    "i.ytimg.com",
)
GTM = "https://www.googletagmanager.com/gtm.js?id=GTM-OPS"
YTAG = "https://s.yimg.jp/images/listing/tool/cv/ytag.js"
PTENGINE = "https://js.ptengine.jp/ops1234.js"
YT = "https://www.youtube.com/embed/ops-video"
CMP_JS = f"http://{CMP_HOST}/cmp.js"
#: A cookie name the catalogue's Ptengine entry does not list (it lists none).
PT_COOKIE = "_pt_fixture_uid"


def page(title: str, body: str, head: str = "", links: str = "") -> str:
    """One shop page (Japanese) with cmp's banner."""
    return (
        f'<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>{title}</title>'
        f'<script src="{CMP_JS}" data-site="{SITE}"></script>{head}</head>'
        f"<body><h1>{title}</h1><nav>{links}</nav>{body}</body></html>"
    )


GTM_BLOCKED = f'<script type="text/plain" data-cmp-category="analytics" src="{GTM}"></script>'
#: Pasted in as YouTube's share dialog gives it: not blocked, it loads before any choice.
YT_FRAME = f'<iframe src="{YT}" width="560" height="315" title="紹介動画"></iframe>'

PAGES: dict[str, str] = {
    "/": page("トップ", "<p>ようこそ</p>" + YT_FRAME, GTM_BLOCKED, '<a href="/about">会社概要</a>'),
    "/about": page("会社概要", "<p>株式会社オプス</p>", "", '<a href="/">ホーム</a>'),
}

SCRIPTS: dict[tuple[str, str], str] = {
    ("www.googletagmanager.com", "/gtm.js"): f"""
[{YTAG!r}, {PTENGINE!r}].forEach(function (src) {{
  var s = document.createElement('script'); s.async = true; s.src = src;
  document.head.appendChild(s);
}});
""",
    ("s.yimg.jp", "/images/listing/tool/cv/ytag.js"): """
document.cookie = '_ycl_yjad=YJAD.1700000000.1; path=/; max-age=7776000';
navigator.sendBeacon('https://b92.yahoo.co.jp/pagead/conversion/1/?label=ops', 'cv=1');
""",
    ("js.ptengine.jp", "/ops1234.js"): f"""
document.cookie = '{PT_COOKIE}=u1; path=/; max-age=31536000';
""",
}
YT_PAGE = (
    "<!doctype html><html><body><img src='https://i.ytimg.com/vi/ops-video/hqdefault.jpg'>"
    "</body></html>"
)
YT_COOKIES = [
    "YSC=yt1; Path=/; Domain=.youtube.com; Secure; HttpOnly; SameSite=None",
    "VISITOR_INFO1_LIVE=v1; Path=/; Domain=.youtube.com; Max-Age=15552000; Secure; "
    "HttpOnly; SameSite=None",
]


def ops_site(store: Storage) -> None:
    """Register the shop: Tag Manager and YouTube declared (YouTube with ``YSC``), Yahoo!広告
    and Ptengine missing from the notice; policy version 1."""
    store.put_site(Site(key=SITE, name="Ops Shop", origins=[f"http://{SHOP}"]))
    store.put_categories(
        SITE,
        [
            Category(key="essential", name={"ja": "必須", "en": "Essential"}, required=True,
                     default=True),
            Category(key="analytics", name={"ja": "アクセス解析", "en": "Analytics"}),
            Category(key="targeting", name={"ja": "広告", "en": "Advertising"}),
        ],
    )  # fmt: skip

    def rec(key: str, category: str, name: str, **declared: list[str]) -> Recipient:
        return Recipient(key=key, category=category, name={"ja": name, "en": key},
                         service={"ja": name, "en": key}, items={"ja": ["閲覧履歴"]},
                         purpose={"ja": "分析"}, recipient_purpose={"ja": "分析"},
                         **declared)  # fmt: skip

    store.put_recipients(
        SITE,
        [
            rec("gtm", "analytics", "グーグル（タグマネージャー）",
                hosts=["www.googletagmanager.com/gtm.js"]),
            rec("youtube", "targeting", "グーグル（YouTube）",
                hosts=["www.youtube.com", "ytimg.com"], cookies=["YSC"]),
        ],
    )  # fmt: skip
    publish_policy(store, SITE, "初版", bump=False)


class _Handler(FixtureHandler):
    def do_GET(self) -> None:
        host = (self.headers.get("Host") or "").split(":")[0]
        path = self.path.split("?", 1)[0]
        html = "text/html; charset=utf-8"
        if host == SHOP and path in PAGES:
            return self._send(200, PAGES[path].encode(), html)
        if host == "www.youtube.com" and path.startswith("/embed/"):
            return self._send(200, YT_PAGE.encode(), html, [("Set-Cookie", c) for c in YT_COOKIES])
        return self._tag(host, path, SCRIPTS, TAG_HOSTS)


def start_ops() -> FixtureServer:
    """Start the fixture server on two free ports."""
    return start_servers(_Handler, plain=(SHOP,), tls=TAG_HOSTS, cmp_host=CMP_HOST)
