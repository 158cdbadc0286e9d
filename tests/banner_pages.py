"""A company site on its own origin for the banner's browser tests (issue 10).

:class:`SitePages` serves pages that tests register (``{CMP}`` in them becomes the cmp
server's URL) at ``http://localhost:<port>``, added to the demo site's origins, plus:

- ``/tp/<name>``: stand-ins for third-party tags, pixels, stylesheets and embeds; every
  request is logged (``hits``), scripts push ``<name>`` onto ``window.demoTags``;
- ``/own/cmp.js`` (and ``/own/cmp-settings.js``): the built banner served from the site's
  own origin (the self-hosted deployment of docs/banner.md).

:func:`hung_port` listens without ever accepting: a cmp host that hangs.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

BUILT = Path(__file__).resolve().parent.parent / "static" / "cmp.js"
GIF = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)


class SitePages:
    """The pages, the third-party request log and the origin of the test site."""

    def __init__(self, cmp_url: str) -> None:
        self.cmp_url = cmp_url
        self.pages: dict[str, str] = {}
        self.hits: list[str] = []
        self.origin = ""

    def add(self, path: str, html: str) -> str:
        """Register ``html`` at ``path``; return its full URL."""
        self.pages[path] = html.replace("{CMP}", self.cmp_url)
        return self.origin + path

    def tp(self, name: str) -> bool:
        """True if the third-party resource ``name`` was requested."""
        return any(h.split("?")[0] == f"/tp/{name}" for h in self.hits)

    def handler(self) -> type[BaseHTTPRequestHandler]:
        """The request handler class bound to these pages."""
        pages = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                if path.startswith("/tp/"):
                    pages.hits.append(self.path)
                    name = path[4:]
                    if name.endswith(".js"):
                        js = f"(window.demoTags = window.demoTags || []).push({name[:-3]!r});"
                        self.send(js.encode(), "text/javascript")
                    elif name.endswith(".gif"):
                        self.send(GIF, "image/gif")
                    elif name.endswith(".css"):
                        self.send(b"body{}", "text/css")
                    else:
                        self.send(b"<!doctype html><title>embed</title><p>embed", "text/html")
                elif path in ("/own/cmp.js", "/own/cmp-settings.js"):
                    # Self-hosted: both built files copied beside each other (docs/banner.md).
                    self.send((BUILT.parent / path[5:]).read_bytes(), "text/javascript")
                elif path in pages.pages:
                    self.send(pages.pages[path].encode(), "text/html; charset=utf-8")
                else:
                    self.send_error(404)

            def send(self, body: bytes, mimetype: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", mimetype)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


@contextmanager
def site_pages(live_server: Any) -> Iterator[SitePages]:
    """Serve a :class:`SitePages` on localhost, its origin allowed for the demo site."""
    pages = SitePages(live_server.url)
    server = ThreadingHTTPServer(("127.0.0.1", 0), pages.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    pages.origin = f"http://localhost:{server.server_address[1]}"
    store = live_server.store
    site = store.get_site("demo")
    site.origins = [*site.origins, pages.origin]
    store.put_site(site)
    try:
        yield pages
    finally:
        site = store.get_site("demo")
        site.origins = [o for o in site.origins if o != pages.origin]
        store.put_site(site)
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def hung_port() -> Iterator[int]:
    """A port whose connections complete the handshake and never get an answer."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()
