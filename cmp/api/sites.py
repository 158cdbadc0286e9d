"""``GET /api/v1/sites/{site}/config``: what the banner needs, compressed, with ETags.

The document is serialised and gzip-compressed once per built config (:func:`cmp.siteconfig.
render`), never per request. The two bodies are two representations, so each has its own
strong ETag (``"<hash>"`` and ``"<hash>-gz"``), answers ``Vary: Accept-Encoding``, and a
conditional request matches the tag of the representation it would get.
"""

from __future__ import annotations

from flask import Response, request

from cmp.api import bp, cors, site_config
from cmp.model import LANGS


def _lang() -> str:
    lang = request.args.get("lang", "ja")
    return lang if lang in LANGS else LANGS[0]


# Without automatic OPTIONS, so that the preflight below answers it (it was shadowed).
@bp.route("/sites/<site>/config", methods=["GET"], provide_automatic_options=False)
def config(site: str) -> Response:
    """Return the site config in the asked language; 304 when the ETag still matches."""
    built = site_config(site, _lang())
    cors.require_origin(built)
    zipped = request.accept_encodings["gzip"] > 0
    etag = built.etag_gzip if zipped else built.etag
    if request.if_none_match and request.if_none_match.contains(etag):
        resp = Response(status=304)
    else:
        resp = Response(built.gzipped if zipped else built.body, mimetype="application/json")
        if zipped:
            resp.headers["Content-Encoding"] = "gzip"
    resp.set_etag(etag)
    resp.vary.add("Accept-Encoding")
    resp.headers["Cache-Control"] = "no-cache"
    return resp


@bp.route("/sites/<site>/config", methods=["OPTIONS"])
def config_preflight(site: str) -> Response:
    """CORS preflight for the config (no store access; see :mod:`cmp.api.cors`)."""
    return cors.preflight("GET")
