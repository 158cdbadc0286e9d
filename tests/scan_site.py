"""A fixture shop for the scanner: real third-party host names served by one local server.

Chromium maps every host (``--host-resolver-rules``) to this server's port, or the cmp host
to a real ``cmp serve``; the server answers by the Host header, so the pages run as on a
real site: cookies on real registrable domains, tags loading tags. The shop has

- a tag that leaks before consent: ``connect.facebook.net/en_US/fbevents.js`` loaded by
  Meta's snippet pasted in without cmp's blocking markup; it sets ``_fbp`` (on the parent
  domain), a localStorage key and sends a pixel to ``www.facebook.com/tr``;
- a GTM-like loader blocked until analytics consent (``www.googletagmanager.com/gtm.js``)
  that loads an undeclared tag (``s.yimg.jp``'s ytag.js), which sets ``_ycl_yjad`` and sends
  a beacon to ``b92.yahoo.co.jp``;
- a declared recipient that is gone (Criteo), a page without the banner, an essential
  first-party session cookie declared by the essential category;
- for bad input: a page that never finishes loading, a redirect off-site, a host that does
  not answer.
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cmp.model import Category, Recipient, Site
from cmp.siteconfig import publish_policy
from cmp.storage import Storage
from tests.servers import free_port

SHOP = "www.example-shop.jp"
CMP_HOST = "cmp.example-shop.jp"
DOWN = "down.example-shop.jp"
#: Served over TLS (some are HSTS-preloaded in Chromium, as on the real web).
TAG_HOSTS = (
    "connect.facebook.net",
    "www.facebook.com",
    "www.googletagmanager.com",
    "s.yimg.jp",
    "b92.yahoo.co.jp",
)
ELSEWHERE = "www.elsewhere-site.com"
TLS = Path(__file__).with_name("scan_tls")


def page(title: str, body: str, banner: bool = True, extra: str = "", nav: bool = True) -> str:
    """One shop page (Japanese), with cmp's banner unless ``banner`` is False."""
    script = f'<script src="http://{CMP_HOST}/cmp.js" data-site="shop"></script>' if banner else ""
    links = (
        '<a href="/">ホーム</a> <a href="/about">会社概要</a> <a href="/products#top">商品</a> '
        '<a href="/nobanner">お知らせ</a> <a href="/catalog.pdf">PDF</a> '
        f'<a href="http://{ELSEWHERE}/">外部</a>'
    )
    links = links if nav else ""
    return (
        f'<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>{title}</title>'
        f"{script}{extra}</head><body><h1>{title}</h1><nav>{links}</nav>{body}</body></html>"
    )


GTM = (
    '<script type="text/plain" data-cmp-category="analytics" '
    'src="https://www.googletagmanager.com/gtm.js?id=GTM-SHOP"></script>'
)
#: Meta's usual snippet, pasted into the page outside cmp's blocking: it loads fbevents.js.
LEAK = (
    "<script>(function(d){var t=d.createElement('script');t.async=true;"
    "t.src='https://connect.facebook.net/en_US/fbevents.js';d.head.appendChild(t);})(document);"
    "</script>"
)

PAGES: dict[str, str] = {
    "/": page("トップ", "<p>ようこそ</p>", extra=LEAK + GTM),
    "/about": page("会社概要", "<p>会社の情報</p>"),
    "/products": page("商品", "<p>商品一覧</p>", extra=GTM),
    "/nobanner": page("お知らせ", "<p>バナーのないページ</p>", banner=False),
    "/slow": page("遅いページ", '<img src="/never.gif" alt="">'),
}

SCRIPTS: dict[tuple[str, str], str] = {
    ("connect.facebook.net", "/en_US/fbevents.js"): """
document.cookie = '_fbp=fb.1.1700000000.123; domain=.example-shop.jp; path=/; max-age=7776000';
localStorage.setItem('_fbq_session', '1');
new Image().src = 'https://www.facebook.com/tr?id=1&ev=PageView';
""",
    ("www.googletagmanager.com", "/gtm.js"): """
window.dataLayer = window.dataLayer || [];
window.dataLayer.push({'gtm.start': Date.now(), event: 'gtm.js'});
var s = document.createElement('script');
s.src = 'https://s.yimg.jp/images/listing/tool/cv/ytag.js';
document.head.appendChild(s);
""",
    ("s.yimg.jp", "/images/listing/tool/cv/ytag.js"): """
document.cookie = '_ycl_yjad=YJAD.1700000000.abc; path=/; max-age=7776000';
navigator.sendBeacon('https://b92.yahoo.co.jp/pagead/conversion/1/?label=x', 'cv=1');
""",
}

GIF = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)


