"""``POST /api/v1/sites/{site}/aliases``: link other identifiers of a visitor (scope write).

An alias is another identifier of the same browser or person: a site cookie (``cookie:_ga``),
a mobile advertising id (``idfa``, ``aaid``) or the SHA-256 of a normalised e-mail address
(``email_sha256``). Provision checks accept aliases in place of visitor ids. Advertising ids
and hashes are stored lower-case, so the same id written in either case links once. An
alias another visitor holds is never moved (409 ``alias_held``): see docs/provision.md.
"""

from __future__ import annotations

from flask import Response, current_app, jsonify

from cmp import clock, context, ids
from cmp.api import auth, bp, declared
from cmp.api.inputs import AliasLink
from cmp.api.problems import Problem
from cmp.model import Alias


@bp.route("/sites/<site>/aliases", methods=["POST"])
def link_aliases(site: str) -> tuple[Response, int]:
    """Link up to ``inputs.MAX_PER_CALL`` aliases to a visitor who has a decision on this site."""
    _, store, _ = auth.keyed(site, "write")
    data = declared.body(AliasLink, current_app.config["PUBLIC_MAX_BYTES"])
    signed = data.visitor_id
    try:
        raw = ids.verify(context.secret(), signed)
    except ids.InvalidVisitorId as exc:
        raise Problem(400, "invalid_visitor_id", str(exc)) from exc
    pairs = list(dict.fromkeys(item.pair() for item in data.aliases))
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
