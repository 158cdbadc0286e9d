"""``GET /api/v1/sites/{site}/provision-records``: confirmation records (scope read).

Query: ``from``, ``to`` (a day ``2026-01-01`` or an ISO time; ``to`` is exclusive),
``recipient``, ``format=json|csv``, ``lang=ja|en`` (CSV headers), ``ids=1`` (list the
allowed ids), ``limit`` (JSON only), and ``visitor_id`` for the records about one visitor
(disclosure on request, APPI Art. 33(5)). CSV and JSON both stream, one record at a time, so
an export of any size is served in bounded memory; its first batch is read before the
headers go out (a store that is down answers 503), and an export the store fails in the
middle of ends with a marker line and a broken transfer, never as a short file that looks
complete. The command line
(``cmp export-records``) is the path for very large exports.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import chain, islice

from flask import Response, current_app, jsonify, stream_with_context

from cmp import context, ids, lookup, records, rules
from cmp.api import auth, bp, declared
from cmp.api.inputs import RecordsQuery
from cmp.api.problems import Problem
from cmp.model import ProvisionRecord
from cmp.storage import StorageError


def parse_time(value: str | None, name: str) -> str:
    """Return ``value`` (a day or an ISO time, :func:`cmp.rules.parse_time`) as an ISO UTC
    time, ``""`` if absent; else 422 ``validation_error`` naming the field."""
    try:
        return rules.parse_time(value)
    except rules.BadTime as exc:
        raise Problem(422, "validation_error", f"'{name}' {exc}", field=name) from exc


@bp.route("/sites/<site>/provision-records", methods=["GET"])
def provision_records(site: str) -> Response:
    """List or export confirmation records."""
    _, store, _ = auth.keyed(site, "read")
    query = declared.query(RecordsQuery)
    start, end = parse_time(query.from_, "from"), parse_time(query.to, "to")
    recipient, fmt, lang, with_ids = query.recipient, query.format, query.lang, query.ids == "1"
    # Ids leave as lookup-only ids (cmp/lookup.py); a signed or lookup id may be asked for.
    sign = context.lookup_namer(site)
    if declared.present(query.visitor_id):
        visitor = query.visitor_id
        raw = lookup.parse(context.lookup_secret(), site, visitor) or ids.verifier(
            context.secret()
        ).raw(visitor)
        if raw is None:
            raise Problem(400, "invalid_visitor_id", "visitor id is forged or malformed")
        found = [
            r
            for r in store.visitor_provision_records(site, raw)
            if (not start or r.created_at >= start)
            and (not end or r.created_at < end)
            and (not recipient or r.recipient.get("key") == recipient)
        ]
        if fmt == "csv":
            rows = records.visitor_rows(found, sign, lang)
            return _csv(rows, records.PERSON_COLUMNS, lang, f"{site}-visitor")
        shown = [records.for_person(records.present(r, sign), lang) for r in found]
        return jsonify({"records": shown, "count": len(found)})
    if fmt == "csv":
        everything = _primed(
            store.iter_provision_records(
                site, start=start, end=end, recipient=recipient, with_ids=with_ids
            )
        )
        if with_ids:
            rows = records.visitor_rows(everything, sign, lang)
            columns = records.COLUMNS + records.VISITOR_COLUMNS
        else:
            rows = (records.row(r, lang) for r in everything)
            columns = records.COLUMNS
        return _csv(rows, columns, lang, f"{site}-provision-records")
    found = islice(
        _primed(
            store.iter_provision_records(
                site, start=start, end=end, recipient=recipient, with_ids=with_ids
            )
        ),
        query.limit,
    )
    return _json(found, sign if with_ids else None, lang, f"{site}-provision-records")


def _primed(found: Iterator[ProvisionRecord]) -> Iterator[ProvisionRecord]:
    """Return ``found`` with its first batch already read.

    Reading it here, before any header is sent, makes a store that is down at the start of an
    export a 503 problem+json rather than a 200 with an empty or broken body.
    """
    first = next(found, None)
    return iter(()) if first is None else chain((first,), found)


#: The last line of an export the store stopped answering in the middle of, one CSV field
#: (and, in a JSON export, a line that makes the document invalid).
INCOMPLETE = {
    "ja": "!! エクスポート未完了: 同意ストアが応答しなくなりました。"
    "このファイルは途中までです。再実行してください",
    "en": "!! EXPORT INCOMPLETE: the consent store stopped answering; this file is truncated, "
    "run the export again",
}


def _streamed(lines: Iterator[str], lang: str, name: str) -> Iterator[str]:
    """Yield ``lines``; if the store fails midway, end with the marker and break the transfer.

    The 200 and its headers are gone already, so the failure is signalled twice: a last line
    no record can look like (for whoever opens the saved file), then the error is re-raised,
    which makes the server drop the connection without the final zero-length chunk, so an
    HTTP/1.1 client sees a broken transfer (curl: "transfer closed with outstanding read
    data", requests: ChunkedEncodingError, a browser: a failed download) instead of a short
    file that parses as a complete export.
    """
    try:
        yield from lines
    except StorageError as exc:
        current_app.logger.warning("export %s cut short: %s", name, exc)
        yield f"\r\n{INCOMPLETE[lang]}\r\n" if name.endswith(".json") else f"{INCOMPLETE[lang]}\r\n"
        raise


def _csv(rows, columns, lang: str, name: str) -> Response:
    # A byte-order mark first: spreadsheet software then reads the Japanese text as UTF-8.
    lines = chain(("\ufeff",), records.csv_lines(rows, columns, lang))
    resp = Response(stream_with_context(_streamed(lines, lang, f"{name}.csv")), mimetype="text/csv")
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return resp


def _json(
    found: Iterable[ProvisionRecord], sign: Callable[[str], str] | None, lang: str, name: str
) -> Response:
    """Stream ``{"records": [...], "count": n}`` one record at a time (bounded memory: one
    record's ids at most, however many records and ids the answer holds)."""
    dumps = current_app.json.dumps

    def lines() -> Iterator[str]:
        yield '{"records": ['
        count = 0
        for record in found:
            yield ("," if count else "") + dumps(
                records.present(record, sign), separators=(",", ":")
            )
            count += 1
        yield f'], "count": {count}}}\n'

    return Response(
        stream_with_context(_streamed(lines(), lang, f"{name}.json")), mimetype="application/json"
    )


#: The streaming CSV answer (BOM first), for other endpoints' exports (received provisions).
csv_response = _csv
