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

from cmp import csvsafe, jst, personal
from cmp.model import ProvisionRecord, ReceivedProvision
from cmp.receipts import shown_receipt_id

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
    # One column for both kinds (the kind column says which): an Art. 29 record's items are
    # personal data, never headed as 個人関連情報.
    ("items", "提供する情報の項目（個人関連情報又は個人データ）", "Items"),
    # Rule 20(1): an Art. 29 record names the people provided (empty for a PRI record).
    ("identified", "本人を特定するに足りる事項（個人データの提供）", "Persons identified"),
    ("purpose", "提供先の利用目的", "Purpose"),
    ("consent_confirmation", "本人の同意の確認（方法）", "Consent confirmation"),
    ("foreign_info_confirmation", "外国提供に係る情報提供の確認", "Foreign information"),
    # "Allowed", not "provided": a check may precede its period (a planned provision).
    ("allowed_count", "提供を認めた件数", "Allowed"),
    ("denied_count", "提供を認めなかった件数", "Denied"),
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
    # A recipient that does not link: Art. 31 does not apply (the record says why), so the
    # record is kept of the check, not as the Rule 28 record.
    "pri_no_link": (
        "個人関連情報の提供（法第31条の適用なし・確認の記録）",
        "PRI provision (Art. 31 not applicable; record of the check)",
    ),
}


def headers(columns: tuple[tuple[str, str, str], ...], lang: str) -> list[str]:
    """Return the header row of ``columns`` in ``lang`` (``ja`` or ``en``)."""
    return [ja if lang == "ja" else en for _, ja, en in columns]


def _kind(record: ProvisionRecord) -> str:
    if record.kind in _KINDS and record.kind != "pri":
        return record.kind
    return "pri" if record.recipient.get("links_personal_data", True) else "pri_no_link"


def row(record: ProvisionRecord, lang: str = "ja") -> dict[str, Any]:
    """Return one record as a flat row keyed by :data:`COLUMNS`."""
    recipient = record.recipient
    return {
        "record_id": record.record_id,
        "kind": _KINDS[_kind(record)][0 if lang == "ja" else 1],
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
        "identified": " ".join(f"{kind}:{value}" for kind, value in record.identified),
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
        out["allowed"] = [_allowed(sign(vid, key), rid) for vid, rid in allowed]
    return out


def _allowed(named: str, stored_receipt: str) -> dict[str, str]:
    return {"visitor_id": named, "receipt_id": shown_receipt_id(named, stored_receipt)}


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
            named = sign(vid, base["recipient_key"])
            yield {**base, "visitor_id": named, "receipt_id": shown_receipt_id(named, rid)}


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


#: What a disclosure to one person leaves out: other people's counts, cmp's key ids, and the
#: identifiers of everyone an Art. 29 record names (other people's hashed e-mails).
_NOT_FOR_PERSON = ("allowed_count", "denied_count", "created_by", "identified")
#: CSV columns of a disclosure to one person (Art. 33(5)).
PERSON_COLUMNS = tuple(c for c in COLUMNS if c[0] not in _NOT_FOR_PERSON) + VISITOR_COLUMNS


#: The disclosure's sentence per tense: a period not begun yet is planned, one under way
#: is going on, one over was provided (never the past tense for what has not happened).
_SUMMARIES = {
    ("ja", "planned"): (
        "当サイトは、あなたの同意を確認したうえで、{days}（日本時間）に、あなたの情報（{listed}）を"
        "{name}に提供する予定です（まだ提供していません）。"
    ),
    ("ja", "ongoing"): (
        "当サイトは、あなたの同意を確認したうえで、{days}（日本時間）の期間に、あなたの情報"
        "（{listed}）を{name}に提供しています。"
    ),
    ("ja", "past"): (
        "当サイトは、{days}（日本時間）に、あなたの同意を確認したうえで、あなたの情報"
        "（{listed}）を{name}に提供しました。"
    ),
    ("en", "planned"): (
        "After checking your consent, this site plans to provide your information ({listed})"
        " to {name} {days} (Japan time); it has not been provided yet."
    ),
    ("en", "ongoing"): (
        "After checking your consent, this site is providing your information ({listed}) to"
        " {name} {days} (Japan time)."
    ),
    ("en", "past"): (
        "This site provided your information ({listed}) to {name} {days} (Japan time), after"
        " checking your consent."
    ),
}


def item_names(doc: dict[str, Any], lang: str) -> list[str]:
    """The record's items in ``lang``: each registered item by its place in the recipient's
    lists kept in the record (``item_names``), the built-in personal-data items by their
    own names, any other item as recorded."""
    listed = list(doc.get("items") or [])
    names = (doc.get("recipient") or {}).get("item_names") or {}
    wanted = names.get(lang) or []
    by_name = {}
    for values in names.values():
        by_name.update({v: wanted[i] for i, v in enumerate(values) if i < len(wanted)})
    for label in personal.LABELS.values():
        by_name.update({v: label.get(lang) or v for v in label.values()})
    return [by_name.get(item, item) for item in listed]


def tense(first: str, last: str, today: str) -> str:
    """``planned``, ``ongoing`` or ``past`` for a period of JST days seen on ``today``."""
    if today < first:
        return "planned"
    return "ongoing" if today < last else "past"


def for_person(doc: dict[str, Any], lang: str = "ja", today: str = "") -> dict[str, Any]:
    """Return a record's JSON form as disclosed to the person it concerns: only what concerns
    them, with a plain sentence saying what the record shows (ja or en) in the tense the
    period has on ``today`` (a JST day; default: today in Japan)."""
    out = {k: v for k, v in doc.items() if k not in _NOT_FOR_PERSON}
    recipient = doc.get("recipient") or {}
    name = (recipient.get("name_en") if lang == "en" else "") or recipient.get("name", "")
    first = doc.get("first_day") or jst.day(doc.get("provided_from", ""))
    last = doc.get("last_day") or jst.day(doc.get("provided_to", ""))
    if lang == "en":
        days = f"on {first}" if first == last else f"from {first} to {last}"
    else:
        days = first if first == last else f"{first}〜{last}"
    listed = _ITEM_SEP.get(lang, "; ").join(item_names(doc, lang))
    when = tense(first, last, today or jst.today().isoformat())
    key = (lang if lang == "en" else "ja", when)
    out["summary"] = _SUMMARIES[key].format(days=days, listed=listed, name=name)
    return out
