"""``POST /api/v1/sites/{site}/consent-state``: a banner reads its visitor's current state.

The banner calls it when the config's ``sync`` counter is ahead of the one it remembers
(an operator changed some visitor's state on the server: an opt-out by phone, say), applies
the answer and remembers its ``sync`` (CONTRACT C, docs/api.md). The signed visitor id is the
banner's own credential, so it travels in the body, never in a URL (logs, referrers).
"""

from __future__ import annotations

from flask import Response, current_app

from cmp import consents, context, ids
from cmp.api import bp, cors, declared, json_response, site_config
from cmp.api.inputs import ConsentStateRequest
from cmp.api.problems import Problem
from cmp.ratelimit import client_key, limiter, public_limit


@bp.route("/sites/<site>/consent-state", methods=["OPTIONS"])
def consent_state_preflight(site: str) -> Response:
    """CORS preflight for reading one's state."""
    return cors.preflight("POST")


@bp.route("/sites/<site>/consent-state", methods=["POST"])
@limiter.limit(public_limit, key_func=client_key)
def consent_state(site: str) -> Response:
    """Return ``{"consent": <state>, "sync": <int>}`` for the visitor id in the body.

    The counter is read before the state: a change landing in between shows in the state
    under the older counter, so the banner at worst asks once more, and never remembers a
    counter whose change it did not see.
    """
    built = site_config(site)
    cors.require_origin(built)
    data = declared.body(ConsentStateRequest, current_app.config["PUBLIC_MAX_BYTES"])
    try:
        raw = ids.verify(context.secret(), data.visitor_id)
    except ids.InvalidVisitorId as exc:
        raise Problem(400, "invalid_visitor_id", str(exc)) from exc
    store = context.store()
    sync = store.get_sync(site)
    state = store.get_state(site, raw)
    if state is None:
        raise Problem(404, "unknown_visitor", "no decision recorded for this visitor")
    body = {"consent": consents.present_state(context.secret(), state, built.site), "sync": sync}
    resp = json_response(body)
    resp.headers["Cache-Control"] = "no-store"
    return resp
