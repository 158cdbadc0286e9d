"""Confirmation records for people and archives: JSON, CSV (Japanese or English headers), JSONL.

Rows carry every Rule 28 item (consent confirmation and how, dates, the recipient's name,
address and representative, the items) plus the counts and retention; visitor ids leave
cmp as lookup-only ids (:mod:`cmp.lookup`), never in the signed form that can change
consent. Writers take iterables so that an export of millions of ids streams instead of
building one document in memory.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from cmp import csvsafe, jst
from cmp.model import ProvisionRecord, ReceivedProvision

#: CSV columns of a confirmation record: (key, Japanese header, English header).
COLUMNS = (
    ("record_id", "記録ID", "Record ID"),
    ("created_at", "作成日時", "Created at"),
    ("provided_from", "提供期間（開始）", "Provided from"),
    ("provided_to", "提供期間（終了）", "Provided to"),
    ("first_day", "提供の初日（日本時間）", "First day (JST)"),
    ("last_day", "提供の末日（日本時間）", "Last day (JST)"),
    ("recipient_key", "提供先キー", "Recipient key"),
    ("recipient_name", "提供先の氏名又は名称", "Recipient name"),
    ("recipient_address", "提供先の住所", "Recipient address"),
    ("recipient_representative", "提供先の代表者の氏名", "Recipient representative"),
    ("recipient_country", "提供先の所在国", "Recipient country"),
    ("items", "個人関連情報の項目", "Items"),
    ("purpose", "提供先の利用目的", "Purpose"),
    ("consent_confirmation", "本人の同意の確認（方法）", "Consent confirmation"),
    ("foreign_info_confirmation", "外国提供に係る情報提供の確認", "Foreign information"),
    ("allowed_count", "提供した件数", "Allowed"),
    ("denied_count", "提供しなかった件数", "Denied"),
    ("retention_until", "保存期限", "Retain until"),
    ("created_by", "確認を行ったAPIキー", "API key"),
    ("kind", "記録の種類", "Record kind"),
)
#: Extra columns of a per-visitor export (disclosure, Art. 33(5)).
VISITOR_COLUMNS = (
    ("visitor_id", "訪問者ID", "Visitor ID"),
    ("receipt_id", "同意の受領証ID", "Consent receipt ID"),
)
#: CSV columns of a received-provision record (Art. 30).
RECEIVED_COLUMNS = (
    ("record_id", "記録ID", "Record ID"),
    ("created_at", "作成日時", "Created at"),
    ("received_at", "受領日", "Received at"),
    ("provider_name", "提供元の氏名又は名称", "Provider name"),
    ("provider_address", "提供元の住所", "Provider address"),
    ("provider_representative", "提供元の代表者の氏名", "Provider representative"),
    ("person_id", "本人を識別する符号", "Person ID"),
    ("items", "個人関連情報の項目", "Items"),
    ("consent_statement", "本人の同意等の確認", "Consent statement"),
    ("foreign_statement", "外国提供に係る確認", "Foreign statement"),
    ("retention_until", "保存期限", "Retain until"),
    ("created_by", "記録したAPIキー", "API key"),
)
_ITEM_SEP = {"ja": "、", "en": "; "}
_KINDS = {
    "pri": ("個人関連情報の提供（法第31条・確認記録）", "PRI provision (Art. 31)"),
    "personal_data": ("個人データの第三者提供（法第29条・提供記録）", "Personal data (Art. 29)"),
}


def headers(columns: tuple[tuple[str, str, str], ...], lang: str) -> list[str]:
    """Return the header row of ``columns`` in ``lang`` (``ja`` or ``en``)."""
    return [ja if lang == "ja" else en for _, ja, en in columns]


def row(record: ProvisionRecord, lang: str = "ja") -> dict[str, Any]:
    """Return one record as a flat row keyed by :data:`COLUMNS`."""
    recipient = record.recipient
    return {
        "record_id": record.record_id,
        "kind": _KINDS.get(record.kind, _KINDS["pri"])[0 if lang == "ja" else 1],
        "created_at": record.created_at,
        "provided_from": record.provided_from,
        "provided_to": record.provided_to,
        "first_day": record.first_day or jst.day(record.provided_from),
        "last_day": record.last_day or jst.day(record.provided_to),
        "recipient_key": recipient.get("key", ""),
        "recipient_name": recipient.get("name", ""),
        "recipient_address": recipient.get("address", ""),
        "recipient_representative": recipient.get("representative", ""),
        "recipient_country": recipient.get("country", ""),
        "items": _ITEM_SEP.get(lang, "; ").join(record.items),
        "purpose": record.purpose,
        "consent_confirmation": record.consent_confirmation,
        "foreign_info_confirmation": record.foreign_info_confirmation,
        "allowed_count": record.allowed_count,
        "denied_count": record.denied_count,
        "retention_until": record.retention_until,
        "created_by": record.created_by,
    }


def received_row(record: ReceivedProvision, lang: str = "ja") -> dict[str, Any]:
    """Return one received-provision record as a flat row keyed by :data:`RECEIVED_COLUMNS`."""
    data = record.to_dict()
    for part in ("name", "address", "representative"):
        data[f"provider_{part}"] = record.provider.get(part, "")
    data["items"] = _ITEM_SEP.get(lang, "; ").join(record.items)
    return {key: data.get(key, "") for key, _, _ in RECEIVED_COLUMNS}


def present(
    record: ProvisionRecord, sign: Callable[[str, str], str] | None = None
) -> dict[str, Any]:
    """Return the JSON form of a record; with ``sign`` (raw id, recipient key -> lookup id),
    its allowed ids as ``[{"visitor_id": lookup id, "receipt_id"}]``, else without them."""
    out = record.to_dict()
    allowed = out.pop("allowed")
    if sign is not None:
        key = record.recipient.get("key", "")
        out["allowed"] = [{"visitor_id": sign(vid, key), "receipt_id": rid} for vid, rid in allowed]
    return out


def csv_lines(
    rows: Iterable[dict[str, Any]], columns: tuple[tuple[str, str, str], ...], lang: str
) -> Iterator[str]:
    """Yield CSV text: a header row in ``lang``, then one line per row (RFC 4180, CRLF);
    cells that would run as a spreadsheet formula are neutralised (:mod:`cmp.csvsafe`)."""
    buffer = io.StringIO()
    writer = csvsafe.Writer(buffer)
    writer.writerow(headers(columns, lang))
    for item in rows:
        writer.writerow([item.get(key, "") for key, _, _ in columns])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def visitor_rows(
    records: Iterable[ProvisionRecord], sign: Callable[[str, str], str], lang: str = "ja"
) -> Iterator[dict[str, Any]]:
    """Yield one row per (record, allowed id): the per-visitor and full-detail CSV form."""
    for record in records:
        base = row(record, lang)
        for vid, rid in record.allowed:
            yield {**base, "visitor_id": sign(vid, base["recipient_key"]), "receipt_id": rid}


def jsonl_lines(
    records: Iterable[ProvisionRecord], sign: Callable[[str, str], str] | None
) -> Iterator[str]:
    """Yield one JSON document per record and line (allowed ids included when signing)."""
    for record in records:
        yield json.dumps(present(record, sign), ensure_ascii=False) + "\n"


def parse_csv(text: str, columns: tuple[tuple[str, str, str], ...] = COLUMNS) -> list[dict]:
    """Read back a CSV written by :func:`csv_lines` (either language) into rows by key."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    header = next(reader)
    by_header = {h: key for key, ja, en in columns for h in (ja, en)}
    keys = [by_header[h] for h in header]
    return [dict(zip(keys, (csvsafe.restore(v) for v in line), strict=True)) for line in reader]


