"""The banner script and the demo site.

``GET /cmp.js`` serves ``static/cmp.js`` with an ETag, a short public cache lifetime and a
brotli body (``static/cmp.js.br``, built beside it) or a gzip body when the client accepts
it; ``GET /cmp-settings.js`` serves the settings layer it loads the same way. ``/demo`` is
a sample shop page that embeds the banner as docs/banner.md's embedding section says, with
sample analytics and targeting tags, a blocked iframe and a settings link; ``/demo/csp`` is
the same page under a strict Content Security Policy. The sample tags, the iframe and the
tracking pixel are served by cmp itself under ``/demo/...`` so that tests can see every
request they cause.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, request

bp = Blueprint("demo", __name__)

#: How long browsers and proxies may reuse the banner script without asking again.
BANNER_CACHE_CONTROL = "public, max-age=3600, stale-while-revalidate=86400"


@dataclass(frozen=True)
class Asset:
    """One static file as served: plain, gzip and (when built beside it) brotli bodies."""

    body: bytes
    gzipped: bytes
    brotli: bytes | None
    etag: str
    stamp: tuple[int, int]


_assets: dict[str, Asset] = {}
_assets_lock = threading.Lock()


def load_asset(name: str) -> Asset:
    """Return ``name`` from the static folder, re-read only when its mtime or size changes."""
    path = Path(current_app.static_folder or "static") / name
    stat = path.stat()
    stamp = (stat.st_mtime_ns, stat.st_size)
    cached = _assets.get(str(path))
    if cached and cached.stamp == stamp:
        return cached
    body = path.read_bytes()
    # banner/build.mjs writes cmp.js.br (brotli, quality 11) beside cmp.js; used only when it
    # is the brotli of these very bytes.
    br_path = path.with_name(path.name + ".br")
    brotli = br_path.read_bytes() if br_path.exists() else None
    digest = hashlib.sha256(body).hexdigest()
    asset = Asset(
        body=body,
        gzipped=gzip.compress(body, compresslevel=9, mtime=0),
        brotli=brotli if brotli and _br_matches(br_path, digest) else None,
        etag=digest[:24],
        stamp=stamp,
    )
    with _assets_lock:
        _assets[str(path)] = asset
    return asset


def _br_matches(br_path: Path, digest: str) -> bool:
    """True if ``<file>.br.sha256`` (written by the build) names the plain file's SHA-256."""
    stamp = br_path.with_name(br_path.name + ".sha256")
    return stamp.exists() and stamp.read_text().strip() == digest


def serve_asset(name: str, mimetype: str) -> Response:
    """Serve a static asset with ETag, Cache-Control and br/gzip negotiation (304 when fresh)."""
    asset = load_asset(name)
    accepts = request.accept_encodings
    encoding = "br" if asset.brotli and accepts["br"] > 0 else "gzip" if accepts["gzip"] else ""
    bodies = {"br": asset.brotli, "gzip": asset.gzipped, "": asset.body}
    resp = Response(bodies[encoding], mimetype=mimetype)
    if encoding:
        resp.headers["Content-Encoding"] = encoding
    resp.set_etag(asset.etag + {"br": "-br", "gzip": "-gz", "": ""}[encoding])
    resp.vary.add("Accept-Encoding")
    resp.headers["Cache-Control"] = BANNER_CACHE_CONTROL
    resp.headers["X-Content-Type-Options"] = "nosniff"
    # Any site may embed the banner, also one that isolates itself with COEP.
    resp.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    resp.headers["Access-Control-Allow-Origin"] = "*"
    return resp.make_conditional(request)


@bp.route("/cmp.js")
def banner() -> Response:
    """The banner script."""
    return serve_asset("cmp.js", "text/javascript")


@bp.route("/cmp-settings.js")
def banner_settings() -> Response:
    """The banner's settings layer, loaded by cmp.js when the visitor opens the settings."""
    return serve_asset("cmp-settings.js", "text/javascript")


#: The banner's first-layer layouts and themes the demo page can show (``?layout=&theme=``).
LAYOUTS = ("box", "bar", "modal")
THEMES = ("light", "dark")


def _host() -> str:
    """The origin the banner and the sample tags are served from (this server)."""
    return request.host_url.rstrip("/")


