"""Provision checks (APPI Art. 31, scope provision) and received provisions (Art. 30).

``POST /sites/{site}/provision-checks`` answers per id and writes one confirmation record;
``POST /sites/{site}/received-provisions`` records information received from a provider
(items checked by the one rule of :mod:`cmp.items`), ``GET`` lists those records (scope
read): ``?person_id=`` one person's only (disclosure), ``format=csv`` with ``lang``.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, request

from cmp import clock, context, provision, records
from cmp import items as items_rule
from cmp.api import auth, bp
from cmp.api import records as records_api
from cmp.api.aliases import parse_identifier
from cmp.api.problems import Problem, field, json_body
from cmp.api.records import parse_time
from cmp.model import LANGS, ReceivedProvision

MAX_ITEMS = 100
_TEXT = 2000


def _items(data: dict[str, Any]) -> list[str]:
    items = field(data, "items", list)
    if not items or len(items) > MAX_ITEMS or not all(isinstance(i, str) and i for i in items):
        raise Problem(
            422, "validation_error", f"'items' must list 1 to {MAX_ITEMS} item names", field="items"
        )
    return list(dict.fromkeys(items))


def _entries(data: dict[str, Any]) -> tuple[list[str], list[tuple[str, str]]]:
    """Return the visitor ids or identifiers of a check, enforcing PROVISION_MAX_IDS."""
    visitor_ids = field(data, "visitor_ids", list, required=False)
    identifiers = field(data, "identifiers", list, required=False)
    if (visitor_ids is None) == (identifiers is None):
        raise Problem(422, "validation_error", "send either 'visitor_ids' or 'identifiers'")
    entries = visitor_ids if visitor_ids is not None else identifiers
    limit = int(current_app.config["PROVISION_MAX_IDS"])
    if len(entries) > limit:
        raise Problem(
            413,
            "payload_too_large",
            f"at most {limit} ids per provision check; split the batch",
            limit=limit,
        )
    if not entries:
        raise Problem(422, "validation_error", "send at least one id")
    if visitor_ids is not None:
        if not all(isinstance(v, str) for v in visitor_ids):
            raise Problem(422, "validation_error", "'visitor_ids' must be strings")
        return visitor_ids, []
    return [], [parse_identifier(item) for item in identifiers]


@bp.route("/sites/<site>/provision-checks", methods=["POST"])
def provision_check(site: str) -> Response:
    """Check up to PROVISION_MAX_IDS ids for provision to a recipient; 200 with verdicts."""
    built, store, key = auth.keyed(site, "provision")
    data = json_body(int(current_app.config["MAX_CONTENT_LENGTH"]))
    recipient = field(data, "recipient", str)
    items = _items(data)
    visitor_ids, identifiers = _entries(data)
    provided_from = parse_time(field(data, "provided_from", str, required=False), "provided_from")
    provided_to = parse_time(field(data, "provided_to", str, required=False), "provided_to")
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


def _text(data: dict[str, Any], name: str, required: bool = True) -> str:
    value = field(data, name, str, required=required, default="")
    if len(value) > _TEXT:
        raise Problem(422, "validation_error", f"'{name}' is too long", field=name)
    return value


@bp.route("/sites/<site>/received-provisions", methods=["POST"])
def record_received(site: str) -> tuple[Response, int]:
    """Record personally referable information received from a provider (Art. 30)."""
    _, store, key = auth.keyed(site, "provision")
    data = json_body(current_app.config["PUBLIC_MAX_BYTES"])
    provider = field(data, "provider", dict)
    parts = {}
    for part in ("name", "address", "representative"):
        value = provider.get(part)
        if not isinstance(value, str) or not value.strip() or len(value) > 500:
            raise Problem(
                422, "validation_error", f"provider.{part} is required", field=f"provider.{part}"
            )
        parts[part] = value.strip()
    received_items = _items(data)
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
        person_id=_text(data, "person_id"),
        consent_statement=_text(data, "consent_statement"),
        received_at=parse_time(field(data, "received_at", str, required=False), "received_at")
        or clock.iso(now),
        created_by=key.key_id,
        retention_until=provision.retention_until(
            now, int(current_app.config["PROVISION_RETENTION_DAYS"])
        ),
        created_at=clock.iso(now),
        foreign_statement=_text(data, "foreign_statement", required=False),
        note=_text(data, "note", required=False),
    )
    if not record.person_id or not record.consent_statement:
        raise Problem(422, "validation_error", "'person_id' and 'consent_statement' are required")
    store.append_received_provision(record)
    return jsonify(record.to_dict()), 201


@bp.route("/sites/<site>/received-provisions", methods=["GET"])
def list_received(site: str) -> Response:
    """List received-provision records by creation time (scope read)."""
    _, store, _ = auth.keyed(site, "read")
    start = parse_time(request.args.get("from"), "from")
    end = parse_time(request.args.get("to"), "to")
    found = store.query_received_provisions(site, start=start, end=end)
    # Disclosure to one person (Art. 33(5) applied to the receiver's records): their own only.
    person = request.args.get("person_id")
    if person is not None:
        found = [r for r in found if r.person_id == person]
    fmt, lang = request.args.get("format", "json"), request.args.get("lang", "ja")
    if fmt not in ("json", "csv") or lang not in LANGS:
        raise Problem(422, "validation_error", "'format' is json or csv, 'lang' ja or en")
    if fmt == "csv":
        rows = [records.received_row(r, lang) for r in found]
        return records_api.csv_response(rows, records.RECEIVED_COLUMNS, lang, f"{site}-received")
    return jsonify({"records": [r.to_dict() for r in found], "count": len(found)})
