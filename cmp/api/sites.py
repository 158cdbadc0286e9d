"""``GET /api/v1/sites/{site}/config``: what the banner needs, with ETag and site-only CORS."""

from __future__ import annotations

from flask import Response, request

from cmp.api import allow_origin, bp, preflight, site_config


def _lang() -> str:
    lang = request.args.get("lang", "ja")
    return lang if lang in ("ja", "en") else "ja"


@bp.route("/sites/<site>/config", methods=["GET"])
def config(site: str) -> Response:
    """Return the site config in the asked language; 304 when the ETag still matches."""
    built = site_config(site, _lang())
    if request.if_none_match and request.if_none_match.contains(built.etag):
        resp = Response(status=304)
    else:
        resp = Response(built.body, mimetype="application/json")
    resp.set_etag(built.etag)
    resp.headers["Cache-Control"] = "no-cache"
    return allow_origin(resp, built)


@bp.route("/sites/<site>/config", methods=["OPTIONS"])
def config_preflight(site: str) -> Response:
    """CORS preflight for the config."""
    return preflight(site_config(site), "GET")
