"""The JSON API under ``/api/v1``: one blueprint, problem+json for every error."""

from __future__ import annotations

import json

from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from cmp import context
from cmp.api import problems
from cmp.configcache import ConfigCache
from cmp.model import LANGS
from cmp.siteconfig import BuiltConfig
from cmp.storage import StorageError

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def site_config(site_key: str, lang: str = "ja") -> BuiltConfig:
    """Return the site's built config (cached briefly), or raise 404 ``unknown_site``."""
    req = request._get_current_object()  # type: ignore[attr-defined]
    cache: ConfigCache = current_app.extensions["cmp.config_cache"]
    # Built from scheme and host directly: request.url_root re-encodes the whole URL each time.
    notice = f"{req.scheme}://{req.host}{req.script_root}/sites/{site_key}/external-transmission"
    built = cache.get(context.store(), site_key, lang if lang in LANGS else LANGS[0], notice)
    if built is None:
        raise problems.Problem(404, "unknown_site", f"no site '{site_key}'")
    return built


#: Built once: ``json.dumps`` with options builds a new encoder on every call.
_compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def json_response(body: object, status: int = 200) -> Response:
    """Serialise ``body`` as the hot paths answer: compact, unsorted, UTF-8 kept.

    ``jsonify`` sorts keys and goes through the app's JSON provider; on the decision and
    lookup paths that is a measurable share of the request.
    """
    return Response(
        _compact(body),
        status=status,
        mimetype="application/json",
    )


def allow_origin(resp: Response, built: BuiltConfig) -> Response:
    """Return ``resp``: the CORS headers of public answers are added by :mod:`cmp.api.cors`
    for every answer, errors included (kept so callers need not change)."""
    return resp


@bp.errorhandler(problems.Problem)
def _problem(exc: problems.Problem) -> Response:
    return problems.response(exc)


def init_app(app: Flask) -> None:
    """Register the API blueprint and the app-wide error handlers for API paths."""
    from cmp.api import aliases, consents, cors, openapi, provision, records, sites, state  # noqa: F401

    app.register_blueprint(bp)
    cors.init_app(app)

    @app.errorhandler(StorageError)
    def _store_down(exc: StorageError) -> Response | tuple[str, int]:
        app.logger.warning("store unavailable: %s", exc)
        if request.path.startswith("/api/"):
            return problems.response(
                problems.Problem(
                    503, "store_unavailable", "the consent store is unreachable; retry later"
                )
            )
        return "Service temporarily unavailable (consent store unreachable).", 503

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response | HTTPException:
        if not request.path.startswith("/api/"):
            return exc
        code = {
            404: "not_found",
            405: "method_not_allowed",
            413: "payload_too_large",
            400: "bad_request",
        }.get(exc.code or 500, "http_error")
        resp = problems.response(problems.Problem(exc.code or 500, code, exc.description or ""))
        # RFC 9110 15.5.6: a 405 names the methods the resource does support.
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
            resp.headers["Allow"] = ", ".join(sorted(exc.valid_methods))
        return resp

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        app.logger.exception("unhandled error")
        if request.path.startswith("/api/"):
            return problems.response(problems.Problem(500, "internal_error", "unexpected error"))
        return Response("Internal error", status=500)
