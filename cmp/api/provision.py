"""Provision checks (APPI Art. 31, scope provision) and received provisions (Art. 30).

``POST /sites/{site}/provision-checks`` answers per id and writes one confirmation record;
``POST /sites/{site}/received-provisions`` records information received from a provider
(items checked by the one rule of :mod:`cmp.items`), ``GET`` lists those records (scope
read): ``?person_id=`` one person's only (disclosure), ``format=csv`` with ``lang``.
"""

from __future__ import annotations

import msgspec
from flask import Response, current_app, jsonify

from cmp import clock, context, provision, records
from cmp import items as items_rule
from cmp.api import auth, bp, declared
from cmp.api import records as records_api
from cmp.api.inputs import ProvisionCheck, ReceivedProvisionInput, ReceivedQuery
from cmp.api.problems import Problem
from cmp.api.records import parse_time
from cmp.model import ReceivedProvision


def _entries(data: ProvisionCheck) -> tuple[list[str], list[tuple[str, str]]]:
    """Return the visitor ids or identifiers of a check, enforcing PROVISION_MAX_IDS (a
    setting, hence not in the declaration)."""
    given = data.visitor_ids if declared.present(data.visitor_ids) else data.identifiers
    limit = int(current_app.config["PROVISION_MAX_IDS"])
    if len(given) > limit:
        raise Problem(
            413,
            "payload_too_large",
            f"at most {limit} ids per provision check; split the batch",
            limit=limit,
        )
    if declared.present(data.visitor_ids):
        return data.visitor_ids, []
    return [], [item.pair() for item in data.identifiers]


def _time(value: str, name: str) -> str:
    return parse_time(value if declared.present(value) else "", name)


@bp.route("/sites/<site>/provision-checks", methods=["POST"])
def provision_check(site: str) -> Response:
    """Check up to PROVISION_MAX_IDS ids for provision to a recipient; 200 with verdicts."""
    built, store, key = auth.keyed(site, "provision")
    data = declared.body(ProvisionCheck, int(current_app.config["MAX_CONTENT_LENGTH"]))
    recipient, items = data.recipient, list(dict.fromkeys(data.items))
    visitor_ids, identifiers = _entries(data)
    provided_from = _time(data.provided_from, "provided_from")
    provided_to = _time(data.provided_to, "provided_to")
    if provided_from and provided_to and provided_from > provided_to:
        raise Problem(422, "validation_error", "'provided_from' is after 'provided_to'")
    try:
        result = provision.check(
            store,
            built.site,
            built.recipients,
            secret_key=context.secret(),
            recipient_key=recipient,
            items=items,
            visitor_ids=visitor_ids,
            identifiers=identifiers,
            created_by=key.key_id,
            retention_days=int(current_app.config["PROVISION_RETENTION_DAYS"]),
            provided_from=provided_from,
            provided_to=provided_to,
            lookup_secret=context.lookup_secret(),
            lookup_scope=context.lookup_scope(recipient),
        )
    except provision.ProvisionError as exc:
        raise Problem(422, exc.code, exc.detail, **exc.extra) from exc
    if identifiers:
        denied = [{**given, "reason": reason} for given, reason in result.denied]
    else:
        denied = [{"visitor_id": given, "reason": reason} for given, reason in result.denied]
    body = {
        "record_id": result.record.record_id,
        "allowed": result.allowed,
        "denied": denied,
        "allowed_count": len(result.allowed),
        "denied_count": len(result.denied),
    }
    if visitor_ids:
        # Aligned with the request's visitor_ids, so the caller can hand each allowed
        # visitor's data to the recipient under its lookup id (never the signed id).
        body["lookup_ids"] = [result.lookup_ids.get(v) for v in visitor_ids]
    return jsonify(body)


@bp.route("/sites/<site>/received-provisions", methods=["POST"])
def record_received(site: str) -> tuple[Response, int]:
    """Record personally referable information received from a provider (Art. 30)."""
    _, store, key = auth.keyed(site, "provision")
    data = declared.body(ReceivedProvisionInput, current_app.config["PUBLIC_MAX_BYTES"])
    parts = {part: value.strip() for part, value in msgspec.structs.asdict(data.provider).items()}
    received_items = list(dict.fromkeys(data.items))
    vague = items_rule.first_vague(received_items)
    if vague is not None:
        raise Problem(
            422,
            "vague_item",
            f"'{vague}' does not name the information specifically (Art. 30 record)",
            field="items",
            items=[vague],
        )
    now = clock.now()
    record = ReceivedProvision(
        record_id=provision.new_record_id("rp"),
        site=site,
        provider=parts,
        items=received_items,
        person_id=data.person_id,
        consent_statement=data.consent_statement,
        received_at=_time(data.received_at, "received_at") or clock.iso(now),
        created_by=key.key_id,
        retention_until=provision.retention_until(
            now, int(current_app.config["PROVISION_RETENTION_DAYS"])
        ),
        created_at=clock.iso(now),
        foreign_statement=data.foreign_statement,
        note=data.note,
    )
    store.append_received_provision(record)
    return jsonify(record.to_dict()), 201


@bp.route("/sites/<site>/received-provisions", methods=["GET"])
def list_received(site: str) -> Response:
    """List received-provision records by creation time (scope read)."""
    _, store, _ = auth.keyed(site, "read")
    query = declared.query(ReceivedQuery)
    start, end = parse_time(query.from_, "from"), parse_time(query.to, "to")
    found = store.query_received_provisions(site, start=start, end=end)
    # Disclosure to one person (Art. 33(5) applied to the receiver's records): their own only.
    if declared.present(query.person_id):
        found = [r for r in found if r.person_id == query.person_id]
    lang = query.lang
    if query.format == "csv":
        rows = [records.received_row(r, lang) for r in found]
        return records_api.csv_response(rows, records.RECEIVED_COLUMNS, lang, f"{site}-received")
    return jsonify({"records": [r.to_dict() for r in found], "count": len(found)})
