"""Decisions: record (public, from the banner), look up, history, opt-out (API key)."""

from __future__ import annotations

from flask import Response, current_app, jsonify, request

from cmp import aliases as cmp_aliases
from cmp import consents, context, ids, lookup
from cmp.api import allow_origin, auth, bp, cors, declared, json_response, site_config
from cmp.api.inputs import Decision, OptOut
from cmp.api.problems import Problem
from cmp.api.problems import response as problem_response
from cmp.decisions import DecisionError
from cmp.model import LANGS
from cmp.ratelimit import client_key, limiter, public_limit, take_charges
from cmp.receipts import truncate_ip, ua_summary
from cmp.siteconfig import BuiltConfig
from cmp.storage import StorageError

_SOURCE = 64
_NOTE = 500


def _raw_id(value: object) -> str:
    """Verify a signed visitor id (before any store access) or raise 400."""
    try:
        return ids.verify(context.secret(), value)
    except ids.InvalidVisitorId as exc:
        raise Problem(400, "invalid_visitor_id", str(exc)) from exc


def _keyed_raw(site: str, value: object) -> str:
    """The raw id of a keyed endpoint's visitor: a signed id or a lookup-only id of the
    site (:mod:`cmp.lookup`), verified before any store access; else 400."""
    if lookup.is_lookup_id(value):
        raw = lookup.parse(context.lookup_secret(), site, value)
        if raw is None:
            raise Problem(
                400, "invalid_visitor_id", "lookup id is forged, malformed or of another site"
            )
        return raw
    return _raw_id(value)


def _client(lang: str, texts_hash: str, source: str = "", note: str = "") -> consents.Context:
    return consents.Context(
        lang=lang,
        user_agent=ua_summary(request.headers.get("User-Agent", "")),
        ip=truncate_ip(request.remote_addr or ""),
        texts_hash=texts_hash,
        source=source,
        note=note,
    )


@bp.route("/sites/<site>/consents", methods=["OPTIONS"])
def consents_preflight(site: str) -> Response:
    """CORS preflight for recording a decision (no store access; see cmp.api.cors)."""
    return cors.preflight("POST")


@bp.route("/sites/<site>/consents", methods=["POST"])
@limiter.limit(public_limit, key_func=client_key, fold=True)
def record_consent(site: str) -> Response:
    """Record a visitor's decision; 201 with the (new) signed visitor id and the state."""
    # Site and origin first: a foreign origin gets 403 whatever its body (cmp.api.cors).
    built = site_config(site)
    cors.require_origin(built)
    data = declared.body(Decision, current_app.config["PUBLIC_MAX_BYTES"])
    fresh = data.visitor_id is None
    secret = context.secret()
    if fresh:
        raw, signed = ids.issue(secret)
    else:
        raw, signed = _raw_id(data.visitor_id), data.visitor_id
    version, lang = data.policy_version, data.lang
    gpc = data.gpc or request.headers.get("Sec-GPC") == "1"
    # A bad alias is left out, never a 422: it must not sink the visitor's decision.
    aliases, ignored = cmp_aliases.banner_aliases(data.aliases, built.site.alias_cookies)
    if version != built.site.policy_version:
        raise Problem(
            409,
            "policy_outdated",
            f"policy version {version} is not the current one",
            current_version=built.site.policy_version,
        )
    shown = built if lang == LANGS[0] else site_config(site, lang)
    store = context.store()
    try:
        state, receipt = consents.record(
            store,
            built.site,
            built.categories,
            built.recipients,
            raw,
            data.categories,
            data.recipients,
            method=data.method,
            gpc=gpc,
            ctx=_client(lang, shown.texts_hash),
            aliases=aliases,
            fresh=fresh,
            # The rate limit rides in the decision's own write where the store can.
            charges=lambda: take_charges(store),
        )
    except DecisionError as exc:
        raise Problem(422, exc.code, exc.detail) from exc
    except StorageError as exc:
        return _not_stored(exc, signed, built)
    body = {
        "visitor_id": signed,
        "receipt_id": receipt.receipt_id,
        # The id as issued or verified above: no second signature.
        "consent": consents.present_state(secret, state, built.site, shown_id=signed),
        # The counter as the config built before this decision read it: never newer than
        # the state above, so the banner at worst asks for the state once more.
        "sync": built.sync,
    }
    if ignored:
        body["ignored_aliases"] = ignored
    return allow_origin(json_response(body, 201), built)


def _not_stored(exc: StorageError, signed: str, built: BuiltConfig) -> Response:
    """A 503 the banner can read (CORS) that hands back the visitor id it was given.

    The decision may even be stored (its replicas did not confirm in time), and the banner
    retries it later. The retry must come as this visitor: a second new id would claim the
    visitor's own alias cookies a second time and leave them in conflict.
    """
    current_app.logger.warning("store unavailable: %s", exc)
    resp = problem_response(
        Problem(
            503,
            "store_unavailable",
            "the consent store is unreachable; retry later with this visitor_id",
            visitor_id=signed,
        )
    )
    return allow_origin(resp, built)


@bp.route("/sites/<site>/consents/<visitor_id>", methods=["GET"])
def get_consent(site: str, visitor_id: str) -> Response:
    """Return the visitor's current state (scope ``read``)."""
    built, store, _ = auth.keyed(site, "read")
    raw = _keyed_raw(site, visitor_id)
    state = store.get_state(site, raw)
    if state is None:
        raise Problem(404, "unknown_visitor", "no decision recorded for this visitor")
    # The id as given: a lookup id is never answered with the signed id it stands for.
    return json_response(
        consents.present_state(context.secret(), state, built.site, shown_id=visitor_id)
    )


@bp.route("/sites/<site>/consents/<visitor_id>/receipts", methods=["GET"])
def get_receipts(site: str, visitor_id: str) -> Response:
    """Return the visitor's decisions on this site, oldest first (scope ``read``)."""
    _, store, _ = auth.keyed(site, "read")
    raw = _keyed_raw(site, visitor_id)
    found = store.get_receipts(site, raw)
    if not found:
        raise Problem(404, "unknown_visitor", "no decision recorded for this visitor")
    return jsonify(
        {
            "visitor_id": visitor_id,
            "receipts": [consents.present_receipt(r, visitor_id) for r in found],
        }
    )


@bp.route("/sites/<site>/opt-outs", methods=["POST"])
def post_opt_out(site: str) -> Response:
    """Record an opt-out for some or all categories (scope ``write``)."""
    built, _, _ = auth.keyed(site, "write")
    data = declared.body(OptOut, current_app.config["PUBLIC_MAX_BYTES"])
    # A lookup id may opt a visitor out (an opt-out can only narrow consent).
    given, targets = data.visitor_id, data.categories
    raw = _keyed_raw(site, given)
    source, note = data.source[:_SOURCE], data.note[:_NOTE]
    try:
        state, receipt = consents.opt_out(
            context.store(),
            built.site,
            built.categories,
            built.recipients,
            raw,
            targets,
            ctx=_client("ja", built.texts_hash, source, note),
        )
    except DecisionError as exc:
        raise Problem(422, exc.code, exc.detail) from exc
    # A state changed by the operator, not by the visitor's banner: tell the banners.
    context.store().bump_sync(site)
    body = {
        "visitor_id": given,
        "receipt_id": receipt.receipt_id,
        "consent": consents.present_state(context.secret(), state, built.site, shown_id=given),
    }
    return json_response(body, 201)