#: What a disclosure to one person leaves out: other people's counts and cmp's key ids.
_NOT_FOR_PERSON = ("allowed_count", "denied_count", "created_by")
#: CSV columns of a disclosure to one person (Art. 33(5)).
PERSON_COLUMNS = tuple(c for c in COLUMNS if c[0] not in _NOT_FOR_PERSON) + VISITOR_COLUMNS


def for_person(doc: dict[str, Any], lang: str = "ja") -> dict[str, Any]:
    """Return a record's JSON form as disclosed to the person it concerns: only what concerns
    them, with a plain sentence saying what the record shows (ja or en)."""
    out = {k: v for k, v in doc.items() if k not in _NOT_FOR_PERSON}
    name = (doc.get("recipient") or {}).get("name", "")
    first = doc.get("first_day") or jst.day(doc.get("provided_from", ""))
    last = doc.get("last_day") or jst.day(doc.get("provided_to", ""))
    days = first if first == last else f"{first}〜{last}"
    listed = _ITEM_SEP.get(lang, "; ").join(doc.get("items") or [])
    if lang == "en":
        out["summary"] = (
            f"On {days} (Japan time), this site provided your information ({listed}) to"
            f" {name}, after checking your consent."
        )
    else:
        out["summary"] = (
            f"当サイトは、{days}（日本時間）に、あなたの同意を確認したうえで、あなたの情報"
            f"（{listed}）を{name}に提供しました。"
        )
    return out