def _page(csp: bool) -> Response:
    lang = "en" if request.args.get("lang") == "en" else "ja"
    layout = request.args.get("layout", "")
    theme = request.args.get("theme", "")
    html = render_template(
        "public/demo.html",
        host=_host(),
        csp=csp,
        lang=lang,
        layout=layout if layout in LAYOUTS else "",
        theme=theme if theme in THEMES else "",
    )
    resp = Response(html, mimetype="text/html")
    resp.headers["Cache-Control"] = "no-store"
    if csp:
        resp.headers["Content-Security-Policy"] = (
            f"script-src 'self' {_host()}; style-src {_host()}; connect-src {_host()}"
        )
    return resp


@bp.route("/demo")
def demo() -> Response:
    """The sample site page with the banner, sample tags, a blocked iframe and a settings link."""
    return _page(csp=False)


@bp.route("/demo/csp")
def demo_csp() -> Response:
    """The sample page under ``script-src 'self' <cmp>; style-src <cmp>; connect-src <cmp>``.

    It has no inline tag, since such a policy forbids inline scripts on the page itself.
    """
    return _page(csp=True)


def _script(source: str) -> Response:
    resp = Response(source.replace("{HOST}", _host()), mimetype="text/javascript")
    resp.headers["Cache-Control"] = "no-store"
    return resp


# The sample tags: each records that it ran, sets the cookies (and, for analytics, the
# localStorage key) a real tag of its kind sets (the ones the demo config lists for its
# category) and sends a beacon to cmp's pixel.
ANALYTICS_TAG = """(function () {
  var w = window, now = Math.floor(Date.now() / 1000);
  var cid = 'GA1.1.' + Math.floor(Math.random() * 1e9) + '.' + now;
  var age = ';path=/;max-age=63072000;SameSite=Lax';
  (w.demoTags = w.demoTags || []).push('analytics');
  document.cookie = '_ga=' + cid + age;
  document.cookie = '_ga_DEMO=GS1.1.' + now + '.1.0' + age;
  document.cookie = 'demo_analytics=1' + age;
  try { localStorage.setItem('demo_analytics_seen', String(now)); } catch (e) {}
  new Image().src = '{HOST}/demo/pixel?tag=analytics&cid=' + encodeURIComponent(cid);
})();
"""

TARGETING_TAG = """(function () {
  var w = window, age = ';path=/;max-age=7776000;SameSite=Lax';
  (w.demoTags = w.demoTags || []).push('targeting');
  document.cookie = 'demo_targeting=' + Math.random().toString(36).slice(2) + age;
  document.cookie = '_fbp=fb.1.' + Date.now() + '.' + Math.floor(Math.random() * 1e9) + age;
  new Image().src = '{HOST}/demo/pixel?tag=targeting';
})();
"""


@bp.route("/demo/tags/analytics.js")
def analytics_tag() -> Response:
    """A sample analytics tag (stands in for an analytics vendor's script)."""
    return _script(ANALYTICS_TAG)


@bp.route("/demo/tags/targeting.js")
def targeting_tag() -> Response:
    """A sample targeting / DMP tag (stands in for an ad or DMP vendor's script)."""
    return _script(TARGETING_TAG)


@bp.route("/demo/frame")
def frame() -> Response:
    """The embedded content the demo blocks until targeting consent (a sample video player)."""
    resp = Response(render_template("public/demo_frame.html"), mimetype="text/html")
    resp.headers["Cache-Control"] = "no-store"
    return resp


# A transparent 1x1 GIF.
PIXEL = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)


@bp.route("/demo/pixel")
def pixel() -> Response:
    """The sample tags' beacon."""
    resp = Response(PIXEL, mimetype="image/gif")
    resp.headers["Cache-Control"] = "no-store"
    return resp


SITE_CSS = """*{box-sizing:border-box}
body{margin:0;font:16px/1.7 system-ui,"Hiragino Sans",Meiryo,sans-serif;color:#1a1a1a}
header,footer{background:#1a3d7c;color:#fff;padding:.75rem 1.5rem;display:flex;gap:1rem}
header strong{font-size:1.2rem;margin-right:auto}
header a,footer a{color:#fff}
main{max-width:48rem;margin:0 auto;padding:1rem 1.5rem 3rem}
.items{display:grid;grid-template-columns:repeat(auto-fill,minmax(12rem,1fr));gap:1rem;padding:0;list-style:none}
.items li{background:#fff;border:1px solid #ccc;border-radius:.5rem;padding:1rem}
.price{font-weight:700}
iframe{max-width:100%;border:1px solid #ccc}
"""


@bp.route("/demo/site.css")
def site_css() -> Response:
    """The demo page's own stylesheet (a file, since the CSP page forbids inline styles)."""
    resp = Response(SITE_CSS, mimetype="text/css")
    resp.headers["Cache-Control"] = "public, max-age=3600"
    return resp
