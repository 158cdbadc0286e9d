"""CORS for the public endpoints the banner calls: the config, decisions, consent-state.

The rule (docs/api.md, CONTRACT D):

- Every answer of a public endpoint to a browser request (one with an ``Origin``) carries
  ``Access-Control-Allow-Origin: <that origin>``, ``Vary: Origin`` and
  ``Access-Control-Expose-Headers: ETag, Retry-After``, errors included, whoever raised them
  (a view, ``declared.body``, the rate limiter, werkzeug, a store outage). The banner must read the
  problem's code to recover.
- Whether an origin may *use* a site is decided in the views, before anything else is
  read, by :func:`require_origin`: an origin that is neither one of the site's origins nor
  cmp's own gets a 403 ``origin_not_allowed`` problem, readable, holding nothing but the
  problem and the fix. So a foreign origin can read problems, never a config or a state.
- A preflight answers 204 with the CORS headers for any origin, without touching the store:
  the request it announces is then answered with a readable problem (403 for a foreign
  origin, 503 while the store is down), never with an opaque network error.
- ``Origin: null`` (sandboxed frames, files) is never echoed and is never allowed.
- cmp's own origin (``scheme://host`` of the request, e.g. ``/demo`` on any port) is allowed
  for every site. The host is the one Flask accepted: with ``CMP_TRUSTED_HOSTS`` set, a
  request naming another host is refused (400) before any view, so a domain pointed at cmp's
  address cannot pass for cmp.
"""

from __future__ import annotations

import re

from flask import Flask, Response, request

from cmp.api.problems import Problem
from cmp.siteconfig import BuiltConfig

#: The paths of the public endpoints (their preflights included).
PUBLIC_PATH = re.compile(r"^/api/v1/sites/[^/]+/(?:config|consents|consent-state)$")

EXPOSE = "ETag, Retry-After"


def own_origin() -> str:
    """cmp's own origin for this request: its scheme and (trusted) host."""
    return f"{request.scheme}://{request.host}"


def require_origin(built: BuiltConfig) -> None:
    """Raise 403 ``origin_not_allowed`` unless the request's origin may use the site.

    A request without ``Origin`` is not a browser's cross-origin call (a server, curl): it
    passes, as it always could.
    """
    origin = request.headers.get("Origin")
    if origin is None or origin in built.site.origins or origin == own_origin():
        return
    shown = origin[:200]
    raise Problem(
        403,
        "origin_not_allowed",
        f"origin {shown} is not configured for site '{built.site.key}': add {shown} to the "
        "site's origins in the admin",
    )


def preflight(methods: str) -> Response:
    """Answer a CORS preflight (204) for any origin; see the module docstring."""
    resp = Response(status=204)
    if _echoable(request.headers.get("Origin")):
        resp.headers["Access-Control-Allow-Methods"] = methods
        resp.headers["Access-Control-Allow-Headers"] = "Content-Type"
        resp.headers["Access-Control-Max-Age"] = "600"
    return resp


def _echoable(origin: str | None) -> bool:
    return bool(origin) and origin != "null" and len(origin or "") <= 512


def answer_headers(path: str, origin: str | None) -> list[tuple[str, str]]:
    """The CORS headers an answer to ``path`` carries for ``origin`` (besides ``Vary``);
    also used by the server worker for the answers it gives itself (a 413 or 408)."""
    if not PUBLIC_PATH.match(path) or not _echoable(origin):
        return []
    return [("Access-Control-Allow-Origin", str(origin)), ("Access-Control-Expose-Headers", EXPOSE)]


def add_headers(resp: Response) -> Response:
    """After every request: the CORS headers on every answer of a public endpoint."""
    req = request._get_current_object()  # type: ignore[attr-defined]
    if not PUBLIC_PATH.match(req.path):
        return resp
    headers = resp.headers
    # Set directly: ``resp.vary`` parses the header into a set and writes it back.
    vary = headers.get("Vary")
    if not vary:
        headers["Vary"] = "Origin"
    elif "origin" not in {v.strip().lower() for v in vary.split(",")}:
        headers["Vary"] = f"{vary}, Origin"
    for name, value in answer_headers(req.path, req.headers.get("Origin")):
        headers[name] = value
    return resp


def init_app(app: Flask) -> None:
    """Register :func:`add_headers` for every response, error handlers' included."""
    app.after_request(add_headers)
