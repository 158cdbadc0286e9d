"""problem+json errors (RFC 9457) with a stable ``code``, and safe JSON body parsing."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Response, request
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge

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


#: A JSON escape of a UTF-16 surrogate (D800-DFFF), the only way one can reach json.loads.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def read_body(max_bytes: int) -> bytes:
    """Return the request body, or raise 413 if it is longer than ``max_bytes``.

    Reads at most ``max_bytes + 1`` bytes, whether the client declared a length or sent the
    body chunked. A chunked body longer than ``MAX_CONTENT_LENGTH`` is cut there by werkzeug
    without a word, so such a body used to reach the parser truncated and answer 400; the
    read one byte past the cut now raises werkzeug's 413, answered as ours.
    """
    limit = Problem(413, "payload_too_large", f"body exceeds {max_bytes} bytes", limit=max_bytes)
    length = request.content_length
    if length is not None and length > max_bytes:
        raise limit
    chunks, total = [], 0
    try:
        while total <= max_bytes:
            chunk = request.stream.read(min(65536, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except RequestEntityTooLarge as exc:
        raise limit from exc
    if total > max_bytes:
        _drain()
        raise limit
    return b"".join(chunks)


def _drain() -> None:
    """Read and drop the rest of a chunked body (up to ``MAX_CONTENT_LENGTH``), so that the
    client, still sending, gets to read the 413 instead of a reset connection."""
    try:
        while request.stream.read(65536):
            pass
    except (RequestEntityTooLarge, ClientDisconnected, OSError):
        pass


def json_body(max_bytes: int) -> dict[str, Any]:
    """Return the request's JSON object, or raise the right :class:`Problem`.

    Checks, in order: media type (415), declared and actual size (413), JSON syntax, depth
    and strings that are valid Unicode, i.e. no unpaired surrogate escapes (400), top-level
    object (422). Details are cmp's own words (and a position), never the parser's message.
    """
    if request.mimetype != "application/json":
        raise Problem(415, "unsupported_media_type", "send the body as application/json")
    raw = read_body(max_bytes)
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise Problem(
            400,
            "invalid_json",
            f"body is not valid JSON (line {exc.lineno}, column {exc.colno})",
        ) from exc
    except UnicodeDecodeError as exc:
        raise Problem(400, "invalid_json", "body is not valid UTF-8 JSON") from exc
    except (ValueError, RecursionError) as exc:
        # RecursionError: arrays or objects nested deeper than the parser goes (``[`` x 1000).
        detail = "body is not valid JSON or is nested too deeply"
        raise Problem(400, "invalid_json", detail) from exc
    try:
        # JSON may escape a lone surrogate (\ud800): Python accepts it, but it is no Unicode
        # text, so storing it, hashing it into a receipt or echoing it in a problem fails
        # later as a 500. One re-encoding checks every key and value, however nested; it is
        # needed only when the body has a surrogate escape at all (raw surrogates are not
        # UTF-8 and failed above), which keeps it off the decision endpoint's usual path.
        if _SURROGATE_ESCAPE.search(raw):
            json.dumps(data, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, RecursionError) as exc:
        raise Problem(
            400,
            "invalid_json",
            "body has a string that is not valid Unicode (an unpaired surrogate escape such "
            "as \\ud800) or is nested too deeply",
        ) from exc
    if not isinstance(data, dict):
        raise Problem(422, "validation_error", "body must be a JSON object")
    return data


def field(
    data: dict[str, Any],
    name: str,
    kind: type | tuple[type, ...],
    *,
    required: bool = True,
    default: Any = None,
) -> Any:
    """Return ``data[name]`` checked against ``kind`` (bool is never taken for int)."""
    if name not in data or data[name] is None:
        if required:
            raise Problem(422, "validation_error", f"'{name}' is required", field=name)
        return default
    value = data[name]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) and bool not in kinds:
        raise Problem(422, "validation_error", f"'{name}' has the wrong type", field=name)
    if not isinstance(value, kinds):
        raise Problem(422, "validation_error", f"'{name}' has the wrong type", field=name)
    return value


def bool_map(data: dict[str, Any], name: str) -> dict[str, bool]:
    """Return an optional ``{key: bool}`` member, validated."""
    value = field(data, name, dict, required=False, default={})
    if len(value) > 200:
        raise Problem(422, "validation_error", f"'{name}' has too many entries", field=name)
    for key, on in value.items():
        if not isinstance(on, bool) or len(key) > 64:
            raise Problem(
                422, "validation_error", f"'{name}' must map keys to booleans", field=name
            )
    return value
