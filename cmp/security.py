"""Security headers on every public page and API response.

Each blueprint that knows its page best sets its own Content Security Policy (the admin
console, the demo under ``/demo/csp``, the external-transmission notice); this module only
fills in what a response does not already carry, so it never overrides them:

- API responses (JSON, problem+json, the OpenAPI document) get ``default-src 'none'``: an
  API body opened as a document by mistake can run nothing, load nothing, and be framed by
  no one.
- HTML pages without a policy of their own get ``frame-ancestors 'self'`` (clickjacking)
  plus ``object-src 'none'`` and ``base-uri 'self'``, but no script rules: the plain
  ``/demo`` page deliberately behaves like an ordinary shop page with inline tags.
- Everything gets ``X-Content-Type-Options: nosniff`` and a Referrer-Policy; HSTS is sent
  only on a request that arrived over https (directly, or behind ``CMP_TRUST_PROXY``), since
  on plain http the header is ignored and would only suggest a protection that is not there.
"""

from __future__ import annotations

from flask import Flask, Response, request

#: The policy of API responses: nothing may load, run or frame them.
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

#: The policy added to HTML pages that set none: framing and plugins only.
PAGE_CSP = "frame-ancestors 'self'; object-src 'none'; base-uri 'self'"

#: Pages that stand in for third-party embeds (the demo's sample video player), which
#: other origins must be able to frame, as they would frame the real player.
EMBEDDABLE = frozenset({"demo.frame"})

#: One year; no ``includeSubDomains``: the operator's other hosts are not ours to pin.
HSTS = "max-age=31536000"


#: What every API response carries unless it set its own (lower-cased name, name, value).
_API_HEADERS = (
    ("x-content-type-options", "X-Content-Type-Options", "nosniff"),
    ("content-security-policy", "Content-Security-Policy", API_CSP),
    ("x-frame-options", "X-Frame-Options", "DENY"),
    # Lookups carry visitor ids in the path: never leak them onward.
    ("referrer-policy", "Referrer-Policy", "no-referrer"),
)


def add_headers(resp: Response) -> Response:
    """Fill in the security headers ``resp`` lacks (never replacing one already set)."""
    headers = resp.headers
    req = request._get_current_object()  # type: ignore[attr-defined]
    if req.path.startswith("/api/"):
        # One pass over the answer's headers, rather than one per header added: this runs
        # on every API answer, the decision write and the lookup included.
        have = {name.lower() for name in headers.keys()}
        for lower, name, value in _API_HEADERS:
            if lower not in have:
                headers.add(name, value)
    else:
        headers.setdefault("X-Content-Type-Options", "nosniff")
        if resp.mimetype == "text/html":
            if req.endpoint not in EMBEDDABLE:
                headers.setdefault("Content-Security-Policy", PAGE_CSP)
                # For browsers that predate frame-ancestors; ignored by those that know it.
                headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if req.is_secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    return resp


def init_app(app: Flask) -> None:
    """Register :func:`add_headers` for every response.

    App-level ``after_request`` functions run after the blueprints' own, so a policy that a
    blueprint set is already present here and is kept.
    """
    app.after_request(add_headers)
