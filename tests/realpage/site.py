"""One logging HTTP server for the dealer's pages and every third party, and a hung server.

Chromium maps every host name below to 127.0.0.1 (``--host-resolver-rules``), so the page
runs as on the real web: ``www.dealer.example`` and ``shop.dealer.example`` share
``.dealer.example`` cookies, and ``connect.facebook.net`` is a third party by name. Each
request is recorded (host, path with query, method, time) before it is answered, so a test
can say exactly what left the page and when.
"""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
CMP_JS = HERE.parent.parent / "static" / "cmp.js"
DEALER_HOSTS = ("www.dealer.example", "shop.dealer.example", "campaign.dealer.example")
#: One transparent 1x1 GIF, as conversion pixels answer.
GIF = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)
#: The embeds: docs/banner.md's async and synchronous ones, and the self-hosted one (cmp.js served
#: by the site, the API on cmp named by ``data-api``, as banner/main.js documents it).
ASYNC = (
    '<script src="%CMP%/cmp.js" data-site="%SITE%" async'
    ' onload="window.__apiAtRun = window.__api()"></script>'
)
SYNC = '<script src="%CMP%/cmp.js" data-site="%SITE%"></script>'
SELF_HOSTED = '<script src="/assets/cmp.js" data-site="%SITE%" data-api="%CMP%" async></script>'
#: Each page: the parts of its <head> (files of this folder, or markup), then body.html.
PAGES = {
    "/": ["head_common.html", "api_probe.html", ASYNC, "blocked_tags.html", "other_tags.html"],
    "/sync": [SYNC, "head_common.html", "api_probe.html", "unblocked_google.html",
              "other_tags.html"],
    "/selfhost": ["head_common.html", SELF_HOSTED, "blocked_tags.html", "other_tags.html"],
}  # fmt: skip
#: Third-party paths (host, path prefix) -> stub file under tp/ (or the GIF / an HTML frame).
STUBS = {
    ("www.googletagmanager.com", "/gtag/js"): "gtag.js",
    ("www.googletagmanager.com", "/gtm.js"): "gtm.js",
    ("connect.facebook.net", "/en_US/fbevents.js"): "fbevents.js",
    ("js.ptengine.jp", "/pta.js"): "ptengine.js",
    ("js.ptengine.jp", "/pt-heatmap.css"): "ptengine.css",
    ("cdn.treasuredata.com", "/sdk/td.js"): "td.js",
    ("s.yimg.jp", "/images/listing/tool/cv/ytag.js"): "ytag.js",
    ("d.line-scdn.net", "/n/line_tag/public/release/v1/lt.js"): "lt.js",
    ("www.youtube.com", "/embed/"): "youtube.html",
}
TYPES = {".js": "text/javascript", ".css": "text/css", ".html": "text/html; charset=utf-8"}


@dataclass(frozen=True)
class Hit:
    """One request as the logging server saw it."""

    host: str
    path: str
    method: str
    at: float


@dataclass
class Web:
    """The logging server: its port, what it serves pages with, and every request seen."""

    port: int = 0
    tls_port: int = 0
    cmp_base: str = ""
    hung_base: str = ""
    hits: list[Hit] = field(default_factory=list)
    hung: Hung | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def origin(self, host: str = "www.dealer.example") -> str:
        """``http://<host>:<port>`` of this server."""
        return f"http://{host}:{self.port}"

    def since(self, mark: int) -> list[Hit]:
        """The requests recorded after ``mark`` (a length of ``hits``)."""
        with self.lock:
            return list(self.hits[mark:])

    def mark(self) -> int:
        """The current length of the log (pass it to ``since`` later)."""
        with self.lock:
            return len(self.hits)

    def page(self, name: list[str], query: dict[str, str]) -> bytes:
        """Render a dealer page: the cmp host (``cmp=hung``: the hung one), the site key
        (``site=``) and optional extra tags (``extra=line``)."""
        parts = [p if p.startswith("<") else (HERE / p).read_text(encoding="utf-8") for p in name]
        body = (HERE / "body.html").read_text(encoding="utf-8")
        head = "".join(parts)
        text = f'<!doctype html>\n<html lang="ja">\n<head>\n{head}</head>\n<body>\n{body}</body>\n'
        text += "</html>\n"
        extra = ""
        if query.get("extra") == "line":
            extra = (HERE / "line_tag.html").read_text(encoding="utf-8")
        for key, value in {
            "%EXTRA%": extra,
            "%CMP%": self.hung_base if query.get("cmp") == "hung" else self.cmp_base,
            "%SITE%": query.get("site", "dealer"),
            "%TP%": str(self.tls_port),
        }.items():
            text = text.replace(key, value)
        return text.encode()


