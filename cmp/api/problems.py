"""problem+json errors (RFC 9457) with a stable ``code``, and bounded body reading.

Bodies are parsed and validated against their declarations by :mod:`cmp.api.declared`.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, request
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge
from werkzeug.wsgi import get_content_length

TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    409: "Conflict",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class Problem(Exception):
    """Raised anywhere in the API; answered as problem+json by the blueprint."""

    def __init__(self, status: int, code: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.extra = extra


def response(problem: Problem) -> Response:
    """Render a :class:`Problem` as an ``application/problem+json`` response."""
    body = {
        "type": f"urn:cmp:problem:{problem.code}",
        "title": TITLES.get(problem.status, "Error"),
        "status": problem.status,
        "detail": problem.detail,
        "code": problem.code,
        **problem.extra,
    }
    resp = Response(
        json.dumps(body, ensure_ascii=False),
        status=problem.status,
        mimetype="application/problem+json",
    )
    if problem.status == 401:
        resp.headers["WWW-Authenticate"] = 'Bearer realm="cmp"'
    elif problem.status == 503:
        # Every 503 is a store outage that clients (the banner's queue) should retry.
        resp.headers["Retry-After"] = "5"
    return resp


def read_body(max_bytes: int) -> bytes:
    """Return the request body, or raise 413 if it is longer than ``max_bytes``.

    Reads at most ``max_bytes + 1`` bytes, whether the client declared a length or sent the
    body chunked. A chunked body longer than ``MAX_CONTENT_LENGTH`` is cut there by werkzeug
    without a word, so such a body used to reach the parser truncated and answer 400; the
    read one byte past the cut now raises werkzeug's 413, answered as ours.
    """
    req = request._get_current_object()  # type: ignore[attr-defined]
    # werkzeug's own rule (what request.content_length answers), read off the environ.
    length = get_content_length(req.environ)
    if length is not None and length > max_bytes:
        raise _too_large(max_bytes)
    cap = req.max_content_length
    if length is not None and (cap is None or length <= cap):
        # A declared length within both limits: read exactly that many bytes from the
        # server's stream, never past them, without werkzeug's wrapped stream (a third of
        # the framework's share of a decision write went into building and reading it).
        return _read_exactly(req.environ["wsgi.input"], length)
    stream = req.stream
    chunks, total = [], 0
    try:
        while total <= max_bytes:
            chunk = stream.read(min(65536, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except RequestEntityTooLarge as exc:
        raise _too_large(max_bytes) from exc
    if total > max_bytes:
        _drain()
        raise _too_large(max_bytes)
    return b"".join(chunks)


def _read_exactly(stream: Any, length: int) -> bytes:
    """``length`` bytes of ``stream``; 400 if the client stopped sending before them (as
    werkzeug's stream answers: a cut body must never be taken for the whole one)."""
    chunks, got = [], 0
    while got < length:
        chunk = stream.read(length - got)
        if not chunk:
            raise Problem(400, "bad_request", "the body is shorter than its Content-Length")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _too_large(max_bytes: int) -> Problem:
    return Problem(413, "payload_too_large", f"body exceeds {max_bytes} bytes", limit=max_bytes)


def _drain() -> None:
    """Read and drop the rest of a chunked body (up to ``MAX_CONTENT_LENGTH``), so that the
    client, still sending, gets to read the 413 instead of a reset connection."""
    try:
        while request.stream.read(65536):
            pass
    except (RequestEntityTooLarge, ClientDisconnected, OSError):
        pass
