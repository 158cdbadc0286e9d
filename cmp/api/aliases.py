"""``POST /api/v1/sites/{site}/aliases``: link other identifiers of a visitor (scope write).

An alias is another identifier of the same browser or person: a site cookie (``cookie:_ga``),
a mobile advertising id (``idfa``, ``aaid``) or the SHA-256 of a normalised e-mail address
(``email_sha256``). Provision checks accept aliases in place of visitor ids. Advertising ids
and hashes are stored lower-case, so the same id written in either case links once. An
alias another visitor holds is never moved (409 ``alias_held``): see docs/provision.md.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Response, current_app, jsonify

from cmp import clock, context, ids
from cmp.api import auth, bp
from cmp.api.problems import Problem, field, json_body
from cmp.model import Alias

MAX_PER_CALL = 20
_COOKIE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_PRINTABLE = re.compile(r"^[\x21-\x7e]{1,256}$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
TYPES = ("cookie:<name>", "idfa", "aaid", "email_sha256")


def parse_identifier(item: Any) -> tuple[str, str]:
    """Return a validated, normalised ``(type, value)`` or raise 422 ``invalid_identifier``."""
    if not isinstance(item, dict):
        raise Problem(422, "invalid_identifier", "each identifier is {type, value}")
    kind, value = item.get("type"), item.get("value")
    if not isinstance(kind, str) or not isinstance(value, str):
        raise Problem(422, "invalid_identifier", "identifier type and value must be strings")
    if kind.startswith("cookie:"):
        if not _COOKIE_NAME.fullmatch(kind[7:]) or not _PRINTABLE.fullmatch(value):
            raise Problem(
                422, "invalid_identifier", "cookie aliases need a cookie name and 1-256 characters"
            )
        return kind, value
    if kind in ("idfa", "aaid"):
        if not _UUID.fullmatch(value.lower()):
            raise Problem(422, "invalid_identifier", f"{kind} must be a UUID")
        return kind, value.lower()
    if kind == "email_sha256":
        if not _SHA256.fullmatch(value.lower()):
            raise Problem(422, "invalid_identifier", "email_sha256 must be 64 hex digits")
        return kind, value.lower()
    raise Problem(
        422, "invalid_identifier", f"unknown identifier type {kind!r}; use {', '.join(TYPES)}"
    )


@bp.route("/sites/<site>/aliases", methods=["POST"])
def link_aliases(site: str) -> tuple[Response, int]:
    """Link up to 20 aliases to a visitor who has a decision on this site."""
    _, store, _ = auth.keyed(site, "write")
    data = json_body(current_app.config["PUBLIC_MAX_BYTES"])
    signed = field(data, "visitor_id", str)
    try:
        raw = ids.verify(context.secret(), signed)
    except ids.InvalidVisitorId as exc:
        raise Problem(400, "invalid_visitor_id", str(exc)) from exc
    items = field(data, "aliases", list)
    if not items or len(items) > MAX_PER_CALL:
        raise Problem(422, "validation_error", f"send 1 to {MAX_PER_CALL} aliases")
    pairs = list(dict.fromkeys(parse_identifier(item) for item in items))
    if store.get_state(site, raw) is None:
        raise Problem(404, "unknown_visitor", "no decision recorded for this visitor")
    when = clock.iso(clock.now())
    refused = store.put_aliases([Alias(site, kind, value, raw, when) for kind, value in pairs])
    held = {(a.type, a.value) for a in refused}
    linked = [{"type": k, "value": v} for k, v in pairs if (k, v) not in held]
    if held:
        # A link never moves an alias another visitor holds (docs/provision.md, Aliases).
        raise Problem(
            409,
            "alias_held",
            "another visitor holds these aliases (or they are in conflict); they were not "
            "moved, the others were linked",
            visitor_id=signed,
            aliases=linked,
            refused=[{"type": k, "value": v} for k, v in pairs if (k, v) in held],
        )
    return jsonify({"visitor_id": signed, "aliases": linked}), 201