def _handler(web: Web) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
            with web.lock:
                web.hits.append(Hit(host, self.path, self.command, time.monotonic()))
            path, _, raw_query = self.path.partition("?")
            query = dict(p.partition("=")[::2] for p in raw_query.split("&") if p)
            status, ctype, body = 404, "text/plain", b"not found"
            if host in DEALER_HOSTS and path in PAGES:
                status, ctype, body = 200, TYPES[".html"], web.page(PAGES[path], query)
            elif host in DEALER_HOSTS and path in ("/assets/cmp.js", "/assets/cmp-settings.js"):
                # Self-hosted: both built files copied beside each other (docs/banner.md).
                status, ctype, body = 200, TYPES[".js"], (CMP_JS.parent / path[8:]).read_bytes()
            elif host == "px.a8.net" or path in ("/tr", "/g/collect") or path.endswith("/px"):
                status, ctype, body = 200, "image/gif", GIF
            else:
                for (stub_host, prefix), name in STUBS.items():
                    if host == stub_host and path.startswith(prefix):
                        body = (HERE / "tp" / name).read_bytes()
                        status, ctype = 200, TYPES[Path(name).suffix]
                        break
                else:
                    status, ctype, body = 204, "text/plain", b""  # a beacon endpoint
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_GET = do_POST = do_HEAD = _answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def _certificate(folder: Path) -> ssl.SSLContext:
    """A throw-away self-signed certificate (Chromium runs with --ignore-certificate-errors)."""
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=third-party.test"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def start_web(web: Web, folder: Path) -> list[ThreadingHTTPServer]:
    """Serve ``web`` on two free ports of 127.0.0.1, in daemon threads: plain HTTP for the
    dealer's pages (``web.port``) and HTTPS for the third parties (``web.tls_port``: several
    of them are HSTS-preloaded, so Chromium only ever asks them over TLS)."""
    servers = []
    for tls in (False, True):
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(web))
        server.daemon_threads = True
        if tls:
            server.socket = _certificate(folder).wrap_socket(server.socket, server_side=True)
            web.tls_port = server.server_address[1]
        else:
            web.port = server.server_address[1]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    return servers


@dataclass
class Hung:
    """A server that accepts every connection, reads the request and never answers."""

    port: int = 0
    paths: list[str] = field(default_factory=list)
    closed: list[tuple[str, float]] = field(default_factory=list)
    _sock: socket.socket | None = None
    _conns: list[socket.socket] = field(default_factory=list)

    def start(self) -> Hung:
        """Listen on a free port and hold every request until the client gives up."""
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def _accept(self) -> None:
        assert self._sock is not None
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self._conns.append(conn)
            threading.Thread(target=self._hold, args=(conn,), daemon=True).start()

    def _hold(self, conn: socket.socket) -> None:
        path = "?"
        try:
            first = conn.recv(65536)
            if first:
                path = first.split(b" ", 2)[1].decode(errors="replace")
                self.paths.append(path)
            while conn.recv(65536):
                pass
        except OSError:
            pass
        self.closed.append((path, time.monotonic()))

    def stop(self) -> None:
        """Close the listening socket and every held connection."""
        if self._sock is not None:
            self._sock.close()
        for conn in self._conns:
            try:
                conn.close()
            except OSError:
                pass
