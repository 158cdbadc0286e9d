"""Compact binary encodings of the records the Redis backend keeps per visitor.

Memory per visitor is the budget that decides how many visitors one Redis holds (120 bytes
for a state, 400 with its first receipt, measured by bench/provision_bench.py), so:

- What many visitors share is stored once. A state's *choice* (policy version, method,
  GPC, category and recipient maps, opt-outs) is interned per site (:mod:`.intern`), as are
  the user-agent summary and the (language, texts hash) a receipt was shown under; a record
  keeps only the small integer.
- A state is ``[0x10|flags][updated u32][expires delta varint][seq varint][choice varint]``:
  9 to 12 bytes, so the value sits in Redis's embedded-string allocation. The expiry is a
  delta in days when it is a whole number of days (the usual case), else in seconds.
- Receipts are encoded in :mod:`.receipt_codec` on the same principles.

Anything that does not fit (a time that is not whole seconds, a hash that is not SHA-256
hex) is stored as JSON instead, marked by its first byte ``[`` or ``{``, so the encodings
never lose information: decoding returns exactly the dataclass that was stored.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from cmp import clock
from cmp.chain import receipt_id
from cmp.model import ConsentState

_SEP = (",", ":")
STATE_TAG = 0x10
_DAYS, _NO_EXPIRY = 1, 2
_MAX_U32 = 2**32 - 1


#: One encoder for every call: ``json.dumps`` with options builds a new encoder each time,
#: and a decision write serialises five records (docs/benchmarks.md, profile).
_encode = json.JSONEncoder(separators=_SEP, ensure_ascii=False).encode


def dumps(data: Any) -> str:
    """Serialise a record dict compactly."""
    return _encode(data)


loads = json.loads


def put_varint(out: bytearray, n: int) -> None:
    """Append ``n`` (>= 0) as a little-endian base-128 varint."""
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


def get_varint(data: bytes, pos: int) -> tuple[int, int]:
    """Read a varint at ``pos``; return ``(value, next position)``."""
    n = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        n |= (byte & 0x7F) << shift
        if byte < 0x80:
            return n, pos
        shift += 7


def put_text(out: bytearray, text: str) -> None:
    raw = text.encode()
    put_varint(out, len(raw))
    out += raw


def get_text(data: bytes, pos: int) -> tuple[str, int]:
    size, pos = get_varint(data, pos)
    return data[pos : pos + size].decode(), pos + size


@lru_cache(maxsize=64)
def epoch(text: str) -> int | None:
    """Return whole epoch seconds for an ISO time if they give it back exactly, else None.

    Cached: a write packs three times (updated, created, expiry) that change once a
    second, two of them the same string.
    """
    if not text:
        return 0
    try:
        seconds = int(clock.parse(text).timestamp())
    except ValueError:
        return None
    return seconds if 0 < seconds <= _MAX_U32 and iso(seconds) == text else None


def iso(seconds: int) -> str:
    """Return the ISO form of epoch seconds ('' for 0)."""
    return clock.iso(datetime.fromtimestamp(seconds, UTC)) if seconds else ""


def choice_text(pv: int, method: str, gpc: bool, cats: Any, recips: Any, opted: Any) -> str:
    """Return the interned form of a choice (key order kept, so maps round-trip as stored)."""
    return dumps([pv, method, 1 if gpc else 0, cats, recips, list(opted)])


# -- states -------------------------------------------------------------------------------


def pack_state(state: ConsentState, choice_id: int) -> bytes:
    """Encode a state whose choice was interned as ``choice_id`` (JSON if it does not fit)."""
    updated, expires = epoch(state.updated_at), epoch(state.expires_at)
    seq = int(state.receipt_id.rsplit("-", 1)[1]) if state.receipt_id else 0
    if (
        updated is None
        or expires is None
        or (expires and expires < updated)
        or state.receipt_id != (receipt_id(state.visitor_id, seq) if seq else "")
    ):
        return dumps(state.to_dict()).encode()
    flags, delta = 0, expires - updated
    if not expires:
        flags = _NO_EXPIRY
    elif delta % 86400 == 0:
        flags, delta = _DAYS, delta // 86400
    out = bytearray((STATE_TAG | flags,))
    out += updated.to_bytes(4, "big")
    if expires:
        put_varint(out, delta)
    put_varint(out, seq)
    put_varint(out, choice_id)
    return bytes(out)


def _state_fields(data: bytes) -> tuple[int, int, int, int]:
    """Return ``(updated, expires, seq, choice_id)`` of a packed state."""
    flags = data[0] & 0x0F
    updated = int.from_bytes(data[1:5], "big")
    pos, expires = 5, 0
    if not flags & _NO_EXPIRY:
        delta, pos = get_varint(data, pos)
        expires = updated + (delta * 86400 if flags & _DAYS else delta)
    seq, pos = get_varint(data, pos)
    choice_id, _ = get_varint(data, pos)
    return updated, expires, seq, choice_id


def is_json(data: bytes) -> bool:
    """True for the JSON fallback form of a state or receipt."""
    return data[:1] in (b"[", b"{")


def unpack_state(
    site: str, vid: str, data: bytes, choice: Callable[[int], list[Any]]
) -> ConsentState:
    """Decode what :func:`pack_state` wrote; ``choice`` returns an interned choice's list."""
    if is_json(data):
        return ConsentState.from_dict(loads(data))
    updated, expires, seq, choice_id = _state_fields(data)
    pv, method, gpc, cats, recips, opted = choice(choice_id)
    return ConsentState(
        visitor_id=vid,
        site=site,
        policy_version=pv,
        categories=dict(cats),
        recipients=dict(recips),
        opted_out=list(opted),
        gpc=bool(gpc),
        method=method,
        updated_at=iso(updated),
        expires_at=iso(expires),
        receipt_id=receipt_id(vid, seq) if seq else "",
    )


def state_summary_fields(data: bytes) -> tuple[int, int, int]:
    """Return ``(expires, seq, choice_id)`` of a packed (non-JSON) state, cheaply."""
    _, expires, seq, choice_id = _state_fields(data)
    return expires, seq, choice_id
