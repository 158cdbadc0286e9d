"""Compact binary encoding of receipts and of a visitor's receipt blob (see :mod:`.codec`).

- A receipt is ``[0x20][created u32][site][choice][shown][ua][ip][source][note]
  [prev hash][hash]``: site, choice, (language, texts hash) and user-agent summary are ids
  into intern tables, hashes are 32 raw bytes, IPs 4 or 16 raw bytes. Its id, sequence
  number and visitor id come from its position and key, so a first receipt is about 50
  bytes instead of about 600 as JSON.
- A visitor's receipts are one string: ``[count u32][head hash 32 bytes]`` then each
  receipt length-prefixed, so the decision script compares the header and rewrites the
  blob in one step, and the chain head needs no key of its own.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from typing import Any

from cmp.chain import receipt_id
from cmp.model import Receipt
from cmp.storage.codec import (
    dumps,
    epoch,
    get_text,
    get_varint,
    is_json,
    iso,
    loads,
    put_text,
    put_varint,
)

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
RECEIPT_TAG = 0x20
HEADER = 36  # receipt blob header: count (4 bytes) + head hash (32 bytes)

# -- receipts -----------------------------------------------------------------------------


def _put_hash(out: bytearray, value: str) -> None:
    if not value:
        out.append(0)
    elif _HEX64.match(value):
        out.append(1)
        out += bytes.fromhex(value)
    else:
        out.append(2)
        put_text(out, value)


def _get_hash(data: bytes, pos: int) -> tuple[str, int]:
    kind = data[pos]
    if kind == 0:
        return "", pos + 1
    if kind == 1:
        return data[pos + 1 : pos + 33].hex(), pos + 33
    return get_text(data, pos + 1)


def _put_ip(out: bytearray, text: str) -> None:
    out += _packed_ip(text)


@lru_cache(maxsize=4096)
def _packed_ip(text: str) -> bytes:
    # Cached like the truncation it stores (cmp.receipts): one client sends many decisions.
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        address = None
    out = bytearray()
    if address is not None and str(address) == text:
        out.append(address.version)
        out += address.packed
    elif not text:
        out.append(0)
    else:
        out.append(1)
        put_text(out, text)
    return bytes(out)


def _get_ip(data: bytes, pos: int) -> tuple[str, int]:
    kind = data[pos]
    if kind == 4:
        return str(ipaddress.IPv4Address(data[pos + 1 : pos + 5])), pos + 5
    if kind == 6:
        return str(ipaddress.IPv6Address(data[pos + 1 : pos + 17])), pos + 17
    if kind == 0:
        return "", pos + 1
    return get_text(data, pos + 1)


def pack_receipt(r: Receipt, site_no: int, choice_id: int, shown_id: int, ua_id: int) -> bytes:
    """Encode a sealed receipt with its interned parts (JSON if it does not fit)."""
    created = epoch(r.created_at)
    if not created or r.receipt_id != receipt_id(r.visitor_id, r.seq):
        return dumps(r.to_dict()).encode()
    out = bytearray((RECEIPT_TAG,))
    out += created.to_bytes(4, "big")
    for n in (site_no, choice_id, shown_id, ua_id):
        put_varint(out, n)
    _put_ip(out, r.ip)
    put_text(out, r.source)
    put_text(out, r.note)
    _put_hash(out, r.prev_hash)
    _put_hash(out, r.hash)
    return bytes(out)


def receipt_site_no(data: bytes) -> int | None:
    """Return the site number of a packed receipt (None for the JSON form)."""
    return None if is_json(data) else get_varint(data, 5)[0]


def unpack_receipt(vid: str, seq: int, data: bytes, lookup: Any) -> Receipt:
    """Decode a receipt; ``lookup`` has ``site(no)``, ``choice(site, id)``, ``shown(id)``
    and ``ua(id)`` for the interned parts."""
    if is_json(data):
        return Receipt.from_dict(loads(data))
    created = int.from_bytes(data[1:5], "big")
    site_no, pos = get_varint(data, 5)
    choice_id, pos = get_varint(data, pos)
    shown_id, pos = get_varint(data, pos)
    ua_id, pos = get_varint(data, pos)
    ip, pos = _get_ip(data, pos)
    source, pos = get_text(data, pos)
    note, pos = get_text(data, pos)
    prev_hash, pos = _get_hash(data, pos)
    own_hash, pos = _get_hash(data, pos)
    site = lookup.site(site_no)
    pv, method, gpc, cats, recips, opted = lookup.choice(site, choice_id)
    lang, texts_hash = lookup.shown(shown_id)
    return Receipt(
        receipt_id=receipt_id(vid, seq),
        visitor_id=vid,
        site=site,
        created_at=iso(created),
        policy_version=pv,
        texts_hash=texts_hash,
        categories=dict(cats),
        recipients=dict(recips),
        opted_out=list(opted),
        method=method,
        lang=lang,
        gpc=bool(gpc),
        source=source,
        note=note,
        ua=dict(lookup.ua(ua_id)),
        ip=ip,
        seq=seq,
        prev_hash=prev_hash,
        hash=own_hash,
    )


def blob_header(count: int, head: str) -> bytes:
    """Return the receipt blob header for ``count`` receipts whose newest hash is ``head``."""
    return count.to_bytes(4, "big") + (bytes.fromhex(head) if head else bytes(32))


def read_header(blob: bytes | None) -> tuple[int, str]:
    """Return ``(count, head hash)`` from a receipt blob (or its first 36 bytes)."""
    if not blob:
        return 0, ""
    count = int.from_bytes(blob[:4], "big")
    return count, (blob[4:HEADER].hex() if count else "")


def element(packed: bytes) -> bytes:
    """Return ``packed`` length-prefixed, ready to append to a receipt blob."""
    out = bytearray()
    put_varint(out, len(packed))
    return bytes(out) + packed


def split_blob(blob: bytes | None) -> list[bytes]:
    """Return the packed receipts of a blob, oldest first."""
    out: list[bytes] = []
    pos = HEADER
    while blob and pos < len(blob):
        size, pos = get_varint(blob, pos)
        out.append(blob[pos : pos + size])
        pos += size
    return out
