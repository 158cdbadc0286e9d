"""Compact encodings of the records the Redis backend keeps per visitor.

State is the hot, per-visitor record, so it is packed as a short JSON array rather than a
dict: ``[policy_version, categories, recipients, opted_out, gpc, method, updated, expires,
receipt_seq]``, where a category or recipient is ``"key"`` when granted and ``"-key"`` when
not, and times are epoch seconds.
"""

from __future__ import annotations

import json
from typing import Any

from cmp import clock
from cmp.model import ConsentState
from cmp.receipts import receipt_id

_SEP = (",", ":")


def _flags(choices: dict[str, bool]) -> list[str]:
    return [k if v else f"-{k}" for k, v in choices.items()]


def _unflags(items: list[str]) -> dict[str, bool]:
    return {(i[1:] if i.startswith("-") else i): not i.startswith("-") for i in items}


def _epoch(text: str) -> int:
    return int(clock.parse(text).timestamp()) if text else 0


def _iso(epoch: int) -> str:
    from datetime import UTC, datetime

    return clock.iso(datetime.fromtimestamp(epoch, UTC)) if epoch else ""


def pack_state(state: ConsentState) -> str:
    """Encode a state for storage (the visitor id and site live in the key and field)."""
    seq = int(state.receipt_id.rsplit("-", 1)[1]) if state.receipt_id else 0
    row: list[Any] = [
        state.policy_version,
        _flags(state.categories),
        _flags(state.recipients),
        state.opted_out,
        1 if state.gpc else 0,
        state.method,
        _epoch(state.updated_at),
        _epoch(state.expires_at),
        seq,
    ]
    return json.dumps(row, separators=_SEP, ensure_ascii=False)


def unpack_state(site: str, vid: str, packed: str) -> ConsentState:
    """Decode what :func:`pack_state` wrote."""
    pv, cats, recips, opted, gpc, method, updated, expires, seq = json.loads(packed)
    return ConsentState(
        visitor_id=vid,
        site=site,
        policy_version=pv,
        categories=_unflags(cats),
        recipients=_unflags(recips),
        opted_out=list(opted),
        gpc=bool(gpc),
        method=method,
        updated_at=_iso(updated),
        expires_at=_iso(expires),
        receipt_id=receipt_id(vid, seq) if seq else "",
    )


def dumps(data: Any) -> str:
    """Serialise a record dict compactly."""
    return json.dumps(data, separators=_SEP, ensure_ascii=False)


loads = json.loads