def shop_site(store: Storage) -> None:
    """Register the shop: categories, three recipients (one gone from the site), version 1."""
    store.put_site(Site(key="shop", name="Example Shop", origins=[f"http://{SHOP}"]))
    store.put_categories(
        "shop",
        [
            Category(
                key="essential",
                name={"ja": "必須", "en": "Essential"},
                required=True,
                default=True,
                cookies=["shop_session"],
            ),
            Category(key="analytics", name={"ja": "分析", "en": "Analytics"}),
            Category(key="targeting", name={"ja": "広告", "en": "Advertising"}),
        ],
    )

    def rec(key: str, category: str, name: str, **declared: list[str]) -> Recipient:
        return Recipient(
            key=key,
            category=category,
            name={"ja": name, "en": name},
            service={"ja": name, "en": name},
            items={"ja": ["閲覧履歴"]},
            purpose={"ja": "分析"},
            recipient_purpose={"ja": "分析"},
            **declared,
        )

    store.put_recipients(
        "shop",
        [
            rec("gtm", "analytics", "Google Tag Manager", hosts=["www.googletagmanager.com"]),
            rec(
                "meta",
                "targeting",
                "Meta",
                hosts=["connect.facebook.net", "www.facebook.com/tr"],
                cookies=["_fbp"],
                storage=["_fbq_*"],
            ),
            rec(
                "criteo", "targeting", "Criteo", hosts=["static.criteo.net"], cookies=["cto_bundle"]
            ),
        ],
    )
    publish_policy(store, "shop", "初版", bump=False)


class FixtureHandler(BaseHTTPRequestHandler):
    """What every scanner fixture server does alike: quiet, no caching, POSTs answered 204."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:  # quiet
        """Nothing on stderr."""

    def _send(
        self,
        status: int,
        body: bytes,
        kind: str,
        headers: dict[str, str] | list[tuple[str, str]] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in headers.items() if isinstance(headers, dict) else headers or []:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._send(204, b"", "text/plain")

    def _tag(
        self, host: str, path: str, scripts: dict[tuple[str, str], str], hosts: tuple[str, ...]
    ) -> None:
        """A tag's script, else a 1×1 GIF from a tag host (a pixel), else 404."""
        script = scripts.get((host, path))
        if script is not None:
            return self._send(200, script.encode(), "application/javascript")
        if host in hosts:
            return self._send(200, GIF, "image/gif")
        return self._send(404, b"not found", "text/plain")


class _Handler(FixtureHandler):
    def do_GET(self) -> None:
        host = (self.headers.get("Host") or "").split(":")[0]
        path = self.path.split("?", 1)[0]
        if host == SHOP and path == "/never.gif":
            time.sleep(8)  # longer than the scan's page timeout in the bad-input test
            return self._send(200, GIF, "image/gif")
        if host == SHOP and path == "/away":
            return self._send(302, b"", "text/plain", {"Location": f"http://{ELSEWHERE}/"})
        if host == SHOP and path in PAGES:
            return self._send(
                200,
                PAGES[path].encode(),
                "text/html; charset=utf-8",
                {"Set-Cookie": "shop_session=s1; Path=/; HttpOnly"},
            )
        if host == ELSEWHERE:
            return self._send(
                200, page("よそ", "", banner=False).encode(), "text/html; charset=utf-8"
            )
        return self._tag(host, path, SCRIPTS, TAG_HOSTS)


@dataclass
class FixtureServer:
    """A fixture server (plain and TLS ports) and the Chromium flags mapping its hosts:
    ``plain`` to the plain port, ``tls`` (tag hosts, some HSTS-preloaded in Chromium as on
    the real web) to the TLS one, ``cmp_host`` to ``cmp serve``, ``closed`` to a port
    nothing listens on."""

    port: int
    tls_port: int
    stop: Callable[[], None]
    plain: tuple[str, ...] = ()
    tls: tuple[str, ...] = ()
    cmp_host: str = ""
    closed: tuple[str, ...] = ()

    def chromium_args(self, cmp_port: int) -> list[str]:
        """``--host-resolver-rules=…`` and the flag that accepts the test certificate."""
        rules = [f"MAP {h} 127.0.0.1:{self.port}" for h in self.plain]
        rules += [f"MAP {h} 127.0.0.1:{self.tls_port}" for h in self.tls]
        rules += [f"MAP {self.cmp_host} 127.0.0.1:{cmp_port}"]
        rules += [f"MAP {h} 127.0.0.1:{free_port()}" for h in self.closed]
        return ["--host-resolver-rules=" + ", ".join(rules), "--ignore-certificate-errors"]


def _serve(port: int, tls: bool) -> tuple[ThreadingHTTPServer, threading.Thread]:
    server = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
    server.daemon_threads = True
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(TLS / "cert.pem", TLS / "key.pem")
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


def start_servers(handler: type[BaseHTTPRequestHandler], **hosts: Any) -> FixtureServer:
    """Serve ``handler`` on two free ports, plain and TLS (threads, so a slow image holds
    no one); ``hosts``: the :class:`FixtureServer` host fields."""
    port, tls_port = free_port(), free_port()
    running = []
    for p, tls in ((port, False), (tls_port, True)):
        server, thread = _serve(p, tls)
        server.RequestHandlerClass = handler
        running.append((server, thread))

    def stop() -> None:
        for server, thread in running:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)

    return FixtureServer(port, tls_port, stop, **hosts)


def start_shop() -> FixtureServer:
    """Start the fixture server on two free ports."""
    return start_servers(_Handler, plain=(SHOP, ELSEWHERE), tls=TAG_HOSTS, cmp_host=CMP_HOST,
                         closed=(DOWN,))  # fmt: skip
