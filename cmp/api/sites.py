"""``GET /api/v1/sites/{site}/config``: what the banner needs, compressed, with ETags.

The document is serialised and gzip-compressed once per built config (:func:`cmp.siteconfig.
render`), never per request. The two bodies are two representations, so each has its own
strong ETag (``"<hash>"`` and ``"<hash>-gz"``), answers ``Vary: Accept-Encoding``, and a
conditional request matches the tag of the representation it would get.

``?view=banner`` answers the first-layer view (:mod:`cmp.configview`), what a first visit
needs before the banner shows, also brotli-encoded (``"<hash>-b-br"``); without it, the full
document (the settings layer fetches it).
"""

from __future__ import annotations

from flask import Response, request

from cmp.api import bp, cors, declared, site_config
from cmp.api.inputs import ConfigQuery
from cmp.configview import Encoded


# Without automatic OPTIONS, so that the preflight below answers it (it was shadowed).
@bp.route("/sites/<site>/config", methods=["GET"], provide_automatic_options=False)
def config(site: str) -> Response:
    """Return the site config in the asked language; 304 when the ETag still matches."""
    query = declared.query(ConfigQuery)
    built = site_config(site, query.lang)
    cors.require_origin(built)
    doc = built.banner if query.view == "banner" else Encoded(built.body, built.gzipped, built.etag)
    body, encoding, etag = doc.pick(lambda name: request.accept_encodings[name] > 0)
    if request.if_none_match and request.if_none_match.contains(etag):
        resp = Response(status=304)
    else:
        resp = Response(body, mimetype="application/json")
        if encoding:
            resp.headers["Content-Encoding"] = encoding
    resp.set_etag(etag)
    resp.vary.add("Accept-Encoding")
    resp.headers["Cache-Control"] = "no-cache"
    return resp


@bp.route("/sites/<site>/config", methods=["OPTIONS"])
def config_preflight(site: str) -> Response:
    """CORS preflight for the config (no store access; see :mod:`cmp.api.cors`)."""
    return cors.preflight("GET")
